"""The worker side of a scan: one :class:`Document` in, one output record out, never an exception."""
from __future__ import annotations

import atexit
import gc
import json
import resource
import signal
from typing import Any

from unspin.api import InputError, check
from unspin.config import Config
from unspin.scan.documents import Document
from unspin.scan.extract import ExtractError, to_text

#: Set by :func:`init_worker`: this process is a pool worker of ours, not a caller's process.
_IN_WORKER = False
#: Fields an output record sets itself; an input field of the same name is kept as ``input_<name>``.
RESERVED = ("id", "line", "path", "offset", "spin_score", "n_words", "findings", "warnings", "error")


def _error(doc_id: Any, locator: dict[str, Any], message: str) -> dict[str, Any]:
    return {"id": doc_id, **locator, "error": message}


def _carried(record: dict[str, Any]) -> dict[str, Any]:
    """Input fields to carry through: all but ``text``, reserved names moved aside."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "text" or key == "id":
            continue
        out[f"input_{key}" if key in RESERVED else key] = value
    return out


def scan_record(line: str, lineno: int, config: Config) -> dict[str, Any]:
    """Check one JSONL line and return its output record (never raises for bad input)."""
    return process_document(Document({"line": lineno}, "jsonl", line), config)


def _check_jsonl(doc: Document, config: Config) -> dict[str, Any]:
    try:
        record = json.loads(doc.payload or "")
    except json.JSONDecodeError as exc:
        return _error(None, doc.locator, f"malformed JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(record, dict):
        return _error(None, doc.locator, "line is not a JSON object")
    doc_id = record.get("id", doc.locator["line"])
    text = record.get("text")
    if not isinstance(text, str):
        return _error(doc_id, doc.locator, "missing or non-string 'text' field")
    try:
        report = check(text, config)
    except InputError as exc:
        return _error(doc_id, doc.locator, str(exc))
    return {"id": doc_id, **doc.locator, **_carried(record), **report.to_dict()}


def process_document(doc: Document, config: Config) -> dict[str, Any]:
    """The output record of one document: its report, or ``{"id", <locator>, "error"}``."""
    if doc.error is not None:
        return _error(doc.doc_id, doc.locator, doc.error)
    try:
        if doc.kind == "jsonl":
            return _check_jsonl(doc, config)
        text = to_text(doc.payload, doc.kind, doc.charset) if isinstance(doc.payload, bytes) else str(doc.payload)
        report = check(text, config)
        return {"id": doc.doc_id, **doc.locator, **doc.meta, **report.to_dict()}
    except (InputError, ExtractError) as exc:
        return _error(doc.doc_id, doc.locator, str(exc))
    except Exception as exc:  # a bug or a parser crash on one document must not stop a crawl
        return _error(doc.doc_id, doc.locator, f"internal error: {type(exc).__name__}: {exc}")


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _settle() -> None:
    """Take what outlived a batch out of the garbage collector's sight (``gc.freeze``).

    What outlives a batch is almost all the stages' per-process caches (words' options, phrases,
    trigram look-ups: millions of references once warm). Left in view, every full collection walks
    them all again, a third of a second each, a few times a minute; frozen, they are still freed
    by reference counting when a cache drops them, and the collector walks only what is new. The
    pipeline makes no reference cycles that outlive a document, so nothing collectable is frozen.
    Only in a worker process of ours: a caller's process (an inline engine) keeps its collector as it is.
    """
    if _IN_WORKER:
        gc.freeze()


def process_batch(docs: list[Document], config: Config) -> tuple[list[dict[str, Any]], float]:
    """Records for a batch of documents, and the worker's peak RSS in MB."""
    records = [process_document(d, config) for d in docs]
    _settle()
    return records, peak_rss_mb()


def check_batch(texts: list[str | bytes], config: Config) -> tuple[list[Any], float]:
    """:func:`unspin.check` on each text (an :class:`InputError` is returned, not raised), and the peak RSS."""
    out: list[Any] = []
    for text in texts:
        try:
            out.append(check(text, config))
        except InputError as exc:
            out.append(exc)
    _settle()
    return out, peak_rss_mb()


def init_worker() -> None:
    """Process-pool initializer: leave Ctrl-C to the parent; load the knowledge and the reranker once, up front."""
    global _IN_WORKER
    _IN_WORKER = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from unspin import knowledge
    from unspin.knowledge import neural

    knowledge.get()
    lm = neural.get()  # the reranker's model, when installed (None otherwise)
    if lm is not None:  # free it before interpreter teardown, when llama.cpp's own finalizer fails noisily
        atexit.register(lm._llm.close)
