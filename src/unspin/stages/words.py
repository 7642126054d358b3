"""Stage 3a: one-word spins, found by reading the text once with a causal language model.

Phrase look-ups need a phrase; a spinner that swaps a single word (*invoice* for *bill*, *folks*
for *people*) leaves none. Here the neural model reads the whole text left to right, and at every
content word compares the observed word with each original the inverted thesaurus offers — all
from the one next-token distribution at that place (first model token of each word). Originals
that read much better become candidates of kind ``word``, scored by a small logistic model
(weights ``word`` in ``data/weights.json``, fitted by ``eval/fit_word_weights.py`` on synthetic
spins); the rerank stage then reads the best of them with their right-hand context.

One swapped word proves little: clean prose is full of words a synonym could replace. What gives
a spun text away is how *many* of its words read worse than a synonym would. ``local_rate`` is
that share among the words around each one (a window of :data:`RATE_WINDOW` words that have
options; shrunk towards :data:`RATE_PRIOR` where a text is short), and it is a feature of every
one-word candidate: the same swap is more suspicious in a passage full of them.
Skipped when the neural model is not installed.
"""
from __future__ import annotations

import math

from unspin import morph
from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import Knowledge, Link, neural
from unspin.stages.scoring import weights

#: Feature names of a one-word candidate, in the order of its weight vector.
WORD_FEATURES = ("gain", "obs_lp", "zipf_obs", "zipf_orig", "capital", "local_rate")
#: An original must read at least this much better (nats, first token) to become a candidate.
MIN_GAIN = 1.0
#: Originals rarer than this (Zipf) are not proposed: spinners replace common words by rarer ones.
MIN_ORIG_ZIPF = 3.0
#: Candidates kept per word.
PER_WORD = 3
#: A word "reads worse than a synonym" when its best original gains at least this much (nats).
RATE_GAIN = 2.0
#: Words with options on each side of a word that its ``local_rate`` counts.
RATE_WINDOW = 75
#: The share assumed before any words are seen, and how many words' worth of weight it has.
RATE_PRIOR = 0.27
RATE_PRIOR_WEIGHT = 20.0


def word_options(word: str, knowledge: Knowledge, config: Config) -> dict[str, Link]:
    """One-word originals a spinner could have replaced by ``word``, inflected like it."""
    if not word.isalpha() or len(word) < 2 or knowledge.zipf(word) >= config.function_word_zipf:
        return {}
    forms = morph.lemmas(word)
    out: dict[str, Link] = {}
    for form in forms:
        for link in knowledge.links(form):
            orig = link.original
            if " " in orig or "-" in orig or orig in forms or knowledge.zipf(orig) < MIN_ORIG_ZIPF:
                continue
            if morph.spelling_variant(orig, form):
                continue  # *colour* for *color* is a spelling, not a spin
            variant = morph.inflect_like(orig, word)
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
    for i, tok in enumerate(doc.tokens):
        if not tok.is_word:
            continue
        low = tok.lower
        if low not in cache:
            cache[low] = word_options(low, knowledge, config)
        opts = cache[low]
        if opts:
            items = list(opts.items())
            asks.append((tok.start, [morph.match_case(o, tok.text) for o, _ in items]))
            meta.append((i, items))
    read = lm.next_word_logprobs(doc.text, asks)
    rates = local_rates([max(got[1], default=-50.0) - got[0] >= RATE_GAIN if got else None for got in read])
    out = []
    for (i, items), got, rate in zip(meta, read, rates):
        if got is None:
            continue
        obs_lp, alt_lps = got
        tok = doc.tokens[i]
        base = morph.lemmas(tok.lower)
        ranked = sorted(zip(alt_lps, range(len(items))), reverse=True)[:PER_WORD]
        for lp, k in ranked:
            gain = lp - obs_lp
            if gain < MIN_GAIN:
                break
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
                local_rate=rate,
            )
            cand.evidence.append(f"'{tok.lower}' can stand for '{orig}' ({', '.join(link.sources())})")
            cand.evidence.append(f"SmolLM2: '{orig}' reads {gain:.1f} nats likelier than '{tok.text}' after the words before it")
            out.append(cand)
    return out


def local_rates(hits: list[bool | None]) -> list[float]:
    """For each word, the smoothed share of ``True`` among the words within :data:`RATE_WINDOW` of it
    (``None``: a word the model could not read, left out of the counts)."""
    seen = [0]
    count = [0]
    for h in hits:
        seen.append(seen[-1] + (h is not None))
        count.append(count[-1] + bool(h))
    out = []
    for j in range(len(hits)):
        lo, hi = max(0, j - RATE_WINDOW), min(len(hits), j + RATE_WINDOW + 1)
        n, k = seen[hi] - seen[lo], count[hi] - count[lo]
        out.append((k + RATE_PRIOR * RATE_PRIOR_WEIGHT) / (n + RATE_PRIOR_WEIGHT))
    return out


def word_candidates(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Add scored one-word candidates to ``doc.candidates``."""
    w = weights().get("word")
    if not w or not config.word_spins:
        return doc
    for cand in word_features(doc, knowledge, config):
        z = w["bias"] + sum(w[name] * cand.features[name] for name in WORD_FEATURES)
        cand.score = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        doc.candidates.append(cand)
    return doc
