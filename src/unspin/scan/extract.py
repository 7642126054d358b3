"""Plain text out of the formats a crawl holds: UTF-8 text, HTML (resiliparse) and PDF (pypdf)."""
from __future__ import annotations

import io
import logging

#: File suffixes read as plain text, HTML and PDF.
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
PDF_SUFFIXES = (".pdf",)


class ExtractError(ValueError):
    """The document's bytes cannot be turned into text (bad encoding, damaged or encrypted PDF)."""


def kind_of(name: str, data: bytes | None = None) -> str | None:
    """``"text"``, ``"html"`` or ``"pdf"`` by file suffix (or by the bytes' magic); None if unsupported."""
    lower = name.lower()
    if lower.endswith(PDF_SUFFIXES) or (data is not None and data[:5] == b"%PDF-"):
        return "pdf"
    if lower.endswith(HTML_SUFFIXES):
        return "html"
    if lower.endswith(TEXT_SUFFIXES):
        return "text"
    return None


def decode_text(data: bytes) -> str:
    """UTF-8 text (a byte-order mark is dropped); anything else is an :class:`ExtractError`."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(f"not valid UTF-8 (byte {exc.start}); convert it first") from None


def html_to_text(data: bytes | str, charset: str | None = None) -> str:
    """The main content of an HTML page as plain text (navigation, scripts and footers dropped)."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    from resiliparse.parse.html import HTMLTree

    if isinstance(data, bytes):
        data = bytes_to_str(data, charset or detect_encoding(data))
    tree = HTMLTree.parse(data)
    text = extract_plain_text(tree, main_content=True)
    if not text.strip():  # pages that are all "boilerplate" to the main-content heuristic
        text = extract_plain_text(tree, main_content=False)
    return text


def pdf_to_text(data: bytes) -> str:
    """The text of every page of a PDF, pages separated by a blank line."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # pypdf warns on every slightly odd file
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractError("the PDF is encrypted")
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, ExtractError):
            raise
        raise ExtractError(f"cannot read the PDF: {type(exc).__name__}: {exc}") from None


def to_text(data: bytes, kind: str, charset: str | None = None) -> str:
    """Text of a document of the given ``kind`` (see :func:`kind_of`)."""
    if kind == "pdf":
        return pdf_to_text(data)
    if kind == "html":
        return html_to_text(data, charset)
    if kind == "text":
        if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
            try:
                return data.decode(charset)
            except (LookupError, UnicodeDecodeError):
                pass
        return decode_text(data)
    raise ExtractError(f"unsupported document kind {kind!r}")
