"""Stage 4b: two neighbouring words that both read like swaps, in a pairing English never uses.

The phrase stages find a tortured phrase only when the lexicons know its original as an established
expression; a technical term they lack (*highlight guide* for *feature map*, an invented example) goes unseen,
and with one such phrase in a short text the one-word stage has too little evidence of a spun passage
to report its words. Yet such a phrase gives itself away: each of its words reads far worse, where it
stands, than a synonym the thesaurus offers (the one-word stage has measured exactly this, its
``gain``), and the two words together form a pairing the trigram model has never seen.

So two adjacent lower-case words, each with a one-word reading at least :data:`MIN_WORD_GAIN` nats
better than the word as written and together at least :data:`MIN_PAIR_GAIN`, whose pairing the trigram
model does not hold, become a finding of kind ``pair`` at :data:`PAIR_CONFIDENCE` where no finding is yet
(one that is, at whatever threshold the caller asked for, keeps its place and its suggestions). A pair
finding has **no suggestions**: the first-token readings that detect it seldom restore it (each word's
best reading is chosen without its neighbour's), so :func:`unspin.restore` leaves it alone and a
reader sees where to look.

Measured on the first 1,200 PPS dev documents (600 tortured phrases, 600 controls) and 80 clean dev
documents (26,425 words), with the one-word stage's gains: 70 of the 600 tortured phrases hold such a
pair (28 of them found by nothing else at the default threshold), 2 of the 600 controls do, and the
clean text 4 (0.015 per 100 words). Lower thresholds find more and flag more: 5 and 14 nats gave
83 / 37 new, 4 controls and 7 clean flags; 4 and 12 nats 140 / 67 new, 9 and 28. Capitalised words
are left out: 3 of the 7 pair findings on all 160 clean dev documents were a name (*thumb Ford*) or a
title's first words (*Recognizing named*), and none of the 123 tortured phrases on PPS dev that only a
pair finding catches holds one.
"""
from __future__ import annotations

from unspin.config import Config
from unspin.doc import Doc, Finding
from unspin.knowledge import Knowledge

#: Each word's best one-word reading must beat the word as written by this much (nats, first token).
MIN_WORD_GAIN = 5.0
#: ... and the two together by this much.
MIN_PAIR_GAIN = 15.0
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


def find_odd_pairs(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Add a ``pair`` finding for each pair of neighbouring words that both read like swaps and that the
    trigram model has never seen together, where no finding is yet (``doc.findings`` stays sorted)."""
    if not config.odd_pairs or config.min_confidence > PAIR_CONFIDENCE:
        return doc
    best = _best_readings(doc)
    if len(best) < 2:
        return doc
    taken = [(f.start, f.end) for f in doc.findings]
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
        taken.append((start, end))
        evidence = [
            f"SmolLM2 reads each word far worse than a synonym here: '{orig_i}' {gain_i:+.1f} nats for "
            f"'{tokens[i].text}', '{orig_j}' {gain_j:+.1f} for '{tokens[j].text}'",
            f"the trigram model has never seen '{tokens[i].lower} {tokens[j].lower}'",
            "no lexicon holds an original for it: no suggestion",
        ]
        added.append(Finding(start, end, doc.text[start:end], PAIR_CONFIDENCE, "pair", [], evidence))
    if added:
        doc.findings = sorted(doc.findings + added, key=lambda f: f.start)
    return doc
