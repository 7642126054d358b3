"""Stage 3: score each candidate — how likely is it that the span is a spin of that original?

Evidence of four kinds goes into a logistic model (weights in ``unspin/data/weights.json``,
fitted by ``eval/fit_weights.py``, never edited by hand):

* **established** — how firmly the original is attested as an expression (WordNet multiword
  lemma, thesaurus entry, frequent Google bigram, Wikipedia title; for a hyphenated compound,
  also its solid form as a word), and whether it swaps a part of a compound;
* **link** — how firmly the lexicons link each changed word to its original, and how much the
  two words' thesaurus neighbourhoods overlap;
* **context** — how much more likely the trigram model finds the original than the observed
  words between their neighbours, and how strongly each phrase's words attract each other (PMI);
* **frequency** — Zipf frequencies of the changed words.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache, partial
from importlib import resources
from operator import mul
from typing import NamedTuple

from unspin import morph
from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import PHRASE_NAMES, Knowledge, neural
from unspin.knowledge import SOLID_ZIPF
from unspin.knowledge.build import PHRASE_BIGRAM, PHRASE_SOLID, PHRASE_THESAURUS, PHRASE_TITLE, PHRASE_WORDNET
from unspin.knowledge.lm import OOV_LOGPROB, TrigramModel
from unspin.stages.tokenize import compound_words


def sigmoid(z: float) -> float:
    """The logistic function, its argument clipped so that no weight vector overflows it."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def shift_log_odds(p: float, shift: float) -> float:
    """``p`` with ``shift`` added to its log-odds."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return 1.0 / (1.0 + math.exp(-(math.log(p / (1 - p)) + shift)))


#: Feature names, in the order of the weight vector.
FEATURES = (
    "established", "est_wordnet", "est_thesaurus", "est_title_only", "est_bigram",
    "link_min", "link_mean", "sim_min", "sim_mean", "changed", "unchanged",
    "context", "pmi_obs", "pmi_orig", "zipf_obs", "zipf_orig", "orig_oov", "phrase_entry",
    "channel", "channel_min", "noisy", "orig_seen", "obs_seen", "est_solid", "part_swap",
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


def established(knowledge: Knowledge, phrase: str) -> tuple[int, float, float]:
    """Source bits attesting ``phrase`` (or its base form), its bigram count strength (0..1) and, for a
    hyphenated compound, the strength (0..1) of its solid form as a word (by Zipf frequency)."""
    bits, phrase = knowledge.attested(phrase)
    bigram = solid = 0.0
    if bits & PHRASE_BIGRAM:
        bigram = min(1.0, max(0.0, (math.log10(max(knowledge.bigram_count(phrase), 1)) - 4) / 3.5))
    if bits & PHRASE_SOLID:
        solid = min(1.0, max(0.0, (knowledge.zipf(phrase.replace("-", "")) - SOLID_ZIPF) / 3))
    return bits, bigram, solid


def _pmi(lm: TrigramModel, words: Sequence[str]) -> float:
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


def _seen(lm: TrigramModel, words: Sequence[str]) -> float:
    """Fraction of neighbouring word pairs the trigram model holds as bigrams."""
    if len(words) < 2:
        return 0.0
    return sum(lm.bigram_seen(a, b) for a, b in zip(words, words[1:])) / (len(words) - 1)


class _Phrase(NamedTuple):
    """What scoring needs of one word sequence, whatever its context (kept per process)."""

    words: tuple[str, ...]
    parts: tuple[str, ...]  # the words with each hyphenated compound split into its parts: what the trigram model reads
    bits: int
    bigram: float
    solid: float
    pmi: float  # mean PMI of neighbouring words
    seen: float  # share of neighbouring pairs the trigram model holds
    oov: float  # share of words the trigram model does not know
    unigrams: float  # sum of the words' unigram log10 probabilities
    evidence: str | None  # "... is an established expression (...)", when it is one
    as_original: float  # the logit terms that depend on the original alone, when these words are one
    as_observed: float  # the logit terms that depend on the observed words alone, when these are they


#: Names of the values :func:`_established_features` returns, in order.
ESTABLISHED = ("est_wordnet", "est_thesaurus", "est_title_only", "est_bigram", "est_solid", "established")


def _established_features(bits: int, bigram: float, solid: float) -> tuple[float, ...]:
    """The :data:`ESTABLISHED` features from source bits, bigram strength and solid-word strength."""
    wordnet, thesaurus = float(bool(bits & PHRASE_WORDNET)), float(bool(bits & PHRASE_THESAURUS))
    title = bool(bits & PHRASE_TITLE)
    return wordnet, thesaurus, float(bits == PHRASE_TITLE), bigram, solid, max(wordnet, 0.8 * thesaurus, 0.6 * title, bigram, solid)


def _compute_phrase(knowledge: Knowledge, words: tuple[str, ...]) -> _Phrase:
    lm, w = knowledge.lm, weights()
    phrase = " ".join(words)
    seq = [p for word in words for p in word.split("-") if p]
    bits, bigram, solid = established(knowledge, phrase)
    names = [name for bit, name in PHRASE_NAMES.items() if bits & bit]
    evidence = f"'{phrase}' is an established expression ({', '.join(names)})" if names else None
    pmi, seen, oov = _pmi(lm, seq), _seen(lm, seq), sum(not lm.known(w) for w in seq) / len(seq)
    est = _established_features(bits, bigram, solid)
    as_original = sum(w.get(name, 0.0) * v for name, v in zip(ESTABLISHED, est))
    as_original += w.get("pmi_orig", 0.0) * pmi + w.get("orig_oov", 0.0) * oov + w.get("orig_seen", 0.0) * seen
    as_original += w.get("noisy", 0.0) * 2.0 * est[-1]  # established
    as_observed = w.get("pmi_obs", 0.0) * pmi + w.get("obs_seen", 0.0) * seen
    return _Phrase(words, tuple(seq), bits, bigram, solid, pmi, seen, oov, sum(lm.logprob(w) for w in seq), evidence, as_original, as_observed)


def _phrase_info(knowledge: Knowledge) -> Callable[[tuple[str, ...]], _Phrase]:
    return knowledge.memo("scoring.phrase", partial(_compute_phrase, knowledge), PHRASE_CACHE)


class SpanContext(NamedTuple):
    """A span's words and what the trigram model makes of them between their neighbours."""

    observed: _Phrase
    left: list[str]  # up to two words before the span
    right: list[str]  # up to two words after it
    fit: float  # log10 P(span and right words | left words) minus the span's unigram log10 P


def span_context(doc: Doc, knowledge: Knowledge, first: int, last: int) -> SpanContext:
    """The context of tokens ``first..last``, shared by every candidate for that span."""
    toks = doc.tokens
    left = [t.lower for t in toks[max(0, first - 4) : first] if t.is_word][-2:]
    right = [t.lower for t in toks[last + 1 : last + 5] if t.is_word][:2]
    obs = _phrase_info(knowledge)(tuple(compound_words(doc, first, last)))
    return SpanContext(obs, left, right, knowledge.lm.score(obs.parts, left, right) - obs.unigrams)


def _static(f: dict[str, float], knowledge: Knowledge, obs: _Phrase, orig: _Phrase, kind: str) -> None:
    """Add the features that do not depend on the span's neighbours to ``f``."""
    f.update(zip(ESTABLISHED, _established_features(orig.bits, orig.bigram, orig.solid)))
    f["part_swap"] = part_swap(obs.words, orig.words)
    f["pmi_obs"] = obs.pmi
    f["pmi_orig"] = orig.pmi
    f["zipf_obs"], f["zipf_orig"] = _zipfs(knowledge, obs.words, orig.words)
    f["orig_oov"] = orig.oov
    f["phrase_entry"] = float(kind == "phrase-entry")
    f["orig_seen"] = orig.seen
    f["obs_seen"] = obs.seen


def _zipfs(knowledge: Knowledge, observed: tuple[str, ...], original: tuple[str, ...]) -> tuple[float, float]:
    """Zipf frequencies of the rarest changed observed word and of the rarest original word that replaced one.

    Words pair up one to one, or else part to part, a hyphenated compound giving one word per part
    (*x-beam pictures* → *x ray images*); a compound with one part changed counts that part
    (*non-direct* → *non-linear*: *direct*, *linear*). Spans of another length count as one phrase each.
    """
    if len(observed) == len(original):
        pairs = [(o, g) for o, g in zip(observed, original) if g not in morph.lemmas(o)]
        pairs = [pair for o, g in pairs for pair in _changed_parts(o, g)]
    else:
        po = [p for w in observed for p in w.split("-")]
        pg = [p for w in original for p in w.split("-")]
        if len(po) == len(pg):
            pairs = [(o, g) for o, g in zip(po, pg) if g not in morph.lemmas(o)]
        else:
            pairs = [(" ".join(observed), " ".join(original))]
    if not pairs:
        return 0.0, 0.0
    return min(_zipf(knowledge, o) for o, _ in pairs), min(_zipf(knowledge, g) for _, g in pairs)


def part_swap(observed: tuple[str, ...], original: tuple[str, ...]) -> float:
    """1.0 where the original changes a part of a hyphenated compound and keeps the rest (*non-direct* → *non-linear*)."""
    if len(observed) != len(original):
        return 0.0
    return float(any(map(swaps_part, observed, original)))


def swaps_part(observed: str, original: str) -> bool:
    """True where ``original`` is the compound ``observed`` with some part changed and as many parts."""
    return observed != original and "-" in observed and observed.count("-") == original.count("-")


def _changed_parts(observed: str, original: str) -> list[tuple[str, str]]:
    """``[(observed, original)]``, or for two compounds of as many parts the parts that differ."""
    if "-" in observed and "-" in original:
        po, pg = observed.split("-"), original.split("-")
        if len(po) == len(pg):
            return [(o, g) for o, g in zip(po, pg) if g not in morph.lemmas(o)] or [(observed, original)]
    return [(observed, original)]


def _zipf(knowledge: Knowledge, word: str) -> float:
    """Zipf frequency of a word; a hyphenated compound the list lacks counts a tenth of its rarest part."""
    z = knowledge.zipf(word)
    if not z and "-" in word and " " not in word:
        z = max(0.0, min(knowledge.zipf(p) for p in word.split("-")) - 1.0)
    return z


def _gain(knowledge: Knowledge, orig: _Phrase, ctx: SpanContext) -> float:
    """How much better (log10) the original fits between the span's neighbours than the observed words,
    beyond raw frequency: a frequent or OOV word gains or loses nothing by itself."""
    return (knowledge.lm.score(orig.parts, ctx.left, ctx.right) - orig.unigrams) - ctx.fit


def _fill(cand: Candidate, knowledge: Knowledge, ctx: SpanContext) -> dict[str, float]:
    """Add the scoring features to ``cand`` (the candidate stage set the link features)."""
    orig = _phrase_info(knowledge)(cand.original)
    f = cand.features
    _static(f, knowledge, ctx.observed, orig, cand.kind)
    gain = _gain(knowledge, orig, ctx)
    f["context"] = max(-4.0, min(6.0, gain))
    # noisy channel: log10 [P(original) P(observed | original)] - log10 [P(observed) P(kept)]
    f["noisy"] = max(-8.0, min(8.0, gain)) + f["channel"] + f["changed"] * REPLACE_LOGODDS + 2.0 * f["established"]
    if orig.evidence:
        cand.evidence.append(orig.evidence)
    cand.evidence.append(f"trigram model: original fits the context {gain:+.1f} log10 better")
    return f


def features(doc: Doc, cand: Candidate, knowledge: Knowledge) -> dict[str, float]:
    """Compute the scoring features of ``cand`` (adds to those the candidate stage set)."""
    return _fill(cand, knowledge, span_context(doc, knowledge, cand.first, cand.last))


def score_candidates(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Set ``score`` (0..1) on every candidate from its features and the fitted weights."""
    w = weights()
    bias, vector = w.get("bias", 0.0), [w.get(name, 0.0) for name in FEATURES]
    spans: dict[tuple[int, int], SpanContext] = {}
    for cand in doc.candidates:
        ctx = spans.get((cand.first, cand.last))
        if ctx is None:  # the span's context is shared by all its candidates
            ctx = spans[(cand.first, cand.last)] = span_context(doc, knowledge, cand.first, cand.last)
        f = _fill(cand, knowledge, ctx)
        z = bias + sum(map(mul, vector, map(f.__getitem__, FEATURES)))
        cand.score = sigmoid(z)
    return doc


# The same score, taken apart for the candidate stage's early exit: a span none of whose candidates can
# reach the score that matters downstream is dropped before any of them is built (see ``pruning_floor``).
# z = (the context-free part, kept per span) + (the part that depends on the neighbours, through ``gain``).

#: Margin (logits) by which a span must miss the floor to be dropped: far above float rounding.
PRUNE_MARGIN = 1e-6


def context_logit(gain: float) -> float:
    """The part of a candidate's logit that depends on its context ``gain``."""
    w = weights()
    return w.get("context", 0.0) * max(-4.0, min(6.0, gain)) + w.get("noisy", 0.0) * max(-8.0, min(8.0, gain))


@lru_cache(maxsize=1)
def context_headroom() -> float:
    """The largest :func:`context_logit` any context can give (it is piecewise linear, flat beyond ±8)."""
    return max(context_logit(g) for g in (-8.0, -4.0, 6.0, 8.0))


def static_logit(knowledge: Knowledge, observed: tuple[str, ...], original: tuple[str, ...], kind: str, link: dict[str, float]) -> float:
    """The context-free part of the logit of a candidate whose candidate-stage features are ``link``.

    The same sum as :func:`score_candidates` makes, less :func:`context_logit`, gathered from parts kept
    per phrase; it equals the full logit minus the context part up to float rounding (tested).
    """
    w = weights()
    info = _phrase_info(knowledge)
    obs, orig = info(observed), info(original)
    zipf_obs, zipf_orig = _zipfs(knowledge, obs.words, orig.words)
    z = w.get("bias", 0.0) + orig.as_original + obs.as_observed + sum(w.get(name, 0.0) * v for name, v in link.items())
    z += w.get("zipf_obs", 0.0) * zipf_obs + w.get("zipf_orig", 0.0) * zipf_orig + w.get("phrase_entry", 0.0) * (kind == "phrase-entry")
    z += w.get("part_swap", 0.0) * part_swap(obs.words, orig.words)
    return z + w.get("noisy", 0.0) * (link["channel"] + link["changed"] * REPLACE_LOGODDS)


def pruning_floor(config: Config) -> float | None:
    """The logit below which a span's cheap score changes no output of :func:`unspin.check`, or None.

    A span is a finding only from ``min_confidence`` up; the neural rerank (when it runs) reads
    spans from ``rerank_floor`` up. A user lexicon may add candidates to any span, so with one,
    nothing is dropped (None).
    """
    if config.lexicon:
        return None
    floor = config.min_confidence
    if weights().get("rerank") and neural.available():
        floor = min(floor, config.rerank_floor)
    if not 0.0 < floor < 1.0:
        return None
    return math.log(floor / (1.0 - floor)) - PRUNE_MARGIN


def reaches(knowledge: Knowledge, ranked: Iterable[tuple[float, tuple[str, ...]]], ctx: SpanContext, floor: float) -> bool:
    """True when some original in ``ranked`` (``(static logit, original)``, best first) scores ``floor`` or more."""
    headroom, info = context_headroom(), _phrase_info(knowledge)
    for static, original in ranked:
        if static + headroom < floor:
            return False  # neither this original nor any after it can get there
        if static + context_logit(_gain(knowledge, info(original), ctx)) >= floor:
            return True
    return False
