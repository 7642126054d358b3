"""Build a sharded trace index in parallel: on local processes, or on a Dask cluster.

The corpus is read once and split by a hash of each document's name into one part file per
shard (in ``<index>/.parts/``); then every shard is built from its part by its own task — a
local process or a Dask worker — which fingerprints its documents and writes its own SQLite file.
No two tasks write the same file, so shards build side by side without locks. On a cluster the
index folder must be on a file system that the workers share with the machine that runs the build.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from unspin.tracing.index import MANIFEST, TraceIndex, create_index
from unspin.tracing.store import SqliteStore, StoreError

__all__ = ["build_sharded"]


def _build_shard(part: str, shard: str) -> int:
    """Add the documents of one part file to its shard file; returns how many were added."""
    index = TraceIndex(SqliteStore(shard))

    def rows() -> Iterable[tuple[str, str, dict[str, Any]]]:
        with open(part, encoding="utf-8") as fh:
            for line in fh:
                name, text, extra = json.loads(line)
                yield name, text, extra

    try:
        return index.add(rows(), workers=1)
    finally:
        index.close()


def build_sharded(
    docs: Iterable[tuple[str, str, dict[str, Any]]],
    path: str | Path,
    shards: int,
    workers: int = 1,
    scheduler: Any = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Index ``(name, text, extra)`` documents into a folder of ``shards`` SQLite files; returns how many were added.

    ``scheduler`` (a ``tcp://host:port`` address or a ``distributed.Client``) builds the shards on
    a Dask cluster; otherwise ``workers`` local processes build them.
    """
    path = Path(path)
    if path.exists() and not (path / MANIFEST).exists() and (path.is_file() or any(path.iterdir())):
        raise StoreError(f"{path} exists and is not a sharded unspin index")
    index = create_index(path, shards=shards)
    index.close()
    files = [str(path / name) for name in json.loads((path / MANIFEST).read_text())["shards"]]
    parts_dir = path / ".parts"
    parts_dir.mkdir(exist_ok=True)
    parts = [str(parts_dir / f"part-{i:04d}.jsonl") for i in range(len(files))]
    handles = [open(p, "w", encoding="utf-8") for p in parts]
    try:
        for n, (name, text, extra) in enumerate(docs, 1):
            handles[index.shard_of(name)].write(json.dumps([name, text, extra], ensure_ascii=False) + "\n")
            if progress and n % 1000 == 0:
                progress(1000)
    finally:
        for h in handles:
            h.close()
    try:
        if scheduler is not None:
            counts = _on_dask(scheduler, parts, files)
        else:
            with ProcessPoolExecutor(max(1, workers)) as pool:
                counts = list(pool.map(_build_shard, parts, files))
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
    return sum(counts)


def _on_dask(scheduler: Any, parts: list[str], files: list[str]) -> list[int]:
    from distributed import Client

    own = isinstance(scheduler, str)
    try:
        client = Client(scheduler, timeout="20s") if own else scheduler
    except (OSError, ValueError) as exc:
        raise StoreError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        return list(client.gather(client.map(_build_shard, parts, files, pure=False)))
    finally:
        if own:
            client.close()
