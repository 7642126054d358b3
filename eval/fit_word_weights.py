#!/usr/bin/env python3
"""Fit the one-word spin model (``passage``, ``word`` and ``word_rerank`` in ``src/unspin/data/weights.json``).

Data: clean **dev** documents of ../shared/data/clean, in turn left clean or spun by :mod:`unspin.synth`
(the project's own spinner) at the ``--rates`` given. Three small logistic models are fitted
(see :mod:`unspin.stages.words`):

1. ``passage``: is the passage around a candidate spun? Features ``hits``/``misses`` (words in its
   window that read worse than a synonym, and those that do not, damped where there are few). Positives are candidates in
   documents spun at ``--passage-min`` or more, negatives those in clean documents. There is no
   free intercept: the fit's own share of positives stands for the prior, so that at run time
   :attr:`unspin.Config.spun_prior` takes its place and a text with no evidence keeps the prior.
2. ``word``: given a spun document, is this word one the spinner replaced? Candidates in spun
   documents only; features :data:`unspin.stages.words.WORD_FEATURES`; a candidate is positive
   when it sits on a replaced word (``--label detect``) or also restores what was there (``exact``).
3. ``word_rerank``: the neural model reads the best candidates with their right-hand context (as
   the rerank stage does); ``[bias, logit of the word model, neural]`` on the same candidates.
4. ``word_order``: the same features, fitted on the candidates that sit on replaced words only, with
   "restores the word that was there" as the label: it orders a finding's suggestions.

Only weights are learned; no pair enters the knowledge.

Usage: python eval/fit_word_weights.py [--docs 90] [--rates 0,0,0,0.15,0.3,0.45] [--passage-min 0.3] [--label detect] [--names] [--dry-run]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "eval"))

from fit_weights import fit, save_weights  # noqa: E402
from unspin import knowledge as knowledge_mod  # noqa: E402
from unspin.config import Config  # noqa: E402
from unspin.doc import Doc  # noqa: E402
from unspin.knowledge import neural  # noqa: E402
from unspin.stages.findings import render  # noqa: E402
from unspin.stages.rerank import _logit, _rescore, add_neural  # noqa: E402
from unspin.stages.tokenize import tokenize  # noqa: E402
from unspin.stages.words import WORD_FEATURES, passage_evidence, passage_probability, within_probability, word_features  # noqa: E402
from unspin.synth import spin  # noqa: E402


def clean_docs(split: str, limit: int) -> list[str]:
    """Texts of the clean ``split``, news and science interleaved."""
    per = {}
    for path in sorted((SHARED / "data" / "clean").glob("*.jsonl")):
        per[path.stem] = [json.loads(l)["text"] for l in path.open(encoding="utf-8") if json.loads(l)["split"] == split]
    out = []
    for group in zip(*per.values()):
        out.extend(group)
    return out[:limit]


def fit_with_offset(X: np.ndarray, y: np.ndarray, offset: float, l2: float, iters: int = 60) -> np.ndarray:
    """L2-regularised logistic regression with a fixed intercept ``offset`` (Newton's method)."""
    w = np.zeros(X.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(offset + X @ w, -30, 30)))
        g = X.T @ (p - y) + l2 * w
        H = (X * (p * (1 - p))[:, None]).T @ X + l2 * np.eye(X.shape[1])
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def spun_documents(a: argparse.Namespace, kn, cfg: Config) -> list[tuple[float, Doc]]:
    """``(rate, doc)`` for each fit document, its one-word candidates featured and labelled."""
    rates = [float(r) for r in a.rates.split(",")]
    out = []
    for n, text in enumerate(clean_docs("dev", a.docs)):
        rate = rates[n % len(rates)]
        if not rate:
            doc = tokenize(Doc(text))
            gold, wide = {}, []
        else:
            spun = spin(text, rate=rate, seed=n, knowledge=kn, names=a.names)
            gold = {(e.start, e.end): e.original.lower() for e in spun.edits if " " not in e.spun and " " not in e.original}
            wide = [(e.start, e.end) for e in spun.edits if (e.start, e.end) not in gold]
            doc = tokenize(Doc(spun.text))
        kept = []
        for c in word_features(doc, kn, cfg):
            if c.features["sibling"]:
                continue  # offered only because another occurrence kept it (see unspin.stages.agreement)
            tok = doc.tokens[c.first]
            exact = 0.0
            if (tok.start, tok.end) in gold:
                exact = float(gold[(tok.start, tok.end)] == render(doc, c).lower())
                label = 1.0 if a.label == "detect" else exact
            elif any(s <= tok.start < e for s, e in wide):
                continue  # a word of a phrase the spinner replaced whole: neither clearly right nor wrong
            else:
                label = 0.0
            c.features["label"] = label
            c.features["exact"] = exact
            kept.append(c)
        doc.candidates = kept
        out.append((rate, doc))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=90)
    ap.add_argument("--rates", default="0,0,0,0.15,0.3,0.45",
                    help="substitution rates the documents are spun at, in turn (0: left clean); the real spun passages in "
                         "../shared/data/wild hold 13-27 gold spans per 100 words, so the spun half reaches 0.45")
    ap.add_argument("--passage-min", type=float, default=0.3,
                    help="documents spun at this rate or more are the passage model's positives")
    ap.add_argument("--names", action=argparse.BooleanOptionalAction, default=True,
                    help="the spinner swaps capitalised words inside sentences too (*White Home*), as real ones do")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--label", choices=["exact", "detect"], default="detect",
                    help="positives: candidates restoring the replaced word (exact) or any candidate on it (detect)")
    ap.add_argument("--dry-run", action="store_true")
    a = ap.parse_args()
    if not (SHARED / "data" / "clean").exists():
        print(f"skipped: {SHARED / 'data' / 'clean'} not found")
        return 0
    if not neural.available():
        print("the neural model is not installed: nothing to fit")
        return 1
    kn, cfg = knowledge_mod.get(), Config()
    t0 = time.perf_counter()
    docs = spun_documents(a, kn, cfg)
    n_cands = sum(len(d.candidates) for _, d in docs)
    print(f"{len(docs)} documents, {n_cands} candidates ({time.perf_counter() - t0:.0f} s)")

    # 1. passage model: clean documents against heavily spun ones, the fit's share as the prior
    Xp = np.array([passage_evidence(c.features["hits"], c.features["misses"]) for r, d in docs if r == 0 or r >= a.passage_min for c in d.candidates])
    yp = np.array([float(r > 0) for r, d in docs if r == 0 or r >= a.passage_min for c in d.candidates])
    fit_prior = float(yp.mean())
    wp = fit_with_offset(Xp, yp, math.log(fit_prior / (1 - fit_prior)), a.l2)
    passage = {"hits": round(float(wp[0]), 4), "misses": round(float(wp[1]), 4)}
    print(f"passage: {len(yp)} candidates, {fit_prior:.2f} in spun documents: {passage}")

    # 2. word model, given a spun document
    spun = [(r, d) for r, d in docs if r > 0]
    X = np.array([[c.features[f] for f in WORD_FEATURES] for _, d in spun for c in d.candidates])
    y = np.array([c.features["label"] for _, d in spun for c in d.candidates])
    w = fit(X, y, a.l2)
    word = {"bias": round(float(w[0]), 4), **{n: round(float(v), 4) for n, v in zip(WORD_FEATURES, w[1:])}}
    print(f"word: {len(y)} candidates in spun documents, {int(y.sum())} on replaced words: {word}")

    # 3. the neural model reads the best candidates with their right-hand context
    for _, d in spun:
        for c in d.candidates:
            c.features["within"] = within_probability(c.features, word)
            c.features["passage"] = passage_probability(c.features["hits"], c.features["misses"], fit_prior, passage)
            c.score = c.features["within"] * c.features["passage"]
    rows, labels, exact = [], [], []
    for _, d in spun:
        for top, _rest in add_neural(d, cfg):
            for c in top:
                rows.append([_logit(c.features["within"]), max(-15.0, min(15.0, c.features["neural"]))])
                labels.append(c.features["label"])
                exact.append(c.features["exact"])
    X2, y2, e2 = np.array(rows), np.array(labels), np.array(exact)
    w2 = fit(X2, y2, a.l2)
    word_rerank = {"bias": round(float(w2[0]), 4), "cheap": round(float(w2[1]), 4), "neural": round(float(w2[2]), 4)}
    print(f"word_rerank: {len(y2)} candidates read, {int(y2.sum())} positive: {word_rerank} ({time.perf_counter() - t0:.0f} s)")
    on = y2 > 0  # candidates on replaced words: which of them restores the word?
    w3 = fit(X2[on], e2[on], a.l2)
    word_order = {"bias": round(float(w3[0]), 4), "cheap": round(float(w3[1]), 4), "neural": round(float(w3[2]), 4)}
    print(f"word_order: {int(on.sum())} candidates on replaced words, {int(e2[on].sum())} restore it: {word_order}")

    # what the three give together at the default prior, on the fit's own documents
    prior = cfg.spun_prior
    for thr in (0.3, 0.55, 0.9):
        tp = fp = 0
        for r, d in docs:
            for c in d.candidates:
                if "neural" not in c.features:
                    continue
                p = _rescore(c, word_rerank, c.features["within"]) * passage_probability(c.features["hits"], c.features["misses"], prior, passage)
                if p >= thr:
                    tp += c.features["label"] > 0
                    fp += c.features["label"] == 0
        print(f"  prior {prior}, p>={thr}: {tp} on replaced words, {fp} elsewhere (fit documents, spun ones only read)")
    if not a.dry_run:
        path = save_weights({"passage": passage, "word": word, "word_rerank": word_rerank, "word_order": word_order}, {
            "word_fitted_by": f"eval/fit_word_weights.py --docs {a.docs} --rates {a.rates} --passage-min {a.passage_min} "
                              f"--label {a.label} {'--names' if a.names else '--no-names'} --l2 {a.l2}"})
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
