"""Streaming readers: JSONL (plain or .gz), a folder of .txt/.md/.html/.pdf files, WARC / WARC.gz.

Each reader yields :class:`Document` objects in a fixed order, each with a *locator* — where in the
input it sits (``{"line": 12}`` for JSONL, ``{"path": "a/b.pdf"}`` for a file, ``{"path":
"crawl.warc.gz", "offset": 1234}`` for a WARC record). The locator is written into the document's
output record, which is how a resumed scan knows what is done. Readers hold one document at a time:
memory stays bounded whatever the size of the input. Parsing (JSON, HTML, PDF) happens later, in the
workers, so that a bad document becomes an error record there.
"""
from __future__ import annotations

import gzip
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from unspin.scan.extract import kind_of

#: Suffixes of WARC files (also found inside a scanned folder).
WARC_SUFFIXES = (".warc", ".warc.gz", ".wet", ".wet.gz")


@dataclass(slots=True)
class Document:
    """One input document, not yet parsed: ``payload`` is a JSONL line (kind ``jsonl``) or raw bytes."""

    locator: dict[str, Any]
    kind: str  # "jsonl", "text", "html" or "pdf"
    payload: str | bytes | None
    doc_id: Any = None
    meta: dict[str, Any] = field(default_factory=dict)
    charset: str | None = None
    error: str | None = None  # set by the reader when the document cannot even be read
    size: int = 0  # input bytes it stands for (for progress)

    @property
    def key(self) -> tuple:
        """A hashable form of the locator."""
        return locator_key(self.locator)


def locator_key(record: dict[str, Any]) -> tuple:
    """The key of an output record's (or a locator's) place in the input."""
    if "line" in record and record.get("line") is not None and "path" not in record:
        return ("line", record["line"])
    return ("path", record.get("path"), record.get("offset"))


class Source:
    """A readable input: iterate it for documents; ``total_bytes`` is its size when known."""

    kind = "source"
    total_bytes: int | None = None

    def __iter__(self) -> Iterator[Document]:  # pragma: no cover - interface
        raise NotImplementedError

    def fingerprint(self) -> dict[str, Any] | None:
        """What identifies this input for resuming (None: cannot be resumed, e.g. standard input)."""
        return None


def _file_fingerprint(path: Path) -> dict[str, Any]:
    st = path.stat()
    return {"path": str(path.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


class JsonlSource(Source):
    """One ``{"id", "text", ...}`` object per line; ``-`` is standard input; ``.gz`` is decompressed."""

    kind = "jsonl"

    def __init__(self, path: str, max_line_bytes: int) -> None:
        self.path = path
        self.max_line_bytes = max_line_bytes
        if path != "-":
            self.total_bytes = os.path.getsize(path)
            with open(path, "rb"):  # fail now, with the path, if it cannot be opened
                pass

    def fingerprint(self) -> dict[str, Any] | None:
        """The file's path, size and modification time (None for standard input)."""
        return None if self.path == "-" else {"kind": self.kind, **_file_fingerprint(Path(self.path))}

    def __iter__(self) -> Iterator[Document]:
        if self.path == "-":
            yield from self._lines(sys.stdin.buffer, None)
            return
        with open(self.path, "rb") as raw:
            stream: BinaryIO = gzip.open(raw) if self.path.endswith(".gz") else raw  # type: ignore[assignment]
            yield from self._lines(stream, raw)

    def _lines(self, stream: BinaryIO, raw: BinaryIO | None) -> Iterator[Document]:
        lineno, last_pos = 0, 0
        while True:
            line = stream.readline(self.max_line_bytes + 1)
            if not line:
                return
            lineno += 1
            error = None
            if len(line) > self.max_line_bytes and not line.endswith(b"\n"):
                while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                error = f"line longer than {self.max_line_bytes:,} bytes; split the document"
                line = b""
            pos = raw.tell() if raw is not None else last_pos + len(line)
            size, last_pos = pos - last_pos, pos
            if error is None and not line.strip():
                continue
            yield Document({"line": lineno}, "jsonl", line.decode("utf-8", errors="replace"), error=error, size=size)


class FileTreeSource(Source):
    """A folder (walked in sorted order) or one file: text, Markdown, HTML, PDF and WARC files."""

    kind = "files"

    def __init__(self, path: str, max_bytes: int) -> None:
        self.root = Path(path)
        self.max_bytes = max_bytes
        self.skipped_files = 0
        if not self.root.exists():
            raise FileNotFoundError(2, "No such file or directory", path)
        self.total_bytes = sum(p.stat().st_size for p in self._files(count_skipped=False))

    def fingerprint(self) -> dict[str, Any] | None:
        """The folder's path (files added later are scanned when the scan resumes)."""
        return {"kind": self.kind, "path": str(self.root.resolve())}

    def _files(self, count_skipped: bool = True) -> Iterator[Path]:
        if self.root.is_file():
            yield self.root
            return
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                if kind_of(name) or name.lower().endswith(WARC_SUFFIXES):
                    yield Path(dirpath) / name
                elif count_skipped:
                    self.skipped_files += 1

    def _rel(self, path: Path) -> str:
        return path.name if self.root.is_file() else path.relative_to(self.root).as_posix()

    def __iter__(self) -> Iterator[Document]:
        for path in self._files():
            rel = self._rel(path)
            if path.name.lower().endswith(WARC_SUFFIXES):
                yield from WarcSource.records(path, rel, self.max_bytes)
                continue
            locator = {"path": rel}
            try:
                size = path.stat().st_size
                if size > self.max_bytes:
                    yield Document(locator, "text", None, rel, error=f"file of {size:,} bytes is over the limit of {self.max_bytes:,}", size=size)
                    continue
                data = path.read_bytes()
            except OSError as exc:
                yield Document(locator, "text", None, rel, error=f"cannot read: {exc.strerror}")
                continue
            kind = kind_of(path.name, data) or "text"
            yield Document(locator, kind, data, rel, size=len(data))


class WarcSource(Source):
    """A WARC or WARC.gz file (also WET): HTML, plain-text and PDF responses, resources and conversions."""

    kind = "warc"
    #: WARC record types that carry a document.
    RECORD_TYPES = ("response", "resource", "conversion")

    def __init__(self, path: str, max_bytes: int) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.total_bytes = self.path.stat().st_size
        with open(self.path, "rb"):
            pass

    def fingerprint(self) -> dict[str, Any] | None:
        """The file's path, size and modification time."""
        return {"kind": self.kind, **_file_fingerprint(self.path)}

    def __iter__(self) -> Iterator[Document]:
        yield from self.records(self.path, self.path.name, self.max_bytes)

    @classmethod
    def records(cls, path: Path, name: str, max_bytes: int) -> Iterator[Document]:
        """The documents in one WARC file; a damaged file ends with an error record for the rest."""
        from warcio.archiveiterator import ArchiveIterator

        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            last = 0
            try:
                for record in it:
                    doc = cls._document(record, it.get_record_offset, name, max_bytes)
                    if doc is not None:
                        pos = fh.tell()
                        doc.size, last = pos - last, pos
                        yield doc
            except Exception as exc:  # warcio raises bare Exceptions for damaged archives
                yield Document({"path": name, "offset": -1}, "text", None, name, error=f"damaged WARC after byte {last:,}: {exc}")
                return
            # a gzipped WARC cut short ends quietly after its last whole record: say what was lost
            member = getattr(it, "member_info", None)
            size = os.fstat(fh.fileno()).st_size
            if member and sum(member) < size:
                yield Document({"path": name, "offset": sum(member)}, "text", None, name,
                               error=f"truncated or damaged WARC: bytes {sum(member):,} to {size:,} could not be read")

    @classmethod
    def _document(cls, record: Any, offset: Callable[[], int], name: str, max_bytes: int) -> Document | None:
        if record.rec_type not in cls.RECORD_TYPES:
            return None
        headers = record.rec_headers
        url = headers.get_header("WARC-Target-URI")
        if record.http_headers is not None:
            status = record.http_headers.get_statuscode()
            if status and not status.startswith("2"):
                return None
            ctype = record.http_headers.get_header("Content-Type") or ""
        else:
            ctype = headers.get_header("Content-Type") or ""
        mime, _, params = ctype.partition(";")
        mime = mime.strip().lower()
        kind = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text", "application/pdf": "pdf"}.get(mime)
        if kind is None:
            return None
        charset = None
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip('"') or None
        meta = {"url": url, "warc_record_id": headers.get_header("WARC-Record-ID"), "warc_date": headers.get_header("WARC-Date"), "content_type": mime}
        doc_id = url or meta["warc_record_id"]
        data = record.content_stream().read(max_bytes + 1)
        locator = {"path": name, "offset": offset()}  # (warcio can tell the offset only after the content is read)
        if len(data) > max_bytes:
            return Document(locator, kind, None, doc_id, meta, error=f"record over the limit of {max_bytes:,} bytes")
        return Document(locator, kind, data, doc_id, meta, charset)


def open_source(src: str, max_bytes: int) -> Source:
    """The reader for ``src``: ``-`` or a JSONL file, a WARC file, a folder, or one text/HTML/PDF file."""
    if src == "-":
        return JsonlSource(src, max_bytes)
    path = Path(src)
    if path.is_dir():
        return FileTreeSource(src, max_bytes)
    lower = path.name.lower()
    if lower.endswith(WARC_SUFFIXES):
        return WarcSource(src, max_bytes)
    if kind_of(lower):
        return FileTreeSource(src, max_bytes)
    return JsonlSource(src, max_bytes)
