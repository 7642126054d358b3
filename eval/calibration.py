#!/usr/bin/env python3
"""Is a finding's ``confidence`` what it says, and does ``spin_score`` separate spun documents from clean ones?

Findings (reliability): the PPS **dev** pairs in the shared scorer's templates (a finding is right
when it overlaps the tortured phrase; every finding in a control document is wrong) and clean
**dev** documents spun by :mod:`unspin.synth` at ``--rate`` (right when it overlaps a synthetic
edit). Findings are binned by confidence; each bin prints its share of right findings, and the
plot (``--plot``, PNG) draws them against the diagonal.

Documents: the same clean dev documents, spun and unspun: AUROC of ``spin_score``, and the share of
clean documents with ``spin_score`` >= 0.5.

Usage: python eval/calibration.py [--pairs 300] [--docs 40] [--rate 0.1] [--plot reliability.png] [--json]
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "eval"))

import unspin  # noqa: E402
from fit_word_weights import clean_docs  # noqa: E402
from unspin.synth import spin  # noqa: E402

BINS = np.array([0.5, 0.6, 0.7, 0.8, 0.9, 1.0001])


def auroc(pos: list[float], neg: list[float]) -> float:
    """Probability that a random spun document scores above a random clean one (ties count half)."""
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (p.size * n.size))


def overlaps(f, spans) -> bool:
    return any(f.start < e and f.end > s for s, e in spans)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=300, help="first N PPS dev pairs")
    ap.add_argument("--docs", type=int, default=40, help="clean dev documents")
    ap.add_argument("--rate", type=float, default=0.1)
    ap.add_argument("--plot", default="", help="write the reliability plot to this PNG")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if not (SHARED / "data").exists():
        print(f"skipped: {SHARED / 'data'} not found")
        return 0
    t0 = time.perf_counter()
    conf, right, source = [], [], []
    sys.path.insert(0, str(SHARED / "eval"))
    import pps_eval

    with open(SHARED / "data" / "pps" / "pairs.tsv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["split"] == "dev"][: a.pairs]
    docs, meta = pps_eval.build_docs([(r["tortured"], r["original"]) for r in rows])
    for d in docs:
        kind, s, e, *_ = meta[d["id"]]
        for f in unspin.check(d["text"], min_confidence=0.5).findings:
            conf.append(f.confidence)
            right.append(kind == "spun" and overlaps(f, [(s, e)]))
            source.append("pps")
    spun_scores, clean_scores = [], []
    for n, text in enumerate(clean_docs("dev", a.docs)):
        spun = spin(text, rate=a.rate, seed=n)
        edits = [(x.start, x.end) for x in spun.edits]
        report = unspin.check(spun.text)
        spun_scores.append(report.spin_score)
        for f in report.findings:
            conf.append(f.confidence)
            right.append(overlaps(f, edits))
            source.append("synth")
        clean_scores.append(unspin.check(text).spin_score)
    conf_a, right_a = np.array(conf), np.array(right, dtype=float)
    table = []
    for lo, hi in zip(BINS, BINS[1:]):
        sel = (conf_a >= lo) & (conf_a < hi)
        table.append({"from": round(float(lo), 2), "to": round(min(float(hi), 1.0), 2), "findings": int(sel.sum()),
                      "right": round(float(right_a[sel].mean()), 3) if sel.any() else None,
                      "mean_confidence": round(float(conf_a[sel].mean()), 3) if sel.any() else None})
    hi_sel = conf_a >= 0.9
    result = {
        "findings": len(conf),
        "precision_at_0.9": round(float(right_a[hi_sel].mean()), 3) if hi_sel.any() else None,
        "findings_at_0.9": int(hi_sel.sum()),
        "auroc_docs": round(auroc(spun_scores, clean_scores), 4),
        "clean_docs_score_ge_0.5": round(float(np.mean(np.array(clean_scores) >= 0.5)), 4),
        "spun_docs_score_ge_0.5": round(float(np.mean(np.array(spun_scores) >= 0.5)), 4),
        "bins": table,
        "seconds": round(time.perf_counter() - t0),
    }
    if a.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(4.5, 4.5))
        xs = [b["mean_confidence"] for b in table if b["findings"]]
        ys = [b["right"] for b in table if b["findings"]]
        ax.plot([0.5, 1], [0.5, 1], "--", color="grey", label="perfect calibration")
        ax.plot(xs, ys, "o-", label=f"unspin ({len(conf)} findings)")
        ax.set_xlabel("finding confidence (bin mean)")
        ax.set_ylabel("share of findings that are real spins")
        ax.set_xlim(0.45, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_title(f"Reliability; documents AUROC {result['auroc_docs']:.3f}")
        ax.legend(loc="lower right")
        fig.tight_layout()
        fig.savefig(a.plot, dpi=120)
        result["plot"] = a.plot
    if a.json:
        print(json.dumps(result))
        return 0
    print(f"{len(conf)} findings ({source.count('pps')} on PPS dev templates, {source.count('synth')} on synthetic spins at {a.rate:.0%})")
    for b in table:
        print(f"  confidence {b['from']:.1f}-{b['to']:.1f}: {b['findings']:5d} findings, {b['right'] if b['right'] is not None else float('nan'):.3f} right")
    print(f"confidence >= 0.9: {result['findings_at_0.9']} findings, {result['precision_at_0.9']} right (target >= 0.90)")
    print(f"documents: AUROC {result['auroc_docs']} spun ({a.rate:.0%}) vs clean, {len(clean_scores)} each; "
          f"clean with spin_score >= 0.5: {result['clean_docs_score_ge_0.5']:.1%} (target <= 1 %); spun: {result['spun_docs_score_ge_0.5']:.1%}")
    if a.plot:
        print(f"wrote {a.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
