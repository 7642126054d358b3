"""Read a corpus to index, with the same readers as ``unspin scan``: JSONL, a folder of files, WARC."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from unspin.scan.documents import Document, open_source
from unspin.scan.extract import ExtractError, to_text

__all__ = ["CorpusReader", "read_document"]

#: Largest document read into an index, in bytes.
MAX_BYTES = 64_000_000


def read_document(doc: Document) -> tuple[str, str, dict[str, Any]]:
    """``(name, text, extra)`` of one document; :class:`ValueError` with the reason when it cannot be read.

    The name is the JSONL ``id`` (else ``line N``), or the file path (with ``#offset`` for a WARC record);
    extra holds the JSONL fields other than ``id`` and ``text``, or the locator.
    """
    if doc.error is not None:
        raise ValueError(doc.error)
    if doc.kind == "jsonl":
        try:
            record = json.loads(doc.payload or "")
        except json.JSONDecodeError as exc:
            raise ValueError(f"malformed JSON: {exc.msg} at column {exc.colno}") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ValueError("not a JSON object with a string 'text' field")
        name = str(record.get("id", f"line {doc.locator['line']}"))
        return name, record["text"], {k: v for k, v in record.items() if k not in ("id", "text")}
    try:
        text = to_text(doc.payload, doc.kind, doc.charset) if isinstance(doc.payload, bytes) else str(doc.payload or "")
    except ExtractError as exc:
        raise ValueError(str(exc)) from None
    offset = doc.locator.get("offset")
    name = str(doc.doc_id if doc.doc_id is not None else doc.locator.get("path"))
    if offset is not None and doc.doc_id is None:
        name += f"#{offset}"
    return name, text, {**doc.meta, **doc.locator}


@dataclass
class CorpusReader:
    """Iterate ``(name, text, extra)`` over the documents of ``src``; unreadable ones are counted in :attr:`errors`."""

    src: str
    errors: list[tuple[str, str]] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for doc in open_source(self.src, max_bytes=MAX_BYTES):
            try:
                name, text, extra = read_document(doc)
            except ValueError as exc:
                self.errors.append((json.dumps(doc.locator), str(exc)))
                continue
            if text.strip():
                yield name, text, extra
            else:
                self.errors.append((json.dumps(doc.locator), "empty text"))
