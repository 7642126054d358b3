#!/usr/bin/env python3
"""Fit the one-word spin model (``word`` and ``word_rerank`` in ``src/unspin/data/weights.json``).

Data (``--data``): ``synth`` — clean **dev** documents of ../shared/data/clean, in turn left clean or spun by
:mod:`unspin.synth` (the project's own spinner): a one-word candidate is positive when it sits on a
word the spinner replaced (``--label detect``) or also restores what was there (``--label exact``); ``pps`` — the PPS **dev** tortured phrases
in the scorer's templates: a candidate is positive when it restores its word of a same-length
phrase (*woodland* → *forest* inside *irregular woodland*), negative everywhere else (control
documents and unspun clean dev documents included); ``both``. Stage one fits the cheap model on the candidates' features
(:data:`unspin.stages.words.WORD_FEATURES`); stage two lets the neural model read the best
candidates with their right-hand context (as the rerank stage does) and fits
``[bias, cheap logit, neural]``. Only weights are learned; no pair enters the knowledge.

Usage: python eval/fit_word_weights.py [--data synth] [--pairs 600] [--docs 60] [--rates 0,0,0,0.05,0.15,0.3] [--label detect] [--spun-share 0.05] [--dry-run]
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

from fit_weights import fit  # noqa: E402
from unspin import knowledge as knowledge_mod  # noqa: E402
from unspin.config import Config  # noqa: E402
from unspin.doc import Doc  # noqa: E402
from unspin.knowledge import neural  # noqa: E402
from unspin.stages.findings import render  # noqa: E402
from unspin.stages.rerank import _logit, add_neural  # noqa: E402
from unspin.stages.tokenize import tokenize  # noqa: E402
from unspin.stages.words import WORD_FEATURES, word_features  # noqa: E402
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=60)
    ap.add_argument("--rates", default="0,0,0,0.05,0.15,0.3",
                    help="substitution rates the documents are spun at, in turn (0: left clean, all negatives)")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--spun-share", type=float, default=0.05,
                    help="share of spun documents the final scores are calibrated for (0: as in the fit data)")
    ap.add_argument("--label", choices=["exact", "detect"], default="detect",
                    help="synth positives: candidates restoring the replaced word (exact) or any candidate on it (detect)")
    ap.add_argument("--data", choices=["synth", "pps", "both"], default="synth")
    ap.add_argument("--pairs", type=int, default=600, help="PPS dev pairs used (--data pps/both)")
    ap.add_argument("--dry-run", action="store_true")
    a = ap.parse_args()
    if not (SHARED / "data" / "clean").exists():
        print(f"skipped: {SHARED / 'data' / 'clean'} not found")
        return 0
    if not neural.available():
        print("the neural model is not installed: nothing to fit")
        return 1
    kn, cfg = knowledge_mod.get(), Config()
    rates = [float(r) for r in a.rates.split(",")]
    t0 = time.perf_counter()
    X, y, docs = [], [], []
    edits_total = 0
    def add(doc: Doc, label_of) -> None:
        cands = word_features(doc, kn, cfg)
        kept = []
        for c in cands:
            label = label_of(c)
            if label is None:
                continue  # ambiguous: left out of the fit
            c.features["label"] = label
            X.append([c.features[f] for f in WORD_FEATURES])
            y.append(label)
            kept.append(c)
        doc.candidates = kept
        docs.append(doc)

    if a.data in ("synth", "both"):
        for n, text in enumerate(clean_docs("dev", a.docs)):
            rate = rates[n % len(rates)]
            if not rate:
                add(tokenize(Doc(text)), lambda c: 0.0)
                continue
            spun = spin(text, rate=rate, seed=n, knowledge=kn)
            gold = {(e.start, e.end): e.original.lower() for e in spun.edits if " " not in e.spun and " " not in e.original}
            edits_total += len(gold)
            doc = tokenize(Doc(spun.text))
            wide = [(e.start, e.end) for e in spun.edits if (e.start, e.end) not in gold]

            def label_of(c, doc=doc, gold=gold, wide=wide):
                tok = doc.tokens[c.first]
                if (tok.start, tok.end) in gold:
                    return 1.0 if a.label == "detect" else float(gold[(tok.start, tok.end)] == render(doc, c).lower())
                if any(s <= tok.start < e for s, e in wide):
                    return None  # a word of a phrase the spinner replaced whole: neither clearly right nor wrong
                return 0.0

            add(doc, label_of)
    if a.data in ("pps", "both"):
        sys.path.insert(0, str(SHARED / "eval"))
        import csv

        import pps_eval  # the shared scorer's own templates

        with open(SHARED / "data" / "pps" / "pairs.tsv", encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["split"] == "dev"][: a.pairs]
        built, meta = pps_eval.build_docs([(r["tortured"], r["original"]) for r in rows])
        for d in built:
            kind, s0, e0, tortured, original, text = meta[d["id"]]
            doc = tokenize(Doc(text))
            if kind != "spun":
                add(doc, lambda c: 0.0)
                continue
            t_words, o_words = tortured.split(), original.split()
            same = len(t_words) == len(o_words)
            edits_total += sum(t != o for t, o in zip(t_words, o_words)) if same else 0
            inside = [i for i, t in enumerate(doc.tokens) if t.is_word and s0 <= t.start < e0]

            def label_of(c, doc=doc, inside=inside, same=same, o_words=o_words):
                if c.first not in inside:
                    return 0.0
                if not same or len(inside) != len(o_words):
                    return None
                return float(render(doc, c).lower() == o_words[inside.index(c.first)])

            add(doc, label_of)
        for text in clean_docs("dev", a.docs):
            add(tokenize(Doc(text)), lambda c: 0.0)
    X, y = np.array(X), np.array(y)
    reach = int(y.sum())
    print(f"{len(docs)} documents, {edits_total} changed words, {len(y)} candidates, {reach} restore an edit ({time.perf_counter() - t0:.0f} s)")
    w = fit(X, y, a.l2, positive_weight=1.0)
    p = 1 / (1 + np.exp(-(w[0] + X @ w[1:])))
    for thr in (0.1, 0.3, 0.5, 0.7):
        sel = p >= thr
        print(f"  cheap p>={thr}: {int(sel.sum())} kept, precision {y[sel].mean() if sel.any() else float('nan'):.3f}, positives kept {int(y[sel].sum())}")
    word = {"bias": round(float(w[0]), 4), **{n: round(float(v), 4) for n, v in zip(WORD_FEATURES, w[1:])}}
    # stage two: the neural model reads the best candidates with their right-hand context
    k = 0
    for doc in docs:
        for c in doc.candidates:
            c.score = float(p[k])
            k += 1
    rows, labels = [], []
    floor = Config().rerank_floor
    for doc in docs:
        for top, _rest in add_neural(doc, cfg._replace(rerank_floor=min(floor, 0.1))):
            for c in top:
                rows.append([_logit(c.score), max(-15.0, min(15.0, c.features["neural"]))])
                labels.append(c.features["label"])
    X2, y2 = np.array(rows), np.array(labels)
    w2 = fit(X2, y2, a.l2)
    p2 = 1 / (1 + np.exp(-(w2[0] + X2 @ w2[1:])))
    print(f"rerank: {len(y2)} candidates read, {int(y2.sum())} positive ({time.perf_counter() - t0:.0f} s)")
    for thr in (0.5, 0.7, 0.9):
        sel = p2 >= thr
        print(f"  p>={thr}: {int(sel.sum())} kept, precision {y2[sel].mean() if sel.any() else float('nan'):.3f}, positives kept {int(y2[sel].sum())}/{reach}")
    # prior correction: the fit's documents are spun in the share --rates gives them; a real stream is mostly clean
    # (known only for --data synth, where --rates decides which documents are spun)
    fit_share = sum(r > 0 for r in rates) / len(rates)
    shift = 0.0
    if a.data != "synth" and a.spun_share:
        print("prior correction skipped: the spun share of the PPS templates is not set by --rates")
    elif a.spun_share and 0 < fit_share < 1:
        shift = math.log(a.spun_share / (1 - a.spun_share)) - math.log(fit_share / (1 - fit_share))
        print(f"prior correction: {fit_share:.2f} of the fit's documents are spun, {a.spun_share} expected: bias {shift:+.3f}")
    word_rerank = {"bias": round(float(w2[0]) + shift, 4), "cheap": round(float(w2[1]), 4), "neural": round(float(w2[2]), 4)}
    print(json.dumps({"word": word, "word_rerank": word_rerank}, indent=1))
    if not a.dry_run:
        path = ROOT / "src" / "unspin" / "data" / "weights.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["weights"]["word"] = word
        data["weights"]["word_rerank"] = word_rerank
        data["word_fitted_by"] = f"eval/fit_word_weights.py --data {a.data} --pairs {a.pairs} --docs {a.docs} --rates {a.rates} --label {a.label} --spun-share {a.spun_share} --l2 {a.l2}"
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
