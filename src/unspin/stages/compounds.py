"""Stage 2b: hyphenated compounds, read as one word each.

The tokenizer splits *non-linear* into *non* and *linear*, and the candidate stage reads a text token
by token: that finds *actual-time* → *real time*, an established phrase, but it cannot see a compound
whose part a spinner swapped when only the compound is established, nor a compound that stands for a
single word. Here each compound is one word:

* **part swaps**: a compound that no resource knows, one of whose parts the inverted thesaurus turns
  into a compound that one does (:meth:`Knowledge.compound_bits`: its spaced form is an established
  phrase, WordNet or a thesaurus lists it, or written solid it is a word): *non-direct* → *non-linear*,
  *pre-managing* → *pre-processing*. These are candidates of kind ``compound``.
* **whole swaps**: a compound a thesaurus lists as a synonym of a word, in a span that with that word is
  an established phrase (the phrase search of stage 2, over words as written): *far-flung sensing* →
  *remote sensing*. These are candidates of kind ``phrase``.

Originals are written as compounds (*non-linear*); the scoring stage reads their parts.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

from unspin import morph
from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import Knowledge, Link
from unspin.knowledge.build import PHRASE_BIGRAM
from unspin.stages.candidates import (
    MAX_SPAN,
    SPAN_CACHE,
    WORD_CACHE,
    WordOptions,
    _link_features,
    _phrase_matches,
    _ranked,
    _word_link,
    _word_options,
    span_candidates,
    span_kept,
)
from unspin.stages.scoring import static_logit, swaps_part
from unspin.stages.tokenize import compound_words, compounds, runs

LinkValues = tuple[float, float, float, str]


def known_compound(knowledge: Knowledge, compound: str) -> bool:
    """True when the compound as written is established in its own right (a spaced form that is only a
    frequent bigram, *actual time*, does not make *actual-time* a compound), so its parts are not swaps."""
    head, _, last = compound.rpartition("-")
    return any(knowledge.compound_bits(f"{head}-{form}") & ~PHRASE_BIGRAM for form in morph.lemmas(last))


def compound_options(compound: str, knowledge: Knowledge, config: Config) -> WordOptions:
    """What the lower-case hyphenated ``compound`` could have been: itself, a word the thesaurus links
    it to as a whole, or an established compound with one part swapped (kept per process)."""
    return _compound_options(knowledge)(compound, config.function_word_zipf)


def _compound_options(knowledge: Knowledge) -> Callable[[str, float], WordOptions]:
    return knowledge.memo("compounds.options", partial(_compute_compound_options, knowledge), WORD_CACHE)


def _compute_compound_options(knowledge: Knowledge, compound: str, function_zipf: float) -> WordOptions:
    keep = frozenset({compound})
    links: dict[str, tuple[str, int, int]] = {}
    solid = compound.replace("-", "")
    for link in knowledge.links(compound):  # the compound as a whole: *far-flung* for *remote*
        if " " in link.original or link.original.replace("-", "") == solid or morph.spelling_variant(link.original, solid):
            continue  # *online* for *on-line* is a spelling, not a spin
        links[link.original] = tuple(link)
    if not known_compound(knowledge, compound):
        parts = compound.split("-")
        options = _word_options(knowledge)
        for i, part in enumerate(parts):
            for original, edge in options(part, function_zipf).links.items():
                if "-" in original:
                    continue
                swapped = "-".join((*parts[:i], original, *parts[i + 1 :]))
                if swapped == compound or swapped in links or not knowledge.attested(swapped)[0]:
                    continue
                links[swapped] = edge
    return WordOptions(compound, keep, links, True, keep | links.keys())


def _compound_link(knowledge: Knowledge, observed: str, original: str, function_zipf: float) -> LinkValues:
    """``(strength, similarity, channel, evidence)`` of the edge that lets compound ``observed`` stand for ``original``."""
    po, pg = observed.split("-"), original.split("-")
    if len(po) == len(pg) and len(po) > 1:
        changed = [(o, g) for o, g in zip(po, pg) if o != g]
        if len(changed) == 1 and changed[0][1] in _word_options(knowledge)(changed[0][0], function_zipf).links:
            part, instead = changed[0]  # a part swap: the part's edge
            strength, sim, channel, why = _word_link(knowledge)(part, instead, function_zipf)
            return strength, sim, channel, f"{why}, in '{observed}' for '{original}'"
    link = Link(*_compound_options(knowledge)(observed, function_zipf).links[original])
    sim, channel = knowledge.similarity(observed, original), knowledge.channel(observed, original)
    return link.strength, sim, channel, f"'{observed}' can stand for '{original}' ({', '.join(link.sources())})"


def _word_or_compound_link(knowledge: Knowledge) -> Callable[[str, str, float], LinkValues]:
    word_link, compound_link = _word_link(knowledge), knowledge.memo("compounds.link", partial(_compound_link, knowledge), WORD_CACHE)

    def link(observed: str, original: str, function_zipf: float) -> LinkValues:
        return compound_link(observed, original, function_zipf) if "-" in observed else word_link(observed, original, function_zipf)

    return link


def _options(knowledge: Knowledge, word: str, function_zipf: float) -> WordOptions:
    return _compound_options(knowledge)(word, function_zipf) if "-" in word else _word_options(knowledge)(word, function_zipf)


def _compute_originals(knowledge: Knowledge, words: tuple[str, ...], function_zipf: float) -> tuple[tuple[str, ...], ...]:
    """The originals of a span of words as written, at least one of them a compound, or ()."""
    opts = [_options(knowledge, w, function_zipf) for w in words]
    if len(words) == 1:  # alone, a compound is only a part swap
        return () if known_compound(knowledge, words[0]) else tuple((o,) for o in opts[0].links)
    if len(words) > 2 and not (opts[0].changeable and opts[-1].changeable):
        return ()
    if not any(o.links for o in opts) or knowledge.attested(" ".join(words))[0]:
        return ()
    return tuple(_phrase_matches(opts, knowledge, function_zipf))


def _features(
    observed: tuple[str, ...], original: tuple[str, ...], keeps: list[frozenset[str]],
    link: Callable[[str, str, float], LinkValues], function_zipf: float,
) -> tuple[dict[str, float], list[str]]:
    """The candidate-stage features and evidence, a part swap counted as its parts (*non-direct* →
    *non-linear*: one word changed, one kept), as the same words written apart would be."""
    f, evidence = _link_features(observed, original, keeps, link, function_zipf)
    for obs, orig in zip(observed, original):
        if swaps_part(obs, orig):
            f["unchanged"] += obs.count("-")
    return f, evidence


def _key(first: int, last: int, original: tuple[str, ...]) -> tuple[int, int, str]:
    """What makes two proposals the same: their span, and their original with hyphens read as spaces."""
    return first, last, " ".join(original).replace("-", " ")


def find_compound_candidates(doc: Doc, knowledge: Knowledge, config: Config, floor: float | None = None) -> Doc:
    """Add to ``doc.candidates`` the proposals of spans that hold a hyphenated compound (unscored).

    ``floor`` prunes spans as in :func:`~unspin.stages.candidates.find_candidates`. A proposal the
    candidate stage already made, read token by token (*x ray* for *x-ray*), is not made twice.
    """
    fz = config.function_word_zipf
    originals = knowledge.memo("compounds.originals", partial(_compute_originals, knowledge), SPAN_CACHE)
    link = _word_or_compound_link(knowledge)
    made = {_key(c.first, c.last, c.original) for c in doc.candidates}
    kept = {(c.first, c.last) for c in doc.candidates}  # spans the candidate stage kept: kept here too
    for run in runs(doc):
        words = compounds(doc, run)
        if all(first == last for first, last in words):
            continue
        texts = [compound_words(doc, first, last)[0] for first, last in words]
        for a in range(len(words)):
            for b in range(a + 1, min(a + MAX_SPAN, len(words)) + 1):
                first, last = words[a][0], words[b - 1][1]
                span = tuple(texts[a:b])
                if not any("-" in w for w in span):
                    continue
                found = originals(span, fz)
                if not found:
                    continue
                kind = "compound" if b - a == 1 else "phrase"
                keeps = [_options(knowledge, w, fz).keep for w in span]
                rows = [(o, *_features(span, o, keeps, link, fz)) for o in found]
                if floor is not None and (first, last) not in kept:
                    ranked = _ranked([(static_logit(knowledge, span, o, kind, f), o) for o, f, _ in rows])
                    if not span_kept(doc, knowledge, first, last, [ranked], floor):
                        continue
                    # the candidate stage dropped this span, judging its own proposals alone: they come back
                    tokenwise = span_candidates(doc, knowledge, config, first, last)
                    doc.candidates.extend(tokenwise)
                    made.update(_key(first, last, c.original) for c in tokenwise)
                for original, f, evidence in rows:
                    if _key(first, last, original) not in made:
                        doc.candidates.append(Candidate(first, last, original, kind, f, evidence))
    return doc
