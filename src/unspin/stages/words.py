"""Stage 3a: one-word spins, found by reading the text once with a causal language model.

Phrase look-ups need a phrase; a spinner that swaps a single word (*invoice* for *bill*, *folks*
for *people*) leaves none. Here the neural model reads the whole text left to right, and at every
content word compares the observed word with each original the inverted thesaurus offers — all
from the one next-token distribution at that place (first model token of each word). Originals
that read much better become candidates of kind ``word``, scored by a small logistic model
(weights ``word`` in ``data/weights.json``, fitted by ``eval/fit_word_weights.py`` on synthetic
spins); the rerank stage then reads the best of them with their right-hand context.
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
WORD_FEATURES = ("gain", "obs_lp", "zipf_obs", "zipf_orig", "capital")
#: An original must read at least this much better (nats, first token) to become a candidate.
MIN_GAIN = 1.0
#: Originals rarer than this (Zipf) are not proposed: spinners replace common words by rarer ones.
MIN_ORIG_ZIPF = 3.0
#: Candidates kept per word.
PER_WORD = 3


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
    out = []
    for (i, items), got in zip(meta, lm.next_word_logprobs(doc.text, asks)):
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
            )
            cand.evidence.append(f"'{tok.lower}' can stand for '{orig}' ({', '.join(link.sources())})")
            cand.evidence.append(f"SmolLM2: '{orig}' reads {gain:.1f} nats likelier than '{tok.text}' after the words before it")
            out.append(cand)
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
