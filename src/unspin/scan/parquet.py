"""Scan records as Parquet (pyarrow), converted from JSONL in bounded batches.

Columns: ``id`` (as text), the locator (``line``; ``path``, ``offset``), ``spin_score``, ``n_words``,
``findings`` (a list of structs, as in the JSON), ``warnings``, ``error``, and ``fields``: every
other field of the record (carried-through input fields, WARC metadata) as one JSON object.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

SUGGESTION = pa.struct([("text", pa.string()), ("score", pa.float64())])
FINDING = pa.struct([
    ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()), ("confidence", pa.float64()),
    ("kind", pa.string()), ("suggestions", pa.list_(SUGGESTION)), ("evidence", pa.list_(pa.string())),
])
SCHEMA = pa.schema([
    ("id", pa.string()), ("line", pa.int64()), ("path", pa.string()), ("offset", pa.int64()),
    ("spin_score", pa.float64()), ("n_words", pa.int64()), ("findings", pa.list_(FINDING)),
    ("warnings", pa.list_(pa.string())), ("error", pa.string()), ("fields", pa.string()),
])
COLUMNS = set(SCHEMA.names)
FINDING_KEYS = [f.name for f in FINDING]


def _row(record: dict[str, Any]) -> dict[str, Any]:
    row = {k: record.get(k) for k in COLUMNS if k not in ("id", "fields", "findings")}
    row["id"] = None if record.get("id") is None else str(record["id"])
    row["findings"] = None if "findings" not in record else [
        {k: f.get(k) for k in FINDING_KEYS} for f in record["findings"]
    ]
    extra = {k: v for k, v in record.items() if k not in COLUMNS}
    row["fields"] = json.dumps(extra, ensure_ascii=False) if extra else None
    return row


def _batches(src: Path, size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    with open(src, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                batch.append(_row(json.loads(line)))
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


def jsonl_to_parquet(src: Path, dst: Path, batch_size: int = 10_000) -> int:
    """Write the JSONL records in ``src`` to the Parquet file ``dst``; return how many rows."""
    rows = 0
    with pq.ParquetWriter(dst, SCHEMA, compression="zstd") as writer:
        for batch in _batches(src, batch_size):
            writer.write_table(pa.Table.from_pylist(batch, schema=SCHEMA))
            rows += len(batch)
    return rows


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a scan's Parquet file as dicts (``fields`` unpacked back into each record)."""
    out = []
    for row in pq.read_table(path).to_pylist():
        extra = json.loads(row.pop("fields") or "{}")
        out.append({k: v for k, v in row.items() if v is not None or k == "id"} | extra)
    return out
