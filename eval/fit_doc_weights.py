#!/usr/bin/env python3
"""Fit the document model (``document`` in ``src/unspin/data/weights.json``; see :mod:`unspin.stages.document`).

Data: clean **dev** documents of ../shared/data/clean from ``--skip`` on (the first ones are left to
``eval/calibration.py``, which measures the result, with its first 40 at most), each once as it is and once spun by :mod:`unspin.synth` at each of ``--spins``
rates taken in turn from ``--rates``. Every document goes through the whole pipeline; its
checked doc (with its candidates) is kept in ``--cache`` (a pickle), so a refit, or a refit with other
features, reads them back instead of checking again.

A logistic model (L2 ``--l2``) separates spun from clean documents. Its intercept is then moved
from the fit's share of spun documents to even odds: at run time :attr:`unspin.Config.spun_prior`
supplies the prior. Only weights are learned; no pair enters the knowledge.

Usage: python eval/fit_doc_weights.py [--skip 40] [--docs 86] [--rates 0.05,0.1,0.15,0.2] [--spins 1] [--workers 2]
       [--cache /tmp/doc_fit.pkl] [--dry-run]
"""
from __future__ import annotations

import argparse
import math
import pickle
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, TypeVar

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "eval"))

from calibration import auroc  # noqa: E402
from fit_weights import fit, save_weights  # noqa: E402
from fit_word_weights import clean_docs  # noqa: E402
from unspin.api import analyse  # noqa: E402
from unspin.config import Config  # noqa: E402
from unspin.doc import Doc  # noqa: E402
from unspin.stages.document import DOC_FEATURES, document_features, document_probability  # noqa: E402
from unspin.synth import spin  # noqa: E402


J = TypeVar("J")
R = TypeVar("R")


def checked(job: tuple[int, float, str]) -> tuple[int, float, Doc]:
    """``(n, rate, doc)`` of one fit document (``rate`` 0: left clean), through the whole pipeline."""
    n, rate, text = job
    if rate:
        text = spin(text, rate=rate, seed=n).text
    doc, _ = analyse(text, Config())
    return n, rate, doc


def pool_map(fn: Callable[[J], R], jobs: list[J], workers: int, chunksize: int = 1) -> list[R]:
    """``fn`` over ``jobs`` on ``workers`` processes, in order."""
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(fn, jobs, chunksize=chunksize))


def cached(path: str, compute: Callable[[], list[R]], what: str) -> list[R]:
    """What an earlier run left in the pickle ``path``, or else ``compute()`` (then written there; ``""``: no cache)."""
    cache = Path(path) if path else None
    if cache and cache.exists():
        with cache.open("rb") as fh:
            items = pickle.load(fh)
        print(f"read {len(items)} {what} from {cache}")
        return items
    t0 = time.perf_counter()
    items = compute()
    print(f"{len(items)} {what} ({time.perf_counter() - t0:.0f} s)")
    if cache:
        with cache.open("wb") as fh:
            pickle.dump(items, fh)
    return items


def synthetic_fit_parser(doc: str | None, skip: int, docs: int, rates: str, cached_what: str) -> argparse.ArgumentParser:
    """The options every fit on clean dev documents and their synthetic spins shares, with these defaults."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skip", type=int, default=skip, help="clean dev documents left out at the start")
    ap.add_argument("--docs", type=int, default=docs)
    ap.add_argument("--rates", default=rates, help="substitution rates of the spun copies, in turn")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache", default="", help=f"pickle of the {cached_what}: read if present, else written")
    ap.add_argument("--dry-run", action="store_true")
    return ap


def jobs(a: argparse.Namespace) -> list[tuple[int, float, str]]:
    """``(n, rate, text)`` for every fit document, clean first."""
    rates = [float(r) for r in a.rates.split(",")]
    texts = clean_docs("dev", a.skip + a.docs)[a.skip :]
    out = [(a.skip + k, 0.0, t) for k, t in enumerate(texts)]
    turn = 0
    for k, text in enumerate(texts):
        for _ in range(a.spins):
            out.append((a.skip + k, rates[turn % len(rates)], text))
            turn += 1
    return out


def main() -> int:
    ap = synthetic_fit_parser(__doc__, skip=40, docs=86, rates="0.05,0.1,0.15,0.2", cached_what="checked documents")
    ap.add_argument("--spins", type=int, default=1, help="spun copies of each document")
    a = ap.parse_args()
    if not (SHARED / "data" / "clean").exists():
        print(f"skipped: {SHARED / 'data' / 'clean'} not found")
        return 0
    docs = cached(a.cache, lambda: pool_map(checked, jobs(a), a.workers, chunksize=2), "checked documents")
    rows = [{"rate": rate, **document_features(doc)} for _, rate, doc in docs]
    X = np.array([[r[f] for f in DOC_FEATURES] for r in rows])
    y = np.array([float(r["rate"] > 0) for r in rows])
    w = fit(X, y, a.l2)
    share = float(y.mean())
    bias = float(w[0]) - math.log(share / (1 - share))  # even odds: the run-time prior takes the fit's share's place
    document = {"bias": round(bias, 4), **{n: round(float(v), 4) for n, v in zip(DOC_FEATURES, w[1:])}}
    print(f"document: {len(y)} documents, {int(y.sum())} spun: {document}")
    prior = Config().spun_prior
    clean = [document_probability(r, prior, document) for r in rows if not r["rate"]]
    for rate in sorted({r["rate"] for r in rows if r["rate"]}):
        spun = [document_probability(r, prior, document) for r in rows if r["rate"] == rate]
        print(f"  spun at {rate:.0%}: AUROC {auroc(spun, clean):.4f} against the clean ones; "
              f"score >= 0.5: {np.mean(np.array(spun) >= 0.5):.1%} (clean: {np.mean(np.array(clean) >= 0.5):.1%}; prior {prior})")
    if not a.dry_run:
        path = save_weights({"document": document}, {"document_fitted_by": f"eval/fit_doc_weights.py --skip {a.skip} --docs {a.docs} "
                                                                          f"--rates {a.rates} --spins {a.spins} --l2 {a.l2}"})
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
