"""Stage 3: score each candidate — how likely is it that the span is a spin of that original?

Three kinds of evidence are combined in a logistic model:

* **established** — how firmly the original is attested as an expression (WordNet multiword
  lemma, thesaurus entry, frequent Google bigram, Wikipedia title);
* **link** — how firmly the lexicons link each changed word to its original;
* **context** — how much more likely the trigram model finds the original than the observed
  words between their neighbours (log10 ratio).
"""
from __future__ import annotations

import math

from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import PHRASE_NAMES, Knowledge
from unspin.knowledge.build import PHRASE_BIGRAM, PHRASE_THESAURUS, PHRASE_TITLE, PHRASE_WORDNET

#: Weights of the logistic model (tuned on PPS dev and clean dev text).
WEIGHTS = {"bias": -4.0, "established": 2.5, "link": 2.0, "context": 0.6, "phrase_entry": -1.0}


def established(knowledge: Knowledge, phrase: str) -> tuple[float, list[str]]:
    """Strength (0..1) with which ``phrase`` is attested, and the names of its attestations."""
    bits = knowledge.phrase_bits(phrase)
    value, names = 0.0, []
    if bits & PHRASE_WORDNET:
        value = max(value, 1.0)
    if bits & PHRASE_THESAURUS:
        value = max(value, 0.8)
    if bits & PHRASE_TITLE:
        value = max(value, 0.6)
    if bits & PHRASE_BIGRAM:
        count = knowledge.bigram_count(phrase)
        value = max(value, min(1.0, max(0.2, (math.log10(max(count, 1)) - 4) / 3.5)))
    for bit, name in PHRASE_NAMES.items():
        if bits & bit:
            names.append(name)
    return value, names


def _context(doc: Doc, cand: Candidate) -> tuple[list[str], list[str], list[str]]:
    toks = doc.tokens
    left = [t.lower for t in toks[max(0, cand.first - 4) : cand.first] if t.is_word][-2:]
    right = [t.lower for t in toks[cand.last + 1 : cand.last + 5] if t.is_word][:2]
    observed = [t.lower for t in toks[cand.first : cand.last + 1] if t.is_word]
    return left, observed, right


def score_candidates(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Set ``score`` (probability-like, 0..1), ``features`` and ``evidence`` on every candidate."""
    lm = knowledge.lm
    for cand in doc.candidates:
        phrase = " ".join(cand.original)
        est, names = established(knowledge, phrase)
        if not est:
            # attested through its base form only (the candidate stage matched a lemma)
            from unspin import morph

            *head, last = cand.original
            for lemma in morph.lemmas(last)[1:]:
                est, names = established(knowledge, " ".join([*head, lemma]))
                if est:
                    break
        left, observed, right = _context(doc, cand)
        gain = lm.score(list(cand.original), left, right) - lm.score(observed, left, right)
        f = cand.features
        f["established"] = est
        f["context"] = max(-4.0, min(6.0, gain))
        z = (
            WEIGHTS["bias"]
            + WEIGHTS["established"] * est
            + WEIGHTS["link"] * f.get("link", 0.0)
            + WEIGHTS["context"] * f["context"]
            + (WEIGHTS["phrase_entry"] if cand.kind == "phrase-entry" else 0.0)
        )
        cand.score = 1.0 / (1.0 + math.exp(-z))
        if names:
            cand.evidence.append(f"'{phrase}' is an established expression ({', '.join(names)})")
        cand.evidence.append(f"trigram model: original {gain:+.1f} log10 more likely in context")
    return doc
