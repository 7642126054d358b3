"""Stage 4b: two neighbouring words that both read like swaps, in a pairing English never uses.

The phrase stages find a tortured phrase only when the lexicons know its original as an established
expression; a technical term they lack (*warmth brink* for *heat threshold*, an invented example) goes
unseen, and with one such phrase in a short text the one-word stage has too little evidence of a spun
passage to report its words. Yet such a phrase gives itself away: each of its words reads far worse,
where it stands, than a synonym the thesaurus offers (the one-word stage has measured exactly this, its
``gain``), the two words together form a pairing the trigram model has never seen, and the model finds
the pair itself very unlikely after the words before it.

So two adjacent lower-case words, each with a one-word reading at least :data:`MIN_WORD_GAIN` nats
better than the word as written and together at least :data:`MIN_PAIR_GAIN`, whose pairing the trigram
model does not hold and whose own model tokens average at most :data:`MAX_SURPRISE` nats where they stand
(:func:`surprise`), become a finding of kind ``pair`` at :data:`PAIR_CONFIDENCE`, moved by how spun the
passage around it reads (:mod:`unspin.stages.passage`), where no finding is yet (one that is, at whatever
threshold the caller asked for, keeps its place and its suggestions). A pair
finding has **no suggestions**: the first-token readings that detect it seldom restore it (each word's
best reading is chosen without its neighbour's), so :func:`unspin.restore` leaves it alone and a
reader sees where to look. Capitalised words are left out: a name (*thumb Ford*) or a title's first
words (*Recognizing named*), where the model's reading says little.

The thresholds were chosen on the first 1,200 PPS dev documents (600 tortured phrases, 600 controls)
and all 160 clean dev documents, from the one-word stage's gains and one model read of each pair
(tortured phrases found by nothing else at the default threshold / controls flagged / clean pairs,
counted whether or not another finding covers them):

=====================================  =====  ========  =====
gains (each, together), surprise       new    controls  clean
=====================================  =====  ========  =====
5 and 15 nats, no surprise test         28     2         5
4 and 12, no surprise test              70     9        33
4 and 10, surprise <= -12.5             60     1         9
**4 and 10, surprise <= -13.5**         40     1         3
4 and 10, surprise <= -15               13     0         1
=====================================  =====  ========  =====

The surprise test is what lets the gains go lower: a clean pair whose words each read worse than a
synonym still reads as English where it stands (*approaches thus*, *tackle discourse*), a tortured one
does not.
"""
from __future__ import annotations

from unspin.config import Config
from unspin.doc import Doc, Finding
from unspin.knowledge import Knowledge, neural
from unspin.stages.passage import passage_weight
from unspin.stages.rerank import model_context
from unspin.stages.scoring import shift_log_odds

#: Each word's best one-word reading must beat the word as written by this much (nats, first token).
MIN_WORD_GAIN = 4.0
#: ... and the two together by this much.
MIN_PAIR_GAIN = 10.0
#: ... and the pair, read as it stands after the words before it, must be this surprising: the mean
#: log P of its model tokens (nats) at most this.
MAX_SURPRISE = -13.5
#: The confidence of such a finding: above the default reporting threshold (0.55), well below the
#: confidences the fitted stages give their surest findings.
PAIR_CONFIDENCE = 0.6


def _best_readings(doc: Doc) -> dict[int, tuple[float, str]]:
    """Token index -> (gain, original) of its best one-word reading."""
    best: dict[int, tuple[float, str]] = {}
    for cand in doc.candidates:
        if cand.kind != "word" or "gain" not in cand.features:
            continue
        gain = cand.features["gain"]
        if cand.first not in best or gain > best[cand.first][0]:
            best[cand.first] = (gain, cand.original[0])
    return best


def surprise(doc: Doc, first: int, last: int) -> float | None:
    """Mean log P (nats) per model token of tokens ``first..last`` as written, after the words before
    them; None without the neural model."""
    lm = neural.get()
    if lm is None:
        return None
    prefix, gap, _ = model_context(doc, first, last)
    observed = gap + doc.text[doc.tokens[first].start : doc.tokens[last].end]
    # each option's score includes the prefix's last token, read again in case it merges with the
    # option's first characters: the empty option is that token alone
    logp, prefix_end = lm.continuations(prefix, [observed, ""])
    return (logp - prefix_end) / max(1, len(lm.tokenize(observed)))


def find_odd_pairs(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Add a ``pair`` finding for each pair of neighbouring words that both read like swaps and that the
    trigram model has never seen together, where no finding is yet (``doc.findings`` stays sorted)."""
    if not config.odd_pairs:
        return doc
    best = _best_readings(doc)
    if len(best) < 2:
        return doc
    taken = [(f.start, f.end) for f in doc.findings]
    read = sorted(doc.passage)
    added = []
    tokens = doc.tokens
    words = [i for i, tok in enumerate(tokens) if tok.is_word]
    for i, j in zip(words, words[1:]):
        if i not in best or j not in best or doc.text[tokens[i].end : tokens[j].start] not in (" ", "-"):
            continue  # neighbours: one space between them, or the hyphen of a compound
        if tokens[i].text[:1].isupper() or tokens[j].text[:1].isupper():
            continue  # a name, or the start of a title or sentence: the model's reading says little there
        start, end = tokens[i].start, tokens[j].end
        (gain_i, orig_i), (gain_j, orig_j) = best[i], best[j]
        if min(gain_i, gain_j) < MIN_WORD_GAIN or gain_i + gain_j < MIN_PAIR_GAIN:
            continue
        if knowledge.lm.bigram_seen(tokens[i].lower, tokens[j].lower):
            continue
        if any(s < end and e > start for s, e in taken):
            continue
        shift, passage = passage_weight(doc, i, j, read)
        confidence = shift_log_odds(PAIR_CONFIDENCE, shift) if shift else PAIR_CONFIDENCE
        if confidence < config.min_confidence:
            continue
        odd = surprise(doc, i, j)
        if odd is None or odd > MAX_SURPRISE:
            continue
        taken.append((start, end))
        evidence = [
            f"SmolLM2 reads each word far worse than a synonym here: '{orig_i}' {gain_i:+.1f} nats for "
            f"'{tokens[i].text}', '{orig_j}' {gain_j:+.1f} for '{tokens[j].text}'",
            f"SmolLM2 finds the pair itself very unlikely here: {odd:.1f} nats per token",
            f"the trigram model has never seen '{tokens[i].lower} {tokens[j].lower}'",
            "no lexicon holds an original for it: no suggestion",
        ] + ([passage] if passage else [])
        added.append(Finding(start, end, doc.text[start:end], confidence, "pair", [], evidence))
    if added:
        doc.findings = sorted(doc.findings + added, key=lambda f: f.start)
    return doc
