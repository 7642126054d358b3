"""Stage 3: score each candidate — how likely is it that the span is a spin of that original?

Evidence of four kinds goes into a logistic model (weights in ``unspin/data/weights.json``,
fitted by ``eval/fit_weights.py``, never edited by hand):

* **established** — how firmly the original is attested as an expression (WordNet multiword
  lemma, thesaurus entry, frequent Google bigram, Wikipedia title);
* **link** — how firmly the lexicons link each changed word to its original, and how much the
  two words' thesaurus neighbourhoods overlap;
* **context** — how much more likely the trigram model finds the original than the observed
  words between their neighbours, and how strongly each phrase's words attract each other (PMI);
* **frequency** — Zipf frequencies of the changed words.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

from unspin import morph
from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import PHRASE_NAMES, Knowledge
from unspin.knowledge.build import PHRASE_BIGRAM, PHRASE_THESAURUS, PHRASE_TITLE, PHRASE_WORDNET
from unspin.knowledge.lm import OOV_LOGPROB, TrigramModel

#: Feature names, in the order of the weight vector.
FEATURES = (
    "established", "est_wordnet", "est_thesaurus", "est_title_only", "est_bigram",
    "link_min", "link_mean", "sim_min", "sim_mean", "changed", "unchanged",
    "context", "pmi_obs", "pmi_orig", "zipf_obs", "zipf_orig", "orig_oov", "phrase_entry",
    "channel", "channel_min", "noisy", "orig_seen", "obs_seen",
)
#: Prior log-odds that a spinner replaced a given content word (about one word in three).
REPLACE_LOGODDS = math.log10(0.3 / 0.7)


@lru_cache(maxsize=1)
def weights() -> dict[str, float]:
    """The fitted weights (``bias`` plus one per feature)."""
    text = resources.files("unspin").joinpath("data/weights.json").read_text(encoding="utf-8")
    return json.loads(text)["weights"]


def established(knowledge: Knowledge, phrase: str) -> tuple[int, float]:
    """Source bits attesting ``phrase`` (or its base form) and its bigram count strength (0..1)."""
    bits, phrase = knowledge.attested(phrase)
    bigram = 0.0
    if bits & PHRASE_BIGRAM:
        bigram = min(1.0, max(0.0, (math.log10(max(knowledge.bigram_count(phrase), 1)) - 4) / 3.5))
    return bits, bigram


def _pmi(lm: TrigramModel, words: list[str]) -> float:
    """Mean pointwise association of neighbouring words (log10 P(w|prev) − log10 P(w))."""
    if len(words) < 2:
        return 0.0
    vals = []
    for prev, word in zip(words, words[1:]):
        uni = lm.logprob(word)
        if uni <= OOV_LOGPROB or lm.logprob(prev) <= OOV_LOGPROB:
            vals.append(0.0)
        else:
            vals.append(lm.logprob(word, prev) - uni)
    return sum(vals) / len(vals)


def _seen(lm: TrigramModel, words: list[str]) -> float:
    """Fraction of neighbouring word pairs the trigram model holds as bigrams."""
    if len(words) < 2:
        return 0.0
    return sum(lm.bigram_seen(a, b) for a, b in zip(words, words[1:])) / (len(words) - 1)


def features(doc: Doc, cand: Candidate, knowledge: Knowledge) -> dict[str, float]:
    """Compute the scoring features of ``cand`` (adds to those the candidate stage set)."""
    toks = doc.tokens
    left = [t.lower for t in toks[max(0, cand.first - 4) : cand.first] if t.is_word][-2:]
    right = [t.lower for t in toks[cand.last + 1 : cand.last + 5] if t.is_word][:2]
    observed = [t.lower for t in toks[cand.first : cand.last + 1] if t.is_word]
    original = list(cand.original)
    lm = knowledge.lm
    bits, bigram = established(knowledge, " ".join(original))
    f = cand.features
    f["est_wordnet"] = float(bool(bits & PHRASE_WORDNET))
    f["est_thesaurus"] = float(bool(bits & PHRASE_THESAURUS))
    f["est_title_only"] = float(bits == PHRASE_TITLE)
    f["est_bigram"] = bigram
    f["established"] = max(f["est_wordnet"], 0.8 * f["est_thesaurus"], 0.6 * bool(bits & PHRASE_TITLE), bigram)
    # context fit beyond raw frequency: a frequent or OOV word gains or loses nothing by itself
    gain = (lm.score(original, left, right) - sum(lm.logprob(w) for w in original)) - (
        lm.score(observed, left, right) - sum(lm.logprob(w) for w in observed)
    )
    f["context"] = max(-4.0, min(6.0, gain))
    f["pmi_obs"] = _pmi(lm, observed)
    f["pmi_orig"] = _pmi(lm, original)
    if len(observed) == len(original):
        pairs = [(o, g) for o, g in zip(observed, original) if g not in morph.lemmas(o)]
    else:
        pairs = [(" ".join(observed), " ".join(original))]
    f["zipf_obs"] = min(knowledge.zipf(o) for o, _ in pairs) if pairs else 0.0
    f["zipf_orig"] = min(knowledge.zipf(g) for _, g in pairs) if pairs else 0.0
    f["orig_oov"] = sum(not lm.known(w) for w in original) / len(original)
    f["phrase_entry"] = float(cand.kind == "phrase-entry")
    f["orig_seen"] = _seen(lm, original)
    f["obs_seen"] = _seen(lm, observed)
    # noisy channel: log10 [P(original) P(observed | original)] - log10 [P(observed) P(kept)]
    f["noisy"] = max(-8.0, min(8.0, gain)) + f["channel"] + f["changed"] * REPLACE_LOGODDS + 2.0 * f["established"]
    names = [name for bit, name in PHRASE_NAMES.items() if bits & bit]
    if names:
        cand.evidence.append(f"'{' '.join(original)}' is an established expression ({', '.join(names)})")
    cand.evidence.append(f"trigram model: original fits the context {gain:+.1f} log10 better")
    return f


def score_candidates(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Set ``score`` (0..1) on every candidate from its features and the fitted weights."""
    w = weights()
    for cand in doc.candidates:
        f = features(doc, cand, knowledge)
        z = w.get("bias", 0.0) + sum(w.get(name, 0.0) * f.get(name, 0.0) for name in FEATURES)
        cand.score = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    return doc
