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
from collections.abc import Callable
from functools import lru_cache, partial
from importlib import resources
from operator import mul
from typing import NamedTuple

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
#: Word sequences (observed spans and originals) whose context-free facts are kept per process.
PHRASE_CACHE = 100_000


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


class _Phrase(NamedTuple):
    """What scoring needs of one word sequence, whatever its context (kept per process)."""

    words: list[str]
    bits: int
    bigram: float
    pmi: float  # mean PMI of neighbouring words
    seen: float  # share of neighbouring pairs the trigram model holds
    oov: float  # share of words the trigram model does not know
    unigrams: float  # sum of the words' unigram log10 probabilities
    evidence: str | None  # "... is an established expression (...)", when it is one


def _compute_phrase(knowledge: Knowledge, words: tuple[str, ...]) -> _Phrase:
    lm = knowledge.lm
    seq = list(words)
    bits, bigram = established(knowledge, " ".join(seq))
    names = [name for bit, name in PHRASE_NAMES.items() if bits & bit]
    evidence = f"'{' '.join(seq)}' is an established expression ({', '.join(names)})" if names else None
    return _Phrase(
        seq, bits, bigram, _pmi(lm, seq), _seen(lm, seq), sum(not lm.known(w) for w in seq) / len(seq),
        sum(lm.logprob(w) for w in seq), evidence,
    )


def _phrase_info(knowledge: Knowledge) -> Callable[[tuple[str, ...]], _Phrase]:
    return knowledge.memo("scoring.phrase", partial(_compute_phrase, knowledge), PHRASE_CACHE)


def _context(doc: Doc, first: int, last: int) -> tuple[list[str], list[str], list[str]]:
    """``(left, right, observed)``: up to two words either side of tokens ``first..last``, and the span's words."""
    toks = doc.tokens
    left = [t.lower for t in toks[max(0, first - 4) : first] if t.is_word][-2:]
    right = [t.lower for t in toks[last + 1 : last + 5] if t.is_word][:2]
    observed = [t.lower for t in toks[first : last + 1] if t.is_word]
    return left, right, observed


def _fill(cand: Candidate, knowledge: Knowledge, obs: _Phrase, left: list[str], right: list[str], obs_context: float) -> dict[str, float]:
    """Add the scoring features to ``cand``; ``obs_context`` is the observed span's context log10 P minus its unigrams."""
    lm = knowledge.lm
    orig = _phrase_info(knowledge)(cand.original)
    original, observed, bits, bigram = orig.words, obs.words, orig.bits, orig.bigram
    f = cand.features
    f["est_wordnet"] = float(bool(bits & PHRASE_WORDNET))
    f["est_thesaurus"] = float(bool(bits & PHRASE_THESAURUS))
    f["est_title_only"] = float(bits == PHRASE_TITLE)
    f["est_bigram"] = bigram
    f["established"] = max(f["est_wordnet"], 0.8 * f["est_thesaurus"], 0.6 * bool(bits & PHRASE_TITLE), bigram)
    # context fit beyond raw frequency: a frequent or OOV word gains or loses nothing by itself
    gain = (lm.score(original, left, right) - orig.unigrams) - obs_context
    f["context"] = max(-4.0, min(6.0, gain))
    f["pmi_obs"] = obs.pmi
    f["pmi_orig"] = orig.pmi
    if len(observed) == len(original):
        pairs = [(o, g) for o, g in zip(observed, original) if g not in morph.lemmas(o)]
    else:
        pairs = [(" ".join(observed), " ".join(original))]
    f["zipf_obs"] = min(knowledge.zipf(o) for o, _ in pairs) if pairs else 0.0
    f["zipf_orig"] = min(knowledge.zipf(g) for _, g in pairs) if pairs else 0.0
    f["orig_oov"] = orig.oov
    f["phrase_entry"] = float(cand.kind == "phrase-entry")
    f["orig_seen"] = orig.seen
    f["obs_seen"] = obs.seen
    # noisy channel: log10 [P(original) P(observed | original)] - log10 [P(observed) P(kept)]
    f["noisy"] = max(-8.0, min(8.0, gain)) + f["channel"] + f["changed"] * REPLACE_LOGODDS + 2.0 * f["established"]
    if orig.evidence:
        cand.evidence.append(orig.evidence)
    cand.evidence.append(f"trigram model: original fits the context {gain:+.1f} log10 better")
    return f


def features(doc: Doc, cand: Candidate, knowledge: Knowledge) -> dict[str, float]:
    """Compute the scoring features of ``cand`` (adds to those the candidate stage set)."""
    left, right, observed = _context(doc, cand.first, cand.last)
    obs = _phrase_info(knowledge)(tuple(observed))
    return _fill(cand, knowledge, obs, left, right, knowledge.lm.score(observed, left, right) - obs.unigrams)


def score_candidates(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Set ``score`` (0..1) on every candidate from its features and the fitted weights."""
    w = weights()
    bias, vector = w.get("bias", 0.0), [w.get(name, 0.0) for name in FEATURES]
    phrase_info, lm_score = _phrase_info(knowledge), knowledge.lm.score
    spans: dict[tuple[int, int], tuple[_Phrase, list[str], list[str], float]] = {}
    for cand in doc.candidates:
        span = spans.get((cand.first, cand.last))
        if span is None:  # the span's context is shared by all its candidates
            left, right, observed = _context(doc, cand.first, cand.last)
            obs = phrase_info(tuple(observed))
            span = spans[(cand.first, cand.last)] = (obs, left, right, lm_score(observed, left, right) - obs.unigrams)
        f = _fill(cand, knowledge, *span)
        z = bias + sum(map(mul, vector, map(f.__getitem__, FEATURES)))
        cand.score = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    return doc
