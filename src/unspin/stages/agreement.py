"""Stage 3c: a spinner swaps a word the same way wherever the text uses it.

A spinner looks a word up once and puts the same synonym at every occurrence: a report that
said *system* seven times says *framework* seven times. The neural model does not see that: after
the first few, *framework* reads naturally because the text itself made it familiar. So each
one-word reading of a word (observed word, original, both in any inflection) takes, at every occurrence, the best
probability that the word was swapped that any other occurrence earned (``within`` after the rerank),
times the passage probability of its own place. The word stage offers every occurrence of a word
the originals any occurrence kept, so there is a candidate to raise.

The text's own words are the exception: a spinner that put *set* for *down* once leaves every *set* the
source already had. An occurrence where the original reads clearly worse than the observed word
(:data:`MIN_LOCAL_GAIN`: the rerank's reading with the right-hand context where there is one, else the
word stage's) keeps its own probability.
"""
from __future__ import annotations

from collections import defaultdict

from unspin import morph
from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import Knowledge


#: An occurrence is raised only where its original reads at least this well against the observed word (nats).
MIN_LOCAL_GAIN = -2.0


def local_gain(cand: Candidate) -> float:
    """How much better the original reads than the observed word at this occurrence (nats)."""
    return cand.features.get("neural", cand.features.get("gain", 0.0))


def _base(word: str) -> str:
    """One base form standing for every inflection of ``word`` (*frameworks*, *framework* → *framework*)."""
    return min(morph.lemmas(word), key=lambda form: (len(form), form))


def swapped_probability(cand: Candidate) -> float:
    """The probability that the candidate's word was swapped, given a spun passage (its score without the passage)."""
    passage = cand.features["passage"]
    return min(1.0, cand.score / passage) if passage > 0 else 0.0


def agree_across_text(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Raise each one-word candidate to the best reading of the same word as the same original elsewhere in ``doc``."""
    groups: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    for cand in doc.candidates:
        if cand.kind == "word" and "passage" in cand.features:
            groups[(_base(doc.tokens[cand.first].lower), _base(cand.original[0]))].append(cand)
    for (word, original), cands in groups.items():
        if len(cands) < 2:
            continue
        ranked = sorted(cands, key=swapped_probability, reverse=True)
        first = ranked[0]
        # two forms of one original at one occurrence (*appeared*: *showed*, *shown*) are rivals, not agreement
        elsewhere = next((c for c in ranked if c.first != first.first), None)
        if elsewhere is None:
            continue
        for cand in cands:
            best = elsewhere if cand.first == first.first else first
            p = swapped_probability(best)
            if swapped_probability(cand) >= p or local_gain(cand) < MIN_LOCAL_GAIN:
                continue
            cand.score = cand.features["passage"] * p
            if "order" in best.features:
                cand.features["order"] = max(cand.features.get("order", 0.0), best.features["order"])
            where = doc.tokens[best.first].start
            cand.evidence.append(
                f"the text uses '{word}' {len(cands)} times (in any form); at offset {where} it reads as a swap for "
                f"'{best.original[0]}' with probability {p:.2f}, and a spinner swaps a word the same way each time"
            )
    return doc
