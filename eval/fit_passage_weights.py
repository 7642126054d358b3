#!/usr/bin/env python3
"""Fit how much a passage's reading weighs on phrase candidates (``phrase_passage`` in ``src/unspin/data/weights.json``;
see :mod:`unspin.stages.passage`).

Data: clean **dev** documents of ../shared/data/clean from ``--skip`` on, each once as it is and once spun by
:mod:`unspin.synth` at a rate taken in turn from ``--rates``. Every document goes through the whole pipeline
with the passage weight switched off; every span a candidate other than a one-word reading covers, scoring
at least ``--floor``, is a row: its best score, the log likelihood ratio of its passage (spun against clean,
:func:`unspin.stages.words.passage_log_ratio` of the nearest read word's counts), and its label (1 where it overlaps a word the spinner
replaced; every span of a clean document is 0). Odd pairs (kind ``pair``) are rows too.

The model keeps each span's own log odds as a fixed offset (where the passage says nothing, as in a
one-sentence text, a score stays what it was) and fits two shares of the ratio, with L2 ``--l2`` and no
intercept: ``clean`` for passages reading clean (ratio below 1) and ``spun`` for those reading spun. The rows
go to ``--cache`` (a pickle), so a refit reads them back. Only weights are learned; no pair enters the knowledge.

Usage: python eval/fit_passage_weights.py [--skip 0] [--docs 48] [--rates 0.1,0.2,0.3,0.45] [--workers 2]
       [--cache /tmp/passage_fit.pkl] [--dry-run]
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "eval"))

from fit_weights import save_weights  # noqa: E402
from fit_doc_weights import cached, pool_map, synthetic_fit_parser  # noqa: E402
from fit_word_weights import clean_docs, fit_with_offset  # noqa: E402
from unspin.api import analyse  # noqa: E402
from unspin.config import Config  # noqa: E402
from unspin.stages.passage import passage_counts, passage_shift  # noqa: E402
from unspin.stages.scoring import shift_log_odds, weights  # noqa: E402
from unspin.stages.words import passage_log_ratio  # noqa: E402
from unspin.synth import spin  # noqa: E402

#: A row: (document number, rate, span kind, best score, passage log ratio, label, words in the document).
Row = tuple[int, float, str, float, float, float, int]


def rows_of(job: tuple[int, float, str, float]) -> list[Row]:
    """The rows of one fit document (``rate`` 0: left clean), checked with the passage weight off."""
    n, rate, text, floor = job
    weights().pop("phrase_passage", None)  # this process's cached weights: the scores as they were before the stage
    edits: list[tuple[int, int]] = []
    if rate:
        spun = spin(text, rate=rate, seed=n)
        text, edits = spun.text, [(e.start, e.end) for e in spun.edits]
    doc, _ = analyse(text, Config(min_confidence=floor))
    w = weights()["passage"]
    read = sorted(doc.passage)
    best: dict[tuple[int, int], tuple[str, float]] = {}
    for cand in doc.candidates:
        if cand.kind != "word" and cand.score >= floor:
            span = (cand.first, cand.last)
            if span not in best or cand.score > best[span][1]:
                best[span] = (cand.kind, cand.score)
    spans = [(first, last, kind, score) for (first, last), (kind, score) in best.items()]
    for f in doc.findings:
        if f.kind == "pair":
            first = next(i for i, t in enumerate(doc.tokens) if t.start == f.start)
            last = next(i for i, t in enumerate(doc.tokens) if t.end == f.end)
            spans.append((first, last, "pair", f.confidence))
    out = []
    for first, last, kind, score in spans:
        counts = passage_counts(doc, first, last, read)
        if counts is None:
            continue
        hits, n = counts
        ratio = passage_log_ratio(hits, n - hits, w)
        start, end = doc.tokens[first].start, doc.tokens[last].end
        label = float(any(s < end and e > start for s, e in edits))
        out.append((n, rate, kind, min(max(score, 1e-4), 1 - 1e-4), ratio, label, doc.n_words))
    return out


def jobs(a: argparse.Namespace) -> list[tuple[int, float, str, float]]:
    """``(n, rate, text, floor)`` for every fit document: each clean, and spun at the next rate in turn."""
    rates = [float(r) for r in a.rates.split(",")]
    texts = clean_docs("dev", a.skip + a.docs)[a.skip :]
    out = [(a.skip + k, 0.0, t, a.floor) for k, t in enumerate(texts)]
    out += [(a.skip + k, rates[k % len(rates)], t, a.floor) for k, t in enumerate(texts)]
    return out


def report(rows: list[Row], w: dict[str, float] | None, threshold: float) -> str:
    """Spans at ``threshold`` or above, with the shares ``w`` (``None``: without the stage)."""
    kept = [r for r in rows if shift_log_odds(r[3], passage_shift(r[4], w) if w else 0.0) >= threshold]
    clean = [r for r in kept if r[1] == 0]
    spun_right = [r for r in kept if r[1] > 0 and r[5]]
    spun_wrong = [r for r in kept if r[1] > 0 and not r[5]]
    return f"{len(clean)} in clean documents, {len(spun_right)} on swaps and {len(spun_wrong)} elsewhere in spun ones"


def main() -> int:
    ap = synthetic_fit_parser(__doc__, skip=0, docs=48, rates="0.1,0.2,0.3,0.45", cached_what="rows")
    ap.add_argument("--floor", type=float, default=0.05, help="spans scoring below this are no rows")
    a = ap.parse_args()
    if not (SHARED / "data" / "clean").exists():
        print(f"skipped: {SHARED / 'data' / 'clean'} not found")
        return 0
    rows = cached(a.cache, lambda: [r for rs in pool_map(rows_of, jobs(a), a.workers) for r in rs], "rows")
    offset = np.array([math.log(r[3] / (1 - r[3])) for r in rows])
    X = np.array([[min(r[4], 0.0), max(r[4], 0.0)] for r in rows])
    y = np.array([r[5] for r in rows])
    shares = fit_with_offset(X, y, offset, a.l2)
    w = {"clean": round(float(shares[0]), 4), "spun": round(float(shares[1]), 4)}
    print(f"phrase_passage: {len(y)} spans, {int(y.sum())} on swaps: {w}")
    for part, keep in (("clean documents", lambda r: r[1] == 0), ("spun documents", lambda r: r[1] > 0)):
        ratios = sorted(r[4] for r in rows if keep(r))
        if ratios:
            print(f"  passage log ratio in {part}: median {ratios[len(ratios) // 2]:+.1f}, "
                  f"quartiles {ratios[len(ratios) // 4]:+.1f} / {ratios[3 * len(ratios) // 4]:+.1f}")
    for threshold in (0.55, 0.9):
        print(f"  at {threshold}: before {report(rows, None, threshold)}")
        print(f"  at {threshold}: after  {report(rows, w, threshold)}")
    if not a.dry_run:
        path = save_weights({"phrase_passage": w}, {"phrase_passage_fitted_by": f"eval/fit_passage_weights.py --skip {a.skip} "
                                                    f"--docs {a.docs} --rates {a.rates} --floor {a.floor} --l2 {a.l2}"})
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
