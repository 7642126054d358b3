#!/usr/bin/env python3
"""Fit the candidate-scoring weights (``src/unspin/data/weights.json``) by logistic regression.

Positives: candidates that restore a real tortured phrase of the PPS **dev** split, embedded in
the same neutral templates the PPS scorer uses. Negatives: every other candidate in those
documents, in the control documents (holding the original phrase) and in the clean **dev**
documents. Only weights are learned — no pair enters the knowledge. Test splits are never read.

Usage: python eval/fit_weights.py [--limit N] [--l2 1.0] [--dry-run]
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(SHARED / "eval"))

from unspin import knowledge as knowledge_mod  # noqa: E402
from unspin.config import Config  # noqa: E402
from unspin.doc import Doc  # noqa: E402
from unspin.stages.candidates import find_candidates  # noqa: E402
from unspin.stages.compounds import find_compound_candidates  # noqa: E402
from unspin.stages.findings import render  # noqa: E402
from unspin.stages.scoring import FEATURES, features  # noqa: E402
from unspin.stages.tokenize import tokenize  # noqa: E402


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower())


def examples(limit: int) -> tuple[np.ndarray, np.ndarray, list]:
    """Feature matrix, labels (0 wrong, 1 right span but wrong original, 2 exact) and each candidate's doc."""
    import pps_eval  # the shared scorer's own document builder, so templates match

    kn, cfg = knowledge_mod.get(), Config()
    with open(SHARED / "data" / "pps" / "pairs.tsv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["split"] == "dev"]
    if limit:
        rows = rows[:limit]
    docs, meta = pps_eval.build_docs([(r["tortured"], r["original"]) for r in rows])
    items = [(d["text"], meta[d["id"]]) for d in docs]
    for path in sorted((SHARED / "data" / "clean").glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            d = json.loads(line)
            if d["split"] == "dev":
                items.append((d["text"], None))
    X, y, desc = [], [], []
    for doc_no, (text, m) in enumerate(items):
        doc = find_compound_candidates(find_candidates(tokenize(Doc(text)), kn, cfg), kn, cfg)
        for cand in doc.candidates:
            f = features(doc, cand, kn)
            label = 0
            if m is not None and m[0] == "spun":
                _, s, e, _tortured, original, _ = m
                cs, ce = doc.tokens[cand.first].start, doc.tokens[cand.last].end
                if cs < e and ce > s:
                    ws, we = min(s, cs), max(e, ce)
                    got = text[ws:cs] + render(doc, cand) + text[ce:we]
                    label = 2 if norm(got) == norm(text[ws:s] + original + text[e:we]) else 1
            X.append([f.get(n, 0.0) for n in FEATURES])
            y.append(label)
            cand.features["label"] = label
            desc.append((doc_no, doc, cand))
    return np.array(X, dtype=float), np.array(y, dtype=float), desc


WEIGHTS = ROOT / "src" / "unspin" / "data" / "weights.json"


def save_weights(models: dict, provenance: dict, *, phrase: bool = False) -> Path:
    """Write fitted ``models`` into :data:`WEIGHTS` with ``provenance`` keys beside them; every model a fit
    does not produce is kept. ``phrase``: the phrase model's flat weights (``bias`` and one per feature) are
    replaced whole, and only the other models (nested objects) are kept."""
    data = json.loads(WEIGHTS.read_text(encoding="utf-8")) if WEIGHTS.exists() else {"weights": {}}
    if phrase:
        data["weights"] = {**models, **{k: v for k, v in data["weights"].items() if isinstance(v, dict) and k not in models}}
    else:
        data["weights"].update(models)
    data.update(provenance)
    WEIGHTS.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return WEIGHTS


def fit(X: np.ndarray, y: np.ndarray, l2: float, positive_weight: float = 1.0, iters: int = 50) -> np.ndarray:
    """L2-regularised, class-weighted logistic regression by Newton's method; returns [bias, w...]."""
    A = np.hstack([np.ones((len(X), 1)), X])
    sw = np.where(y > 0, positive_weight, 1.0)
    w = np.zeros(A.shape[1])
    reg = np.full(A.shape[1], l2)
    reg[0] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(A @ w, -30, 30)))
        g = A.T @ (sw * (p - y)) + reg * w
        H = (A * (sw * p * (1 - p))[:, None]).T @ A + np.diag(reg) + 1e-9 * np.eye(A.shape[1])
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def fit_rerank(p: np.ndarray, desc: list, a: argparse.Namespace) -> dict[str, float] | None:
    """Second stage: read the suspicious spans with the neural model, fit [bias, cheap logit, neural, surprise]."""
    from unspin.knowledge import neural
    from unspin.stages.rerank import _logit, add_neural

    if not neural.available():
        print("neural model not installed: no rerank weights")
        return None
    cfg = Config(rerank_floor=a.rerank_floor)
    docs = {}
    for (doc_no, doc, cand), score in zip(desc, p):
        cand.score = float(score)
        docs[doc_no] = doc
    t0 = time.perf_counter()
    rows, labels = [], []
    for k, doc in enumerate(docs.values()):
        if k % 500 == 0:
            print(f"  rerank: {k}/{len(docs)} documents, {len(rows)} candidates read, {time.perf_counter() - t0:.0f} s", flush=True)
        for top, _rest in add_neural(doc, cfg):
            for cand in top:
                rows.append([_logit(cand.score), max(-15.0, min(15.0, cand.features["neural"])), cand.features["surprise"]])
                labels.append(float(cand.features["label"] == 2))
    X2, y2 = np.array(rows), np.array(labels)
    w = fit(X2, y2, a.l2, a.positive_weight)
    p2 = 1 / (1 + np.exp(-(w[0] + X2 @ w[1:])))
    print(f"rerank: {len(y2)} candidates read, {int(y2.sum())} positive, {time.perf_counter() - t0:.0f} s")
    for thr in (0.5, 0.7, 0.9):
        sel = p2 >= thr
        print(f"  p>={thr}: {int(sel.sum())} kept, precision {y2[sel].mean() if sel.any() else float('nan'):.3f}, positives kept {int(y2[sel].sum())}")
    return {"bias": round(float(w[0]), 4), "cheap": round(float(w[1]), 4), "neural": round(float(w[2]), 4), "surprise": round(float(w[3]), 4)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N dev pairs")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--positive-weight", type=float, default=1.0, help="weight of a positive example (they are rare)")
    ap.add_argument("--rerank-floor", type=float, default=Config().rerank_floor,
                    help="cheap score from which the neural model reads a span (fit at the default the pipeline uses)")
    ap.add_argument("--dry-run", action="store_true", help="print the weights, do not write them")
    a = ap.parse_args()
    if not (SHARED / "data" / "pps" / "pairs.tsv").exists():
        print(f"skipped: {SHARED / 'data'} not found")
        return 0
    t0 = time.perf_counter()
    X, labels, desc = examples(a.limit)
    y = (labels == 2).astype(float)  # 2: restores the tortured phrase exactly; 1: right span, wrong original
    w = fit(X, y, a.l2, a.positive_weight)
    p = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))
    print(f"{len(y)} candidates, {int(y.sum())} positive, {time.perf_counter() - t0:.0f} s")
    for thr in (0.3, 0.5, 0.7, 0.9):
        sel = p >= thr
        prec = y[sel].mean() if sel.any() else float("nan")
        print(f"  p>={thr}: {int(sel.sum())} kept, precision {prec:.3f}, positives kept {int(y[sel].sum())}/{int(y.sum())}")
    weights = {"bias": round(float(w[0]), 4), **{n: round(float(v), 4) for n, v in zip(FEATURES, w[1:])}}
    print(json.dumps(weights, indent=1))
    rerank_w = fit_rerank(p, desc, a)
    if rerank_w:
        weights["rerank"] = rerank_w
    if not a.dry_run:
        out = save_weights(weights, {  # the one-word and document models (their own fits) are kept as they are
            "fitted_by": f"eval/fit_weights.py --l2 {a.l2} --positive-weight {a.positive_weight} --rerank-floor {a.rerank_floor}"
            " (logistic regression on PPS dev templates + clean dev text)",
            "candidates": len(y), "positives": int(y.sum())}, phrase=True)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
