#!/usr/bin/env python3
"""How much do spun words to the left spoil a one-word reading? An upper bound for re-reading after restoring.

For every single-word gold span of the real spun passages (../shared/data/wild) whose gold original is among
the word's options (:func:`unspin.stages.words.word_options`), the neural model reads the word's options twice:
in the spun text as it is, and with every *other* gold span restored to its first original (an oracle left
context). Each time the options are ranked as the word stage keeps them (:func:`~unspin.stages.words.keep_originals`: log P in context plus
:data:`~unspin.stages.words.SIM_NATS` per unit of neighbourhood overlap and
:data:`~unspin.stages.words.LINK_NATS` per unit of link strength, among those reading at least
:data:`~unspin.stages.words.MIN_GAIN` better than the word). It prints how often the gold original is kept
first (``top``), among the first three (``in3``) or not at all (``out``), spun context against oracle context.

Evaluation only: the oracle uses the gold originals, which never enter the pipeline.

Usage: python eval/context_oracle.py
"""
from __future__ import annotations

import collections
import sys
from pathlib import Path

from unspin import knowledge, morph
from unspin.config import Config
from unspin.knowledge import neural
from unspin.stages.words import MIN_GAIN, keep_originals, word_options

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def rank(text: str, at: int, word: str, items: list, gold: set[str]) -> str:
    """Where the gold original ranks among the options of ``word`` at offset ``at`` of ``text``."""
    kn = knowledge.get()
    ((obs, lps),) = neural.get().next_word_logprobs(text, [(at, [morph.match_case(o, word) for o, _ in items])])
    readable = [k for k, lp in enumerate(lps) if lp - obs >= MIN_GAIN]
    sims = {k: max(kn.similarity(form, items[k][1].original) for form in morph.lemmas(word.lower())) for k in readable}
    kept = [items[k][0] for k in keep_originals(readable, lps, sims, {k: items[k][1].strength for k in readable})]
    return "top" if kept[:1] and kept[0] in gold else "in3" if gold & set(kept[:3]) else "out"


def main() -> int:
    if not (SHARED / "data" / "wild").exists():
        print(f"skipped: {SHARED / 'data' / 'wild'} not found")
        return 0
    sys.path.insert(0, str(SHARED / "eval"))
    import spun_eval

    if not neural.available():
        print("the neural model is not installed")
        return 1
    kn, cfg = knowledge.get(), Config()
    docs, gold = spun_eval.load_set(str(SHARED / "data" / "wild"))
    counts: collections.Counter = collections.Counter()
    for name, text in docs.items():
        spans = sorted((s, e, alts[0]) for f, s, e, _, alts in gold if f == name)
        pieces, pos, moved = [], 0, {}
        for s, e, alt in spans:  # the oracle text: every gold span restored; where each one now starts
            if s < pos:
                continue
            pieces.append(text[pos:s])
            moved[s] = sum(map(len, pieces))
            pieces.append(alt)
            pos = e
        oracle = "".join(pieces) + text[pos:]
        for f, s, e, span, alts in gold:
            if f != name or " " in span or " " in alts[0] or s not in moved:
                continue
            items = list(word_options(span.lower(), kn, cfg).items())
            originals = {a.lower() for a in alts}
            if not any(orig in originals for orig, _ in items):
                counts["gold original not among the options"] += 1
                continue
            at = moved[s]
            own = oracle[:at] + span + oracle[at + len(alts[0]) :]  # the word itself stays spun
            counts[(rank(text, s, span, items, originals), rank(own, at, span, items, originals))] += 1
    pairs = {k: v for k, v in counts.items() if isinstance(k, tuple)}
    for key in ("top", "in3", "out"):
        spun = sum(v for (a, _), v in pairs.items() if a == key)
        orc = sum(v for (_, b), v in pairs.items() if b == key)
        print(f"gold original {key:3s}: spun left context {spun:4d}, oracle left context {orc:4d}")
    print(f"({sum(pairs.values())} single-word gold spans whose original is an option; "
          f"{counts['gold original not among the options']} more whose original is not)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
