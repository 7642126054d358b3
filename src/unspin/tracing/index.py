"""A trace index: source documents, found again from a spun copy by MinHash LSH over spin-robust fingerprints.

Each document's fingerprint (:mod:`unspin.tracing.fingerprint`) is summarised by a datasketch
``MinHash``; the signature is cut into ``bands`` bands of ``rows`` values, and each band becomes
one bucket key — the banding of datasketch's ``MinHashLSH`` (``params=(bands, rows)``), with its
buckets kept in the index's :class:`~unspin.tracing.store.Store` instead of memory. A query gathers
the documents that share buckets with it, re-reads the best of them to measure how much of the
query's fingerprint each holds, and lines the query up with the few best, sentence by sentence.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHash

from unspin.tracing import fingerprint as fpmod
from unspin.tracing.align import Alignment, align
from unspin.tracing.fingerprint import Fingerprint, fingerprint
from unspin.tracing.store import SqliteStore, Store, StoredDoc, StoreError

__all__ = ["TraceIndex", "Match", "DEFAULT_SETTINGS", "open_index", "create_index"]

#: MinHash and banding parameters. 48 bands of 2 rows find a copy whose fingerprint Jaccard with
#: its source is 0.25 with probability 0.95 (0.3: 0.99), while unrelated documents (Jaccard
#: ≈ 0.002 on average between clean texts) share a bucket with probability 0.1–0.2 %.
DEFAULT_SETTINGS: dict[str, Any] = {
    "num_perm": 96,
    "bands": 48,
    "rows": 2,
    "seed": 1,
    "fingerprint": f"anchors{fpmod.SHINGLE}+strong-{fpmod.FUNCTION_ZIPF}-{fpmod.RARE_ZIPF}",
}
#: How many bucket-sharing documents a query re-reads and measures exactly.
RERANK = 12
#: Candidates holding less than this share of the best candidate's containment are not aligned (score 0).
ALIGN_SHARE = 0.5
#: A match must line up with at least this share of the query's words to be reported as its source.
MIN_SCORE = 0.75


@dataclass(slots=True)
class Match:
    """A candidate source of a query text.

    ``score`` is the share of the query's words in sentences that line up with a sentence of this
    document (see :mod:`unspin.tracing.align`): near 1 for a spun copy, however many words were
    swapped; ``containment`` is the share of the query's fingerprint this document holds, and
    ``jaccard`` the fingerprints' Jaccard similarity.
    """

    name: str
    score: float
    containment: float
    jaccard: float
    doc_id: int
    text: str = field(repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    alignment: Alignment | None = field(default=None, repr=False)
    shard: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.name, "score": round(self.score, 4), "containment": round(self.containment, 4), "jaccard": round(self.jaccard, 4)}


@lru_cache(maxsize=4)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    return MinHash(num_perm=num_perm, seed=seed).permutations  # type: ignore[no-any-return]


def signature(fp: Fingerprint, num_perm: int, seed: int) -> np.ndarray:
    """The MinHash signature (``num_perm`` uint32 values) of a fingerprint's features."""
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=zlib.crc32, permutations=_permutations(num_perm, seed), scheme="affine32")
    m.update_batch([f.encode("utf-8") for f in fp.features])
    return m.hashvalues


def bucket_keys(sig: np.ndarray, bands: int, rows: int) -> list[int]:
    """One signed 64-bit key per band: the band's values and its number, mixed (FNV-1a over the values)."""
    parts = sig[: bands * rows].astype(np.uint64).reshape(bands, rows)
    h = np.arange(bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ np.uint64(0xCBF29CE484222325)
    with np.errstate(over="ignore"):
        for col in range(rows):
            h = (h ^ parts[:, col]) * np.uint64(0x100000001B3)
    return [int(x) for x in h.view(np.int64)]


def _prepare(settings: dict[str, Any], docs: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[str, str, dict[str, Any], list[int]]]:
    out = []
    for name, text, extra in docs:
        sig = signature(fingerprint(text), settings["num_perm"], settings["seed"])
        out.append((name, text, extra, bucket_keys(sig, settings["bands"], settings["rows"])))
    return out


_WORKER_SETTINGS: dict[str, Any] = {}


def _init_worker(settings: dict[str, Any]) -> None:
    _WORKER_SETTINGS.update(settings)
    fpmod._zipf_table()


def _prepare_in_worker(docs: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[str, str, dict[str, Any], list[int]]]:
    return _prepare(_WORKER_SETTINGS, docs)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class TraceIndex:
    """Source documents, searchable by a spun copy of any of them; kept in one store or spread over shards.

    >>> index = create_index("sources.db")                       # doctest: +SKIP
    >>> index.add([("doc-1", "The Cold War ended in 1991.", {})])  # doctest: +SKIP
    >>> index.search("The Chilly Battle finished in 1991.")[0].name  # doctest: +SKIP
    'doc-1'

    With several stores (shards), a document goes to the shard its name hashes to, and a query
    asks every shard and merges what they find.
    """

    def __init__(self, stores: Store | Sequence[Store]) -> None:
        self.stores: list[Store] = list(stores) if isinstance(stores, Sequence) else [stores]
        if not self.stores:
            raise StoreError("an index needs at least one store")
        self.store = self.stores[0]
        self.settings = {**DEFAULT_SETTINGS, **self.store.settings()}
        if self.settings["fingerprint"] != DEFAULT_SETTINGS["fingerprint"]:
            raise StoreError(
                f"index fingerprints are {self.settings['fingerprint']!r}, this unspin makes "
                f"{DEFAULT_SETTINGS['fingerprint']!r}; rebuild the index"
            )
        if any({**DEFAULT_SETTINGS, **st.settings()} != self.settings for st in self.stores[1:]):
            raise StoreError("the shards of this index were built with different settings; rebuild it")

    def __len__(self) -> int:
        return sum(len(st) for st in self.stores)

    def shard_of(self, name: str) -> int:
        """The shard a document of this name belongs to."""
        return zlib.crc32(name.encode("utf-8")) % len(self.stores)

    def add(
        self,
        docs: Iterable[tuple[str, str, dict[str, Any]]],
        workers: int = 1,
        batch: int = 512,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Add ``(name, text, extra)`` documents (names already indexed are skipped); returns how many were added.

        ``workers`` > 1 fingerprints in that many processes while this one writes.
        """
        with ExitStack() as stack:
            for st in self.stores:
                if len(st) == 0:
                    stack.enter_context(st.bulk())
            return self._add(_chunks(docs, batch), workers, progress)

    def _write(self, rows: list[tuple[str, str, dict[str, Any], list[int]]]) -> int:
        if len(self.stores) == 1:
            return self.store.add(rows)
        parts: dict[int, list[tuple[str, str, dict[str, Any], list[int]]]] = {}
        for row in rows:
            parts.setdefault(self.shard_of(row[0]), []).append(row)
        return sum(self.stores[i].add(part) for i, part in parts.items())

    def _add(self, chunks: Iterator[list[Any]], workers: int, progress: Callable[[int], None] | None) -> int:
        added = 0
        if workers > 1:
            ctx = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
            with ctx.Pool(workers, initializer=_init_worker, initargs=(self.settings,)) as pool:
                for rows in pool.imap(_prepare_in_worker, chunks):
                    added += self._write(rows)
                    if progress:
                        progress(len(rows))
        else:
            for chunk in chunks:
                rows = _prepare(self.settings, chunk)
                added += self._write(rows)
                if progress:
                    progress(len(rows))
        return added

    def search(self, text: str, k: int = 5) -> list[Match]:
        """The ``k`` stored documents most likely to be the source of ``text``, best first."""
        fp = fingerprint(text)
        if not fp.features:
            return []
        sig = signature(fp, self.settings["num_perm"], self.settings["seed"])
        keys = bucket_keys(sig, self.settings["bands"], self.settings["rows"])
        found = [(n, shard, doc) for shard, st in enumerate(self.stores) for doc, n in st.candidates(keys, RERANK)]
        found = sorted(found, key=lambda f: (-f[0], f[1], f[2]))[:RERANK]
        matches = []
        for shard, st in enumerate(self.stores):
            docs = st.documents(doc for _, s, doc in found if s == shard)
            matches += [self._measure(fp, doc_id, doc, shard) for doc_id, doc in docs.items()]
        matches.sort(key=lambda m: (-m.containment, m.name))
        for m in matches[:k]:
            if m.containment >= ALIGN_SHARE * matches[0].containment:
                m.alignment = align(text, m.text)
                m.score = m.alignment.aligned_share()
        matches = matches[:k]
        matches.sort(key=lambda m: (-m.score, -m.containment, m.name))
        return matches

    @staticmethod
    def _measure(fp: Fingerprint, doc_id: int, doc: StoredDoc, shard: int) -> Match:
        theirs = fingerprint(doc.text).features
        shared = len(fp.features & theirs)
        union = len(fp.features | theirs)
        return Match(doc.name, 0.0, shared / len(fp.features), shared / union if union else 0.0, doc_id, doc.text, doc.extra, shard=shard)

    def close(self) -> None:
        """Close every store."""
        for st in self.stores:
            st.close()


#: The manifest of a sharded index: a folder holding it and its shard files.
MANIFEST = "unspin-index.json"


def create_index(path: str | Path, shards: int = 1, **settings: Any) -> TraceIndex:
    """A new, empty index at ``path`` (an existing one there is opened and extended instead).

    With ``shards`` > 1, ``path`` is a folder of that many SQLite files and a manifest.
    """
    settings = {**DEFAULT_SETTINGS, **settings}
    path = Path(path)
    if shards <= 1 and not (path / MANIFEST).exists():
        return TraceIndex(SqliteStore(path, settings=settings))
    if (path / MANIFEST).exists():
        return open_index(path, readonly=False)
    path.mkdir(parents=True, exist_ok=True)
    files = [f"shard-{i:04d}.db" for i in range(shards)]
    index = TraceIndex([SqliteStore(path / f, settings=settings) for f in files])
    (path / MANIFEST).write_text(json.dumps({"format": "unspin-trace-shards-1", "shards": files}, indent=1) + "\n")
    return index


def open_index(path: str | Path, readonly: bool = True) -> TraceIndex:
    """Open the index at ``path``: one SQLite file, or a folder of shards (read-only by default)."""
    path = Path(path)
    if path.is_dir():
        try:
            manifest = json.loads((path / MANIFEST).read_text())
            files = manifest["shards"]
        except (OSError, ValueError, KeyError, TypeError):
            raise StoreError(f"{path}: a folder, but not a sharded unspin index (no readable {MANIFEST})") from None
        return TraceIndex([SqliteStore(path / f, readonly=readonly) for f in files])
    return TraceIndex(SqliteStore(path, readonly=readonly))
