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
        ("show", "appeared", ("showed", "shown")),  # past tense or participle: the context decides
        ("choose", "picked", ("chose", "chosen")),
        ("movie", "films", ("movies",)),  # *films* as a verb gives no bare *movie*
        ("chosen", "picked", ("chosen",)),
        ("information", "facts", ("information",)),
    ],
)
def test_inflections_like_gives_each_form_the_observed_word_can_have(original: str, observed: str, expected: tuple) -> None:
    assert morph.inflections_like(original, observed) == expected


def test_is_base_form() -> None:
    assert morph.is_base_form("undertaking") and morph.is_base_form("house")  # the noun *undertaking*
    assert not morph.is_base_form("appeared") and not morph.is_base_form("woodlands")
