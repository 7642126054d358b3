"""Small real input files for the scan tests: a PDF written by hand, a WARC.gz written with warcio."""
from __future__ import annotations

import io
from pathlib import Path

SPUN = "During the Chilly Battle, analysts fed crude information into the model."
#: The body of a latin-1 page in the WARC (its offsets are right only if the declared charset is used).
LATIN_BODY = "Caf\xe9 owners said: " + SPUN
CLEAN = "The committee approved the budget on Tuesday after a long debate."


def make_pdf(path: Path, lines: list[str]) -> Path:
    """A one-page PDF 1.4 with ``lines`` in Helvetica (objects and xref table laid out by hand)."""
    text_ops = ["BT", "/F1 11 Tf", "14 TL", "72 720 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text_ops.append(f"({escaped}) Tj T*")
    text_ops.append("ET")
    stream = "\n".join(text_ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    path.write_bytes(out.getvalue())
    return path


def html_page(title: str, body: str) -> str:
    """A web page with navigation and a footer around one article."""
    return (
        f"<html><head><title>{title}</title><script>var tracking = 1;</script></head><body>"
        f"<nav><a href='/'>Home</a> | <a href='/about'>About us</a></nav>"
        f"<article><h1>{title}</h1><p>{body}</p></article>"
        f"<footer>Copyright 2024 Example Media. All rights reserved.</footer></body></html>"
    )


def make_warc(path: Path, pdf_bytes: bytes | None = None) -> Path:
    """A gzipped WARC: request + HTML response, a 404, an image, a plain-text resource, a PDF, a bad-charset page."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    def response(writer: WARCWriter, url: str, status: str, ctype: str, body: bytes) -> None:
        http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))

    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        w.write_record(w.create_warc_record("http://example.com/war", "request", payload=io.BytesIO(b"GET /war HTTP/1.1\r\n\r\n")))
        response(w, "http://example.com/war", "200 OK", "text/html; charset=utf-8", html_page("History", SPUN).encode())
        response(w, "http://example.com/missing", "404 Not Found", "text/html", b"<html><body>Not found</body></html>")
        response(w, "http://example.com/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(200))
        w.write_record(w.create_warc_record("http://example.com/notes.txt", "resource", payload=io.BytesIO(CLEAN.encode()), warc_content_type="text/plain"))
        if pdf_bytes is not None:
            response(w, "http://example.com/paper.pdf", "200 OK", "application/pdf", pdf_bytes)
        response(w, "http://example.com/latin", "200 OK", "text/html; charset=iso-8859-1", html_page("Caf\xe9", LATIN_BODY).encode("latin-1"))
    return path
