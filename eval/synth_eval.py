#!/usr/bin/env python3
"""Measure detection and restoration on clean documents spun by :mod:`unspin.synth`.

Reads ../shared/data/clean/*.jsonl ({"id", "text", "source", "split"}), spins each document at
each rate (seed = its index) and checks the spun text with :func:`unspin.check`. Per rate:

  recall        fraction of synthetic edits overlapped by a finding
  restore_top1  fraction of edits whose window, rewritten with the overlapping findings' first
                suggestions, reads as the clean text (the comparison of ../shared/eval/pps_eval.py)
  precision     fraction of findings that overlap an edit
  clean_flags_per_100w  findings per 100 words on the same documents unspun
  docs_per_s    spun documents checked per second

Usage: python eval/synth_eval.py [--split dev] [--rates 0.1,0.3] [--limit 40] [--json]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from itertools import zip_longest
from pathlib import Path

import unspin
from unspin.doc import Finding
from unspin.synth import SpinEdit, spin

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
CLEAN = SHARED / "data" / "clean"


def norm(s: str) -> str:
    """Lower-case with runs of whitespace made one space, as pps_eval compares."""
    return re.sub(r"\s+", " ", s.strip().lower())


def load(split: str, limit: int) -> list[dict]:
    """The clean documents of ``split`` ("all" for both), taken in turn from each file, at most ``limit`` (0: all).

    Taking them in turn keeps a small ``limit`` mixed across genres (news, science).
    """
    per_file = []
    for path in sorted(CLEAN.glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        per_file.append([d for d in rows if split == "all" or d["split"] == split])
    docs = [d for group in zip_longest(*per_file) for d in group if d is not None]
    return docs[:limit] if limit else docs


def restored_window(text: str, findings: list[Finding], start: int, end: int) -> tuple[str | None, int, int]:
    """``text[start:end]`` widened to the findings overlapping it, each replaced by its first suggestion."""
    hits = sorted((f for f in findings if f.start < end and f.end > start), key=lambda f: f.start)
    if not hits:
        return None, start, end
    ws, we = min(start, hits[0].start), max([end] + [f.end for f in hits])
    out, pos = [], ws
    for f in hits:
        if f.start < pos:
            continue
        out.append(text[pos : f.start])
        out.append(f.suggestions[0].text if f.suggestions else f.text)
        pos = f.end
    out.append(text[pos:we])
    return "".join(out), ws, we


def clean_window(text: str, edits: list[SpinEdit], ws: int, we: int) -> str:
    """``text[ws:we]`` of the spun text with every edit inside it put back to its original wording."""
    out, pos = [], ws
    for e in edits:
        if e.start >= ws and e.end <= we:
            out.append(text[pos : e.start])
            out.append(e.original)
            pos = e.end
    out.append(text[pos:we])
    return "".join(out)


def score_doc(text: str, edits: list[SpinEdit], findings: list[Finding]) -> dict[str, int]:
    """Counts for one spun document: edits, edits found, edits restored, findings, findings on an edit."""
    found = restored = 0
    for e in edits:
        got, ws, we = restored_window(text, findings, e.start, e.end)
        if got is None:
            continue
        found += 1
        restored += norm(got) == norm(clean_window(text, edits, ws, we))
    on_edit = sum(any(f.start < e.end and f.end > e.start for e in edits) for f in findings)
    return {"edits": len(edits), "found": found, "restored": restored, "findings": len(findings), "on_edit": on_edit}


def clean_flag_rate(docs: list[dict]) -> float:
    """Findings per 100 words on the unspun documents."""
    flags = words = 0
    for d in docs:
        report = unspin.check(d["text"])
        flags += len(report.findings)
        words += report.n_words
    return 100 * flags / max(words, 1)


def evaluate(docs: list[dict], rate: float) -> dict[str, float]:
    """Spin every document at ``rate`` and measure the checker on the results."""
    totals = dict.fromkeys(("edits", "found", "restored", "findings", "on_edit"), 0)
    secs = 0.0
    for index, d in enumerate(docs):
        spun = spin(d["text"], rate=rate, seed=index)
        t0 = time.perf_counter()
        report = unspin.check(spun.text)
        secs += time.perf_counter() - t0
        for key, value in score_doc(spun.text, spun.edits, report.findings).items():
            totals[key] += value
    n = max(totals["edits"], 1)
    return {
        "rate": rate,
        "docs": len(docs),
        "edits": totals["edits"],
        "recall": round(totals["found"] / n, 4),
        "restore_top1": round(totals["restored"] / n, 4),
        "precision": round(totals["on_edit"] / max(totals["findings"], 1), 4),
        "docs_per_s": round(len(docs) / max(secs, 1e-9), 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    ap.add_argument("--rates", default="0.1,0.3", help="comma-separated spin rates")
    ap.add_argument("--limit", type=int, default=40, help="use the first N documents of the split (0: all)")
    ap.add_argument("--json", action="store_true", help="print one JSON object per rate")
    a = ap.parse_args(argv)

    if not CLEAN.is_dir():
        print(f"skipped: clean corpus {CLEAN.resolve()} not found")
        return 0
    docs = load(a.split, a.limit)
    if not docs:
        print(f"skipped: no {a.split} documents found in {CLEAN.resolve()}")
        return 0
    rates = [float(r) for r in a.rates.split(",") if r.strip()]
    unspin.check("Warm up the knowledge before timing anything.")
    flags = round(clean_flag_rate(docs), 3)
    for rate in rates:
        figures = {"split": a.split, **evaluate(docs, rate), "clean_flags_per_100w": flags}
        print(json.dumps(figures) if a.json else " ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
