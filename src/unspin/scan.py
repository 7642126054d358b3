"""Batch scanning of JSONL: one output record per input line, in order, errors as records.

Input lines are ``{"id": ..., "text": ...}`` (other fields are carried through). Output lines
follow the scanner contract of the shared scorers: ``{"id", "spin_score", "findings": [...]}``;
a line that cannot be read or checked gives ``{"id", "error": "..."}`` and the scan goes on.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from unspin.api import InputError, check
from unspin.config import Config


def scan_record(line: str, lineno: int, config: Config) -> dict[str, Any]:
    """Check one JSONL line and return its output record (never raises for bad input)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "line": lineno, "error": f"malformed JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(record, dict):
        return {"id": None, "line": lineno, "error": "line is not a JSON object"}
    doc_id = record.get("id", lineno)
    text = record.get("text")
    if not isinstance(text, str):
        return {"id": doc_id, "line": lineno, "error": "missing or non-string 'text' field"}
    try:
        report = check(text, config)
    except InputError as exc:
        return {"id": doc_id, "line": lineno, "error": str(exc)}
    out = {k: v for k, v in record.items() if k != "text"}
    out["id"] = doc_id
    out.update(report.to_dict())
    return out


def scan_lines(lines: Iterable[str], config: Config | None = None) -> Iterator[dict[str, Any]]:
    """Yield one output record per non-blank input line, in input order."""
    config = config or Config()
    for lineno, line in enumerate(lines, 1):
        if line.strip():
            yield scan_record(line, lineno, config)


def scan_file(src: TextIO, dst: TextIO, config: Config | None = None) -> dict[str, int]:
    """Scan JSONL from ``src`` to ``dst``; return counts of documents, errors and flagged documents."""
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
