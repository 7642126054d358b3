"""What context scoring costs: words/s of ``unspin.check`` with and without its neural stages, side by side.

    .venv/bin/python bench/context_cost.py [--words 3000] [--only cheap,rerank] [--json]

Three configurations run on the same documents, each in a fresh process (the model is loaded and
one document checked before the clock starts):

* ``cheap``  — the phrase stages only (tokenize, candidates, scoring; UNSPIN_NO_NEURAL=1): the
  engine before context scoring;
* ``rerank`` — plus the neural rerank of suspicious phrase spans (``word_spins=False``);
* ``full``   — plus the one-word stage (SmolLM2 reads every document once): the default.

Issue 3 allows context scoring to cost at most a third of the throughput; the ratios printed
against ``cheap`` show where it stands. Text: ../shared/data/clean when present, else generated.
``--only`` runs some of the configurations (``cheap`` is always run: the ratios need it); the
cheap path stage by stage, beside the bare Aho-Corasick floor, is ``bench/hot_path.py``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from throughput import load_documents  # noqa: E402

CONFIGS = {
    "cheap": ({"UNSPIN_NO_NEURAL": "1"}, {"word_spins": False}),
    "rerank": ({}, {"word_spins": False}),
    "full": ({}, {}),
}


def run_one(docs: list[str], options: dict) -> dict:
    """Time ``unspin.check`` over ``docs`` in this process (after one warm-up document)."""
    import unspin

    unspin.check(docs[0], **options)
    words = sum(len(d.split()) for d in docs)
    t0 = time.perf_counter()
    findings = sum(len(unspin.check(d, **options).findings) for d in docs)
    secs = time.perf_counter() - t0
    return {"words": words, "seconds": round(secs, 2), "words_per_s": round(words / secs, 1), "findings": findings}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=3000)
    ap.add_argument("--json", action="store_true", help="print one JSON line")
    ap.add_argument("--only", default=",".join(CONFIGS), help="comma-separated configurations to run (default: all)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    a = ap.parse_args()
    wanted = {"cheap", *a.only.split(",")}
    if wanted - set(CONFIGS):
        ap.error(f"unknown configuration(s) {sorted(wanted - set(CONFIGS))}; known: {', '.join(CONFIGS)}")
    docs, origin = load_documents(a.words)
    if a.child:
        print(json.dumps(run_one(docs, CONFIGS[a.child][1])))
        return 0
    results = {}
    for name, (env, _options) in CONFIGS.items():
        if name not in wanted:
            continue
        proc = subprocess.run(
            [sys.executable, __file__, "--words", str(a.words), "--child", name],
            env={**os.environ, **env}, capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    base = results["cheap"]["words_per_s"]
    summary = {f"words_per_s_{k}": v["words_per_s"] for k, v in results.items()}
    summary.update({f"ratio_{k}_to_cheap": round(v["words_per_s"] / base, 3) for k, v in results.items() if k != "cheap"})
    summary.update({f"findings_{k}": v["findings"] for k, v in results.items()})
    if a.json:
        print(json.dumps({**summary, "words": results["cheap"]["words"], "text": origin}))
        return 0
    print(f"text: {len(docs)} documents, {results['cheap']['words']:,} words, from {origin}")
    for name, r in results.items():
        ratio = "" if name == "cheap" else f"  ({r['words_per_s'] / base:.2f}x cheap)"
        print(f"{name:7s}: {r['words_per_s']:8.1f} words/s, {r['seconds']:6.1f} s, {r['findings']} findings{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
