"""Stage 3a: one-word spins, found by reading the text once with a causal language model.

Phrase look-ups need a phrase; a spinner that swaps a single word (*invoice* for *bill*, *folks*
for *people*) leaves none. Here the neural model reads the whole text left to right, and at every
content word compares the observed word with each original the inverted thesaurus offers — all
from the one next-token distribution at that place (first model token of each word). Originals
that read much better become candidates of kind ``word``, scored by a small logistic model
(weights ``word`` in ``data/weights.json``, fitted by ``eval/fit_word_weights.py`` on synthetic
spins); the rerank stage then reads the best of them with their right-hand context. Every occurrence of
a word is offered the originals any of its occurrences kept (:mod:`unspin.stages.agreement` then
lets them agree).

One swapped word proves little: clean prose is full of words a synonym could replace. What gives
a spun text away is how *many* of its words read worse than a synonym would. So a candidate's
confidence is the product of two probabilities, each from its own small logistic model:

- ``passage``: that the passage around the word was spun, from how many of the words with options
  within :data:`RATE_WINDOW` of it read worse than a synonym (``hits``) and how many do not
  (``misses``), weighed against :attr:`Config.spun_prior` (weights ``passage``). A short text
  gives little evidence either way (and its counts are damped), so its words keep close to the prior.
- ``within``: that this word is one of the swapped ones, given a spun passage (weights ``word``,
  features :data:`WORD_FEATURES`); the rerank stage refines it with the right-hand context.

Skipped when the neural model is not installed.
"""
from __future__ import annotations

import math

from unspin import morph
from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import Knowledge, Link, neural
from unspin.stages.scoring import sigmoid, weights

#: Feature names of a one-word candidate, in the order of its weight vector.
WORD_FEATURES = ("gain", "obs_lp", "zipf_obs", "zipf_orig", "capital", "local_rate")
#: An original must read at least this much better (nats, first token) to become a candidate.
MIN_GAIN = 1.0
#: Originals rarer than this (Zipf) are not proposed: spinners replace common words by rarer ones.
MIN_ORIG_ZIPF = 3.0
#: Candidates kept per word.
PER_WORD = 3
#: Which candidates a word keeps: the originals that read best, each helped by how plainly the
#: lexicons make it a synonym (nats per unit of neighbourhood overlap and of link strength). Of the
#: many originals a common word could stand for, a spinner most likely replaced a close synonym:
#: *home* stands for *house* far more often than for *asylum* or *cradle*.
SIM_NATS = 4.0
LINK_NATS = 2.0
#: A word "reads worse than a synonym" when its best original gains at least this much (nats).
RATE_GAIN = 2.0
#: Words with options on each side of a word that its ``local_rate`` counts.
RATE_WINDOW = 75
#: The share assumed before any words are seen, and how many words' worth of weight it has
#: (``local_rate`` only).
RATE_PRIOR = 0.27
RATE_PRIOR_WEIGHT = 20.0
#: The passage evidence of ``n`` words counts ``n / (n + PASSAGE_DAMPING)`` of its full weight: one
#: sentence of odd words is not yet a spun passage.
PASSAGE_DAMPING = 40.0


def word_options(word: str, knowledge: Knowledge, config: Config) -> dict[str, Link]:
    """One-word originals a spinner could have replaced by ``word``, inflected like it."""
    if not word.isalpha() or len(word) < 2 or knowledge.zipf(word) >= config.function_word_zipf:
        return {}
    forms = morph.lemmas(word)
    as_listed = morph.is_base_form(word)
    out: dict[str, Link] = {}
    for form in forms:
        for link in knowledge.links(form):
            orig = link.original
            if " " in orig or "-" in orig or orig in forms or knowledge.zipf(orig) < MIN_ORIG_ZIPF:
                continue
            if morph.spelling_variant(orig, form):
                continue  # *colour* for *color* is a spelling, not a spin
            # a headword that is the word itself in its base form (the noun *undertaking*) links to originals
            # as they stand (*project*, not *projecting*); each other inflection the word may have is offered
            variants = morph.inflections_like(orig, word)
            if form == word and as_listed and orig not in variants:
                variants = (orig, *variants)
            for variant in variants:
                if variant in forms:
                    continue
                if variant not in out or link.strength > out[variant].strength:
                    out[variant] = link
    return out


def word_features(doc: Doc, knowledge: Knowledge, config: Config) -> list[Candidate]:
    """The one-word candidates of ``doc`` with their features (unscored); [] without the model."""
    lm = neural.get()
    if lm is None:
        return []
    asks, meta = [], []
    cache: dict[str, dict[str, Link]] = {}
    reading = doc.reading
    for i, tok in enumerate(doc.tokens):
        if not tok.is_word:
            continue
        at = tok.start if reading is None else reading.starts.get(i)
        if at is None:
            continue
        low = tok.lower
        if low not in cache:
            cache[low] = word_options(low, knowledge, config)
        opts = cache[low]
        if opts:
            items = list(opts.items())
            alts = [morph.match_case(o, tok.text) for o, _ in items]
            if reading is not None and i in reading.changed:
                alts.append(tok.text)  # the reading has its restoration here: compare the word as observed
            asks.append((at, alts))
            meta.append((i, items))
    read = lm.next_word_logprobs(doc.text if reading is None else reading.text, asks)
    if reading is not None:
        read = [(got[1][-1], got[1][:-1]) if got and i in reading.changed else got for (i, _), got in zip(meta, read)]
    hits = [max(got[1], default=-50.0) - got[0] >= RATE_GAIN if got else None for got in read]
    kept: dict[int, list[int]] = {}
    for n, ((i, items), got) in enumerate(zip(meta, read)):
        if got is not None:
            obs_lp, alt_lps = got
            base = morph.lemmas(doc.tokens[i].lower)
            readable = [k for k, lp in enumerate(alt_lps) if lp - obs_lp >= MIN_GAIN]
            sims = {k: max(knowledge.similarity(form, items[k][1].original) for form in base) for k in readable}
            kept[n] = keep_originals(readable, alt_lps, sims, {k: items[k][1].strength for k in readable},
                                     {k: items[k][1].original for k in readable})
    # a spinner swaps a word the same way wherever it uses it: every occurrence of a word is offered
    # the originals any occurrence kept (same word, same options, same indices)
    by_word: dict[str, list[int]] = {}
    for n, ks in kept.items():
        have = by_word.setdefault(doc.tokens[meta[n][0]].lower, [])
        have.extend(k for k in ks if k not in have)
    counts = window_counts(hits)
    if reading is None:  # the text as written: how spun each passage reads (see unspin.stages.passage)
        doc.passage = {i: c for (i, _), got, c in zip(meta, read, counts) if got is not None}
    out = []
    for n, ((i, items), got, (win_k, win_n)) in enumerate(zip(meta, read, counts)):
        if got is None:
            continue
        obs_lp, alt_lps = got
        tok = doc.tokens[i]
        base = morph.lemmas(tok.lower)
        for k in kept[n] + [k for k in by_word.get(tok.lower, ()) if k not in kept[n]]:
            gain = alt_lps[k] - obs_lp
            orig, link = items[k]
            cand = Candidate(i, i, (orig,), "word")
            cand.features.update(
                gain=min(gain, 15.0),
                obs_lp=max(obs_lp, -20.0),
                link=link.strength,
                sim=max(knowledge.similarity(form, link.original) for form in base),
                channel=max(knowledge.channel(form, link.original) for form in base),
                zipf_obs=knowledge.zipf(tok.lower),
                zipf_orig=knowledge.zipf(orig),
                capital=float(tok.text[:1].isupper()),
                sibling=float(k not in kept[n]),
                local_rate=local_rate(win_k, win_n),
                hits=float(win_k),
                misses=float(win_n - win_k),
            )
            cand.evidence.append(f"'{tok.lower}' can stand for '{orig}' ({', '.join(link.sources())})")
            if cand.features["sibling"]:
                cand.evidence.append(f"SmolLM2: here '{orig}' reads {gain:+.1f} nats against '{tok.text}' after the words before it; "
                                     f"offered because another occurrence of '{tok.lower}' reads as its swap")
            else:
                cand.evidence.append(f"SmolLM2: '{orig}' reads {gain:.1f} nats likelier than '{tok.text}' after the words before it")
            out.append(cand)
    return out


def keep_originals(readable: list[int], lps: list[float], sims: dict[int, float], strengths: dict[int, float],
                   groups: dict[int, str] | None = None) -> list[int]:
    """The :data:`PER_WORD` originals a word keeps among ``readable`` (indices into ``lps`` of those that read
    well enough; ``sims`` and ``strengths`` are given for them): best first by log P in context, each raised
    by its synonymy (:data:`SIM_NATS`, :data:`LINK_NATS`). Forms of one original (``groups``: index to
    base form) share a place: the model reads only a word's first token, which does not tell *project*
    from *projecting*, so both go on to the full reading."""
    ranked = sorted(readable, key=lambda k: -(lps[k] + SIM_NATS * sims[k] + LINK_NATS * strengths[k]))
    places: list[str | int] = []
    out = []
    for k in ranked:
        place = k if groups is None else groups[k]
        if place not in places:
            if len(places) == PER_WORD:
                continue
            places.append(place)
        out.append(k)
    return out


def window_counts(hits: list[bool | None]) -> list[tuple[int, int]]:
    """For each word, ``(k, n)``: how many of the words within :data:`RATE_WINDOW` of it are ``True``,
    and how many were read at all (``None``: a word the model could not read, left out)."""
    seen = [0]
    count = [0]
    for h in hits:
        seen.append(seen[-1] + (h is not None))
        count.append(count[-1] + bool(h))
    out = []
    for j in range(len(hits)):
        lo, hi = max(0, j - RATE_WINDOW), min(len(hits), j + RATE_WINDOW + 1)
        out.append((count[hi] - count[lo], seen[hi] - seen[lo]))
    return out


def local_rate(k: int, n: int) -> float:
    """The share ``k / n``, shrunk towards :data:`RATE_PRIOR` where ``n`` is small."""
    return (k + RATE_PRIOR * RATE_PRIOR_WEIGHT) / (n + RATE_PRIOR_WEIGHT)


def within_probability(features: dict[str, float], w: dict[str, float]) -> float:
    """Probability that a candidate's word is one the spinner swapped, given a spun passage (weights ``word``)."""
    return sigmoid(w["bias"] + sum(w[name] * features[name] for name in WORD_FEATURES))


def passage_evidence(hits: float, misses: float) -> tuple[float, float]:
    """The counts as the passage model weighs them: damped where there are few (:data:`PASSAGE_DAMPING`)."""
    n = hits + misses
    damp = n / (n + PASSAGE_DAMPING)
    return hits * damp, misses * damp


def passage_log_ratio(hits: float, misses: float, w: dict[str, float]) -> float:
    """Log likelihood ratio, spun against clean, of a passage with ``hits`` words reading worse than a
    synonym and ``misses`` reading fine (weights ``passage``; counts damped by :func:`passage_evidence`)."""
    h, m = passage_evidence(hits, misses)
    return w["hits"] * h + w["misses"] * m


def passage_probability(hits: float, misses: float, prior: float, w: dict[str, float]) -> float:
    """Probability that a passage with ``hits`` words reading worse than a synonym and ``misses``
    reading fine was spun, for a text spun beforehand with probability ``prior``."""
    prior = min(max(prior, 1e-6), 1 - 1e-6)
    return sigmoid(math.log(prior / (1 - prior)) + passage_log_ratio(hits, misses, w))


def word_candidates(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Add scored one-word candidates to ``doc.candidates``."""
    w, w_passage = weights().get("word"), weights().get("passage")
    if not w or not w_passage or not config.word_spins:
        return doc
    for cand in word_features(doc, knowledge, config):
        f = cand.features
        f["within"] = within_probability(f, w)
        f["passage"] = passage_probability(f["hits"], f["misses"], config.spun_prior, w_passage)
        cand.score = f["passage"] * f["within"]
        cand.evidence.append(
            f"{f['hits']:.0f} of the {f['hits'] + f['misses']:.0f} nearby words with synonyms read worse than one would: "
            f"the passage reads spun with probability {f['passage']:.2f} (prior {config.spun_prior:g})"
        )
        doc.candidates.append(cand)
    return doc
