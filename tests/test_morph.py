"""Inflection: an original takes the form of the word it replaced, and never an invented one."""
from __future__ import annotations

import pytest

from unspin import morph


@pytest.mark.parametrize(
    "original, observed, expected",
    [
        ("forest", "woodlands", "forests"),
        ("follow", "pursues", "follows"),
        ("small", "littler", "smaller"),  # comparatives and superlatives carry over ...
        ("small", "tiniest", "smallest"),
        ("good", "finer", "better"),
        ("major", "bigger", "major"),  # ... where the form is a word: no *majorer*
        ("figure", "number", "figure"),  # *number* read as "more numb" must not inflect a noun
        ("chosen", "picked", "chosen"),  # a participle in the original stays one: *chosen plaintext attack*
        ("hidden", "concealed", "hidden"),
        ("choose", "picked", "chose"),  # a base form takes the observed word's first reading
        ("information", "facts", "information"),  # mass nouns stay singular: no *informations*
        ("advice", "tips", "advice"),
        ("result", "outcomes", "results"),  # count nouns still take the plural
    ],
)
def test_inflect_like(original: str, observed: str, expected: str) -> None:
    assert morph.inflect_like(original, observed) == expected


@pytest.mark.parametrize(
    "original, observed, expected",
    [
        ("floor", "flooring", "floor"),  # lemminflect knows *flooring* only as a gerund: the head stays a noun
        ("house", "building", "house"),
        ("forest", "woodlands", "forests"),  # plurals still carry over
        ("processing", "handling", "processing"),
        ("manage", "handling", "managing"),  # a verb-only head still takes the gerund
    ],
)
def test_the_head_of_a_multiword_original_stays_a_noun(original: str, observed: str, expected: str) -> None:
    assert morph.inflect_head(original, observed) == expected


def test_phrase_suggestions_keep_a_noun_head_and_one_word_suggestions_inflect() -> None:
    from unspin.doc import Candidate, Doc
    from unspin.stages.findings import render
    from unspin.stages.tokenize import tokenize

    doc = tokenize(Doc("The bill would reach the Home flooring before Memorial Day."))
    home, flooring = (i for i, t in enumerate(doc.tokens) if t.text in ("Home", "flooring"))
    assert render(doc, Candidate(home, flooring, ("house", "floor"), "phrase")) == "House floor"
    assert render(doc, Candidate(flooring, flooring, ("floor",), "word")) == "flooring"
