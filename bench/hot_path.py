"""The cheap path alone: words/s of each cheap stage of ``unspin.check``, beside the bare Aho-Corasick floor.

    .venv/bin/python bench/hot_path.py [--words 6000] [--json]

The cheap path is what ``check`` does without its neural stages (``UNSPIN_NO_NEURAL=1``,
``word_spins=False``): input checks, tokenizing, the English test, candidates, scoring, acronyms,
user lists and findings (the last three timed together as ``findings``). Each stage is timed in CPU
seconds of this process (the machine is shared, so CPU time is steadier than the wall clock), in two
passes over two different halves of the text:

* ``cold`` — the first half, with the knowledge loaded and one document checked before, so the
  per-process caches (words' options, phrases, inflections) fill as they would at the start of a scan;
* ``warm`` — the second half, with the caches the first half left: closer to the steady state of a
  long scan, where most words and many phrases have been seen before.

The floor is one bare pyahocorasick pass over the same text and 5,000 phrases (see
``bench/throughput.py``): what any dictionary scan costs at least. Text: ../shared/data/clean when
present, else generated.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ["UNSPIN_NO_NEURAL"] = "1"  # before unspin is imported: the cheap path only
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from throughput import bench_ahocorasick, load_documents, load_phrases, n_words  # noqa: E402

STAGES = ("input", "tokenize", "english", "candidates", "scoring", "findings")


def split_halves(docs: list[str]) -> tuple[list[str], list[str]]:
    """The documents in two runs of about equal word counts."""
    half, first, second, seen = n_words(docs) / 2, [], [], 0
    for doc in docs:
        (first if seen < half else second).append(doc)
        seen += len(doc.split())
    return first, second


def time_stages(docs: list[str]) -> dict[str, float]:
    """CPU seconds per stage of the cheap pipeline over ``docs``, checked one at a time as ``unspin.check`` does."""
    from unspin import knowledge
    from unspin.api import _as_text, _config, _english_warning
    from unspin.config import Config
    from unspin.doc import Doc
    from unspin.stages.acronyms import weigh_acronyms
    from unspin.stages.candidates import find_candidates
    from unspin.stages.compounds import find_compound_candidates
    from unspin.stages.findings import select_findings
    from unspin.stages.scoring import pruning_floor, score_candidates
    from unspin.stages.tokenize import tokenize
    from unspin.stages.user import apply_user_lists

    kn, config = knowledge.get(), _config(Config(word_spins=False), {})
    floor = pruning_floor(config)
    spent = dict.fromkeys(STAGES, 0.0)
    clock = time.process_time
    for raw in docs:
        t0 = clock()
        text = _as_text(raw, config)
        t1 = clock()
        doc = tokenize(Doc(text))
        t2 = clock()
        warning = _english_warning(doc, kn)
        t3 = clock()
        if not warning:
            find_candidates(doc, kn, config, floor)
            find_compound_candidates(doc, kn, config, floor)
        t4 = clock()
        if not warning:
            score_candidates(doc, kn, config)
        t5 = clock()
        if not warning:
            weigh_acronyms(doc, kn, config)
            apply_user_lists(doc, kn, config)
            select_findings(doc, config)
        t6 = clock()
        for stage, a, b in zip(STAGES, (t0, t1, t2, t3, t4, t5), (t1, t2, t3, t4, t5, t6)):
            spent[stage] += b - a
    return spent


def report(label: str, words: int, spent: dict[str, float]) -> dict[str, float]:
    """One pass's figures: words/s of the cheap path, and microseconds per word of each stage."""
    total = sum(spent.values())
    out = {"words": words, "words_per_s": round(words / total, 1)}
    out.update({f"us_per_word_{k}": round(1e6 * v / words, 2) for k, v in spent.items()})
    print(f"{label}: {words:,} words, {out['words_per_s']:,.0f} words/s (CPU time)", file=sys.stderr)
    for k, v in spent.items():
        print(f"  {k:11s} {1e6 * v / words:9.2f} us/word {v / total:7.1%}", file=sys.stderr)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=6000, help="words in all, half for each pass")
    ap.add_argument("--json", action="store_true", help="print one JSON line")
    a = ap.parse_args()
    import unspin
    from unspin import knowledge

    docs, origin = load_documents(a.words)
    cold, warm = split_halves(docs)
    t0 = time.perf_counter()
    knowledge.get()
    load_s = time.perf_counter() - t0
    unspin.check("The Chilly Battle ended with crude information.", word_spins=False)
    results: dict[str, object] = {"knowledge_load_s": round(load_s, 2), "text": origin}
    results["cold"] = report("cold", n_words(cold), time_stages(cold))
    results["warm"] = report("warm", n_words(warm), time_stages(warm))
    secs, hits = bench_ahocorasick(docs, load_phrases())
    results["ahocorasick_words_per_s"] = round(n_words(docs) / secs, 1)
    for name in ("cold", "warm"):
        results[f"ratio_{name}_to_ahocorasick"] = round(results[name]["words_per_s"] / results["ahocorasick_words_per_s"], 6)  # type: ignore[index]
    print(f"bare Aho-Corasick: {results['ahocorasick_words_per_s']:,.0f} words/s ({hits} matches); "
          f"cheap path / floor: cold {results['ratio_cold_to_ahocorasick']:.5f}, warm {results['ratio_warm_to_ahocorasick']:.5f}", file=sys.stderr)
    if a.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
