"""unspin scan on crawls: inputs (JSONL, folders, PDF, WARC), outputs (JSONL, Parquet), workers, filters, summary."""
from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

import unspin
from conftest import assert_restores
from scan_fixtures import CLEAN, LATIN_BODY, SPUN, html_page, make_pdf, make_warc
from unspin.cli import app
from unspin.config import Config
from unspin.scan.documents import open_source
from unspin.scan.extract import html_to_text
from unspin.scan.output import Output
from unspin.scan.parquet import read_records
from unspin.scan.run import ScanOptions, scan

pytestmark = pytest.mark.usefixtures("kn")
LOW = ["--min-confidence", "0.2"]
TEXTS = [SPUN, CLEAN, "The results are as pursues: two models beat the baseline.", "Tensions in the Center East rose again.", "Nothing to see here at all."]


def records_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def by_key(records: list[dict]) -> dict:
    return {(r.get("line"), r.get("path"), r.get("offset")): r for r in records}


@pytest.fixture()
def corpus(tmp_path) -> Path:
    """A folder as a journal's submissions arrive: text, Markdown, HTML, PDF, junk and a WARC crawl."""
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text(SPUN, encoding="utf-8")
    (root / "b.md").write_text("# Notes\n\n" + CLEAN, encoding="utf-8")
    (root / "sub" / "page.html").write_text(html_page("Results", "The results are as pursues: two models beat the baseline."), encoding="utf-8")
    make_pdf(root / "sub" / "paper.pdf", ["During the Chilly Battle, analysts fed", "crude information into the model."])
    (root / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a PDF at all\n")
    (root / "latin1.txt").write_bytes("Caf\xe9 owners remember the Chilly Battle.".encode("latin-1"))
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (root / ".hidden.txt").write_text(SPUN, encoding="utf-8")
    make_warc(root / "crawl.warc.gz", (root / "sub" / "paper.pdf").read_bytes())
    return root


def test_folder_scan_reads_every_kind_and_reports_bad_files(runner, corpus, tmp_path, well_formed):
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["scan", *LOW, "--workers", "1", "--ordered", str(corpus), "-o", str(out)])
    assert result.exit_code == 0, result.output
    recs = records_of(out)
    paths = [(r["path"], r.get("offset")) for r in recs]
    assert [p for p, _ in paths] == ["a.txt", "b.md", "broken.pdf"] + ["crawl.warc.gz"] * 4 + ["latin1.txt", "sub/page.html", "sub/paper.pdf"]
    got = {(r["path"], r.get("url")): r for r in recs}
    assert_restores(SPUN, got["a.txt", None]["findings"], "Chilly Battle", "Cold War")
    assert got["b.md", None]["findings"] == []
    assert "PDF" in got["broken.pdf", None]["error"]
    assert "UTF-8" in got["latin1.txt", None]["error"]
    page_text = html_to_text((corpus / "sub" / "page.html").read_bytes())
    assert page_text == "Results\n\nThe results are as pursues: two models beat the baseline.", "offsets refer to the page's main text"
    assert_restores(page_text, got["sub/page.html", None]["findings"], "as pursues", "as follows")
    pdf = got["sub/paper.pdf", None]
    assert pdf["id"] == "sub/paper.pdf" and any(f["text"] == "Chilly Battle" for f in pdf["findings"])
    # the WARC: the HTML page (its main text, not the navigation), the text resource, the PDF and the latin-1 page
    warc = {r["url"]: r for r in recs if r["path"] == "crawl.warc.gz"}
    assert set(warc) == {"http://example.com/war", "http://example.com/notes.txt", "http://example.com/paper.pdf", "http://example.com/latin"}
    page = warc["http://example.com/war"]
    assert page["id"] == "http://example.com/war" and page["content_type"] == "text/html" and page["warc_record_id"].startswith("<urn:uuid:")
    assert page["n_words"] == len(("History " + SPUN).split()), "navigation and footer are not part of the text"
    assert_restores("History\n\n" + SPUN, page["findings"], "Chilly Battle", "Cold War")
    latin = "Caf\xe9\n\n" + LATIN_BODY
    assert_restores(latin, warc["http://example.com/latin"]["findings"], "Chilly Battle", "Cold War")  # offsets right: charset used
    assert all(isinstance(r["offset"], int) and r["offset"] > 0 for r in warc.values())
    summary = " ".join(result.stderr.split())
    assert "scanned 10 documents" in summary and "2 errors" in summary
    assert "most frequent spun phrases" in summary and "chilly battle" in summary and "cold war" in summary


def test_check_reads_pdf_and_html(runner, tmp_path):
    pdf = make_pdf(tmp_path / "paper.pdf", ["During the Chilly Battle, analysts fed", "crude information into the model."])
    result = runner.invoke(app, ["check", "--json", str(pdf)])
    assert result.exit_code == 0, result.output
    assert any(f["text"] == "Chilly Battle" for f in json.loads(result.stdout)["findings"])
    page = tmp_path / "page.html"
    page.write_text(html_page("Results", "The results are as pursues: two models beat the baseline."), encoding="utf-8")
    result = runner.invoke(app, ["restore", str(page)])
    assert result.exit_code == 0, result.output
    assert "as follows" in result.stdout and "About us" not in result.stdout
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\ngarbage")
    result = runner.invoke(app, ["check", str(broken)])
    assert result.exit_code == 2 and "PDF" in result.stderr and "Traceback" not in result.output


def test_jsonl_gz_long_lines_and_reserved_fields(tmp_path):
    src = tmp_path / "in.jsonl.gz"
    lines = [
        json.dumps({"id": "x", "text": SPUN, "line": "carried", "spin_score": "theirs"}),
        json.dumps({"id": "long", "text": "word " * 400}),
        json.dumps({"id": "y", "text": CLEAN}),
    ]
    with gzip.open(src, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    source = open_source(str(src), max_bytes=1000)
    stats = scan(source, Output(str(out), "jsonl", source.fingerprint()), Config(min_confidence=0.2), ScanOptions(workers=1, ordered=True))
    recs = records_of(out)
    assert [r["id"] for r in recs] == ["x", None, "y"] and [r["line"] for r in recs] == [1, 2, 3]
    assert recs[0]["input_line"] == "carried" and recs[0]["input_spin_score"] == "theirs", "input fields with reserved names are kept aside"
    assert "longer than 1,000 bytes" in recs[1]["error"]
    assert stats.documents == 3 and stats.errors == 1


def test_parquet_output_equals_jsonl(runner, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t, "source": "wire"}) + "\n" for i, t in enumerate(TEXTS)) + "{broken\n", encoding="utf-8")
    as_json, as_parquet = tmp_path / "out.jsonl", tmp_path / "out.parquet"
    for dst in (as_json, as_parquet):
        result = runner.invoke(app, ["scan", *LOW, "--workers", "1", str(src), "-o", str(dst)])
        assert result.exit_code == 0, result.output
    assert not list(tmp_path.glob("out.parquet.*")), "no partial or state files are left"
    json_recs, pq_recs = records_of(as_json), read_records(as_parquet)
    for r in json_recs:  # Parquet stores ids as text
        r["id"] = None if r["id"] is None else str(r["id"])
    assert by_key(pq_recs) == by_key(json_recs)
    result = runner.invoke(app, ["scan", str(src), "--format", "parquet"])
    assert result.exit_code == 2 and "Parquet output needs a file" in result.stderr


def test_min_score_filters_output(runner, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(TEXTS)) + "{broken\n", encoding="utf-8")
    full, kept = tmp_path / "full.jsonl", tmp_path / "kept.jsonl"
    assert runner.invoke(app, ["scan", *LOW, "--workers", "1", str(src), "-o", str(full)]).exit_code == 0
    result = runner.invoke(app, ["scan", *LOW, "--workers", "1", "--min-score", "0.5", str(src), "-o", str(kept)])
    assert result.exit_code == 0, result.output
    expected = [r for r in records_of(full) if "error" in r or r["spin_score"] >= 0.5]
    assert 1 < len(expected) < len(TEXTS) + 1, "the texts straddle the threshold"
    assert records_of(kept) == expected
    assert "below --min-score left out" in " ".join(result.stderr.split())
    assert not (tmp_path / "kept.jsonl.resume.skipped").exists()


def test_two_workers_match_one_and_ordered_keeps_order(runner, tmp_path):
    src = tmp_path / "in.jsonl"
    docs = [{"id": f"d{i}", "text": TEXTS[i % len(TEXTS)]} for i in range(20)]
    src.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert runner.invoke(app, ["scan", *LOW, "--workers", "1", str(src), "-o", str(one)]).exit_code == 0
    result = runner.invoke(app, ["scan", *LOW, "--workers", "2", "--ordered", str(src), "-o", str(two)])
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in records_of(two)] == [d["id"] for d in docs]
    assert records_of(two) == records_of(one)
    assert "on 2 worker(s)" in " ".join(result.stderr.split())


def test_progress_shows_rates_on_a_terminal_and_is_quiet_otherwise(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(TEXTS)), encoding="utf-8")
    for tty in (True, False):
        buf = io.StringIO()
        console = Console(file=buf, force_terminal=tty, width=150)
        source = open_source(str(src), 10**6)
        stats = scan(source, Output(str(tmp_path / f"out{tty}.jsonl"), "jsonl", source.fingerprint()), Config(), ScanOptions(workers=1), console)
        shown = buf.getvalue()
        assert ("docs/s" in shown and "words/s" in shown and "100%" in shown) == tty, shown
        assert stats.documents == len(TEXTS)


def test_check_many(kn):
    texts = [SPUN, b"\xff\xfe not utf-8", CLEAN] * 4
    reports = list(unspin.check_many(texts, workers=2, errors="return", batch_size=2, min_confidence=0.2))
    assert len(reports) == len(texts)
    for text, got in zip(texts, reports):
        if isinstance(text, bytes):
            assert isinstance(got, unspin.InputError) and "UTF-8" in str(got)
        else:
            assert got.to_dict() == unspin.check(text, min_confidence=0.2).to_dict()
    with pytest.raises(unspin.InputError):
        list(unspin.check_many(texts, workers=1))
    assert [r.n_words for r in unspin.check_many(iter([CLEAN, SPUN]))] == [len(CLEAN.split()), len(SPUN.split())]


def test_truncated_warc_reports_what_was_lost(tmp_path):
    whole = make_warc(tmp_path / "whole.warc.gz", make_pdf(tmp_path / "p.pdf", ["During the Chilly Battle."]).read_bytes())
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    docs = list(open_source(str(whole), 10**6))
    assert len(docs) == 4 and all(d.error is None for d in docs)
    kept = list(open_source(str(cut), 10**6))
    assert [d.doc_id for d in kept[:-1]] == [d.doc_id for d in docs[: len(kept) - 1]] and 0 < len(kept) - 1 < 4
    assert "truncated or damaged WARC" in kept[-1].error and kept[-1].locator["offset"] > 0
