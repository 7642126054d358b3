"""Stages 3a–3c, twice: read the text again with its confident restorations in place.

A spinner changes neighbouring words, so the model reads each spun word after others: *the White
Home declared* leaves *declared* with a spun left context, and the original a word needs can read
worse than a wrong one there. Once the first reading has restored the spans it is sure of
(confidence at least :attr:`Config.reread_confidence`, best restoration of each; a one-word
restoration only where it is likely, :data:`MIN_ORDER`), the one-word stage, the rerank and the
agreement run again with the model reading that restored text (:class:`~unspin.doc.Reading`), while
each word is still compared as observed. Unchanged passages cost nothing the second time (the
model's reads are cached); a text with no confident finding is read once.
"""
from __future__ import annotations

import copy

from unspin.config import Config
from unspin.doc import Candidate, Doc, Reading
from unspin.knowledge import Knowledge, neural
from unspin.stages.agreement import agree_across_text
from unspin.stages.findings import finding_spans, render, render_words
from unspin.stages.rerank import rerank
from unspin.stages.words import word_candidates


def read_in_context(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Run the one-word stage, the rerank and the agreement; again over the restored reading where there is one."""
    if config.reread_confidence is None or not config.word_spins or neural.get() is None:
        _read(doc, knowledge, config)  # only one-word candidates are read again: nothing a second reading could change
        return doc
    cheap = copy.deepcopy(doc.candidates)
    _read(doc, knowledge, config)
    reading = restored_reading(doc, config.reread_confidence)
    if reading is not None:
        doc.candidates, doc.reading = cheap, reading
        _read(doc, knowledge, config)
    return doc


def _read(doc: Doc, knowledge: Knowledge, config: Config) -> None:
    word_candidates(doc, knowledge, config)
    rerank(doc, knowledge, config)
    agree_across_text(doc, knowledge, config)


#: A one-word restoration goes into the reading only where it is at least this likely to be the word that
#: was there (``features["order"]``): a wrong original misleads the model about its neighbours.
MIN_ORDER = 0.15


def likely_restoration(cand: Candidate) -> bool:
    """True where ``cand`` (a span's best restoration) is likely enough to read its neighbours by."""
    return cand.features.get("order", 1.0) >= MIN_ORDER


def restored_reading(doc: Doc, floor: float | None) -> Reading | None:
    """``doc``'s text with the best restoration of every span scoring at least ``floor`` in place (one-word
    restorations only where :func:`likely_restoration`); ``None`` where none is (or ``floor`` is ``None``)."""
    if floor is None or not doc.candidates:
        return None
    best = {span: cands[0] for span, _, cands in finding_spans(doc, floor) if likely_restoration(cands[0])}
    if not best:
        return None
    spans = sorted(best)
    pieces: list[str] = []
    starts: dict[int, int] = {}
    changed: set[int] = set()
    pos = length = 0  # where the copy of doc.text has reached, and the length of the reading so far

    def copy_to(end: int) -> None:
        nonlocal pos, length
        pieces.append(doc.text[pos:end])
        length += end - pos
        pos = end

    spans.append((len(doc.tokens), len(doc.tokens)))
    i = 0
    for first, last in spans:
        for k in range(i, first):  # tokens between restorations keep their words
            if doc.tokens[k].is_word:
                starts[k] = doc.tokens[k].start - pos + length
        if first >= len(doc.tokens):
            break
        cand = best[(first, last)]
        copy_to(doc.tokens[first].start)
        words = [k for k in range(first, last + 1) if doc.tokens[k].is_word]
        each = render_words(doc, cand)
        if each is None:  # another length: the first word's place is where the restoration starts
            text = render(doc, cand)
            starts[words[0]] = length
            changed.add(words[0])
            pieces.append(text)
            length += len(text)
        else:
            for n, (k, new) in enumerate(zip(words, each)):
                if n:
                    copy_to(doc.tokens[k].start)  # the separator as written
                starts[k] = length
                if new != doc.tokens[k].text:
                    changed.add(k)
                pieces.append(new)
                length += len(new)
                pos = doc.tokens[k].end
        pos = doc.tokens[last].end
        i = last + 1
    copy_to(len(doc.text))
    if not changed:
        return None
    return Reading("".join(pieces), starts, frozenset(changed))
