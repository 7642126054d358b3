"""Batch scanning: JSONL, folders of text/HTML/PDF files and WARC crawls, on all cores or a Dask cluster.

Each input document gives exactly one output record: ``{"id", <locator>, "spin_score", "n_words",
"findings", "warnings"}`` plus the input's other fields (the scanner contract of the shared
scorers), or ``{"id", <locator>, "error"}`` for a document that cannot be read or checked. The
locator says where the document sits in the input (``line`` of a JSONL file; ``path`` and, in a
WARC file, ``offset``); it is what lets a killed scan resume.

Modules: :mod:`~unspin.scan.documents` (readers), :mod:`~unspin.scan.extract` (HTML and PDF to
text), :mod:`~unspin.scan.process` (the worker side), :mod:`~unspin.scan.engines` (in-process,
process pool, Dask), :mod:`~unspin.scan.output` (JSONL/Parquet and resume state),
:mod:`~unspin.scan.summary` (totals), :mod:`~unspin.scan.run` (one scan end to end) and
:mod:`~unspin.scan.many` (:func:`unspin.check_many`).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from unspin.config import Config
from unspin.scan.process import scan_record

__all__ = ["scan_record", "scan_lines", "scan_file"]


def scan_lines(lines: Iterable[str], config: Config | None = None) -> Iterator[dict[str, Any]]:
    """Yield one output record per non-blank JSONL line, in input order, in this process."""
    config = config or Config()
    for lineno, line in enumerate(lines, 1):
        if line.strip():
            yield scan_record(line, lineno, config)


def scan_file(src: TextIO, dst: TextIO, config: Config | None = None) -> dict[str, int]:
    """Scan JSONL from ``src`` to ``dst`` in this process; return counts of documents, errors, flagged documents, words."""
    stats = {"documents": 0, "errors": 0, "flagged": 0, "words": 0}
    for rec in scan_lines(src, config):
        dst.write(json.dumps(rec, ensure_ascii=False) + "\n")
        stats["documents"] += 1
        if "error" in rec:
            stats["errors"] += 1
        else:
            stats["words"] += rec.get("n_words", 0)
            stats["flagged"] += bool(rec["findings"])
    return stats
