"""Where a trace index keeps its documents and LSH buckets: a small interface, SQLite by default.

:class:`Store` is the contract the index needs — add documents with their bucket keys, find the
documents that share buckets with a query, read documents back — so a corpus that outgrows one
machine can put the same contract over PostgreSQL, or over shards (see the README). :class:`SqliteStore`
keeps everything in one file: no server, safe to copy, opened read-only by many readers.
"""
from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any, Protocol

__all__ = ["StoredDoc", "Store", "SqliteStore", "StoreError"]

#: Bumped when the file layout changes; an index of another version is refused with a clear error.
FORMAT = "unspin-trace-1"


class StoreError(RuntimeError):
    """The index file is missing, not an unspin index, or of another version."""


@dataclass(slots=True, frozen=True)
class StoredDoc:
    """A document as the index keeps it: its name, text and the fields carried with it."""

    name: str
    text: str
    extra: dict[str, Any]


class Store(Protocol):
    """Storage of a trace index (documents + LSH bucket postings)."""

    def settings(self) -> dict[str, Any]:
        """The index's settings (fingerprint and LSH parameters), as saved at creation."""
        ...

    def add(self, rows: Sequence[tuple[str, str, dict[str, Any], Sequence[int]]]) -> int:
        """Add ``(name, text, extra, bucket_keys)`` rows; names already present are skipped. Returns how many were added."""
        ...

    def candidates(self, keys: Sequence[int], limit: int) -> list[tuple[int, int]]:
        """Documents sharing buckets with ``keys``: ``(doc_id, shared_buckets)``, most shared first."""
        ...

    def documents(self, ids: Iterable[int]) -> dict[int, StoredDoc]:
        """The stored documents with these ids."""
        ...

    def bulk(self) -> AbstractContextManager[None]:
        """A context for a large first load, where the store may defer its index upkeep."""
        ...

    def __len__(self) -> int:
        ...

    def close(self) -> None:
        """Release the store."""
        ...


class SqliteStore:
    """A :class:`Store` in one SQLite file.

    Layout: ``meta`` (settings), ``docs`` (id, unique name, zlib-compressed text, JSON extra) and
    ``buckets`` (key, doc) with an index on ``(key, doc)``. A bulk load drops the bucket index and
    rebuilds it once at the end (:meth:`bulk`), which is much faster than keeping it up to date.
    """

    def __init__(self, path: str | Path, settings: dict[str, Any] | None = None, readonly: bool = False) -> None:
        self.path = Path(path)
        exists = self.path.exists() and self.path.stat().st_size > 0
        if not exists and (readonly or settings is None):
            raise StoreError(f"{self.path}: no such index (build one with `unspin index build`)")
        if readonly:
            self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self._db = sqlite3.connect(self.path, check_same_thread=False)
        try:
            if not readonly:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA cache_size=-262144")  # up to 256 MB of page cache
            if exists:
                self._settings = self._read_settings()
            else:
                self._create(settings or {})
                self._settings = dict(settings or {})
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.path}: not an unspin index ({exc})") from None

    def _create(self, settings: dict[str, Any]) -> None:
        with self._db:
            self._db.executescript(
                """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE docs (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, text BLOB NOT NULL, extra TEXT);
                CREATE TABLE buckets (key INTEGER NOT NULL, doc INTEGER NOT NULL);
                CREATE INDEX buckets_key ON buckets (key, doc);
                """
            )
            self._db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
            self._db.execute("INSERT INTO meta VALUES ('settings', ?)", (json.dumps(settings),))

    def _read_settings(self) -> dict[str, Any]:
        try:
            meta = dict(self._db.execute("SELECT key, value FROM meta"))
        except sqlite3.OperationalError:
            raise StoreError(f"{self.path}: an SQLite file, but not an unspin index") from None
        if meta.get("format") != FORMAT:
            raise StoreError(f"{self.path}: index format {meta.get('format')!r}, this unspin reads {FORMAT!r}; rebuild it")
        settings: dict[str, Any] = json.loads(meta["settings"])
        return settings

    def settings(self) -> dict[str, Any]:
        """The settings saved when the index was created."""
        return dict(self._settings)

    def add(self, rows: Sequence[tuple[str, str, dict[str, Any], Sequence[int]]]) -> int:
        """Add documents with their bucket keys in one transaction; known names (and repeats within ``rows``) are skipped."""
        names = [r[0] for r in rows]
        with self._db:
            known: set[str] = set()
            for i in range(0, len(names), 900):  # SQLite's limit on bound parameters
                part = names[i : i + 900]
                known.update(n for (n,) in self._db.execute(f"SELECT name FROM docs WHERE name IN ({','.join('?' * len(part))})", part))
            next_id = int(self._db.execute("SELECT COALESCE(MAX(id), 0) FROM docs").fetchone()[0]) + 1
            docs: list[tuple[int, str, bytes, str | None]] = []
            buckets: list[tuple[int, int]] = []
            for name, text, extra, keys in rows:
                if name in known:
                    continue
                known.add(name)
                docs.append((next_id, name, zlib.compress(text.encode("utf-8"), 6), json.dumps(extra) if extra else None))
                buckets.extend(zip(keys, repeat(next_id)))
                next_id += 1
            self._db.executemany("INSERT INTO docs (id, name, text, extra) VALUES (?, ?, ?, ?)", docs)
            self._db.executemany("INSERT INTO buckets VALUES (?, ?)", buckets)
        return len(docs)

    def bulk(self) -> "_Bulk":
        """Context manager for a large load: the bucket index is dropped and rebuilt once at the end."""
        return _Bulk(self._db)

    def candidates(self, keys: Sequence[int], limit: int) -> list[tuple[int, int]]:
        """Documents sharing buckets with ``keys``, most shared first, at most ``limit``."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        rows = self._db.execute(
            f"SELECT doc, COUNT(*) AS n FROM buckets WHERE key IN ({marks}) GROUP BY doc ORDER BY n DESC, doc LIMIT ?",
            (*keys, limit),
        ).fetchall()
        return [(int(d), int(n)) for d, n in rows]

    def documents(self, ids: Iterable[int]) -> dict[int, StoredDoc]:
        """The stored documents with these ids (unknown ids are left out)."""
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        out = {}
        for doc, name, blob, extra in self._db.execute(f"SELECT id, name, text, extra FROM docs WHERE id IN ({marks})", ids):
            out[int(doc)] = StoredDoc(name, zlib.decompress(blob).decode("utf-8"), json.loads(extra) if extra else {})
        return out

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def close(self) -> None:
        """Close the file."""
        self._db.close()


class _Bulk:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("DROP INDEX IF EXISTS buckets_key")

    def __exit__(self, *exc: object) -> None:
        with self._db:
            self._db.execute("CREATE INDEX IF NOT EXISTS buckets_key ON buckets (key, doc)")
