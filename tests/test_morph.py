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
    ],
)
def test_inflect_like(original: str, observed: str, expected: str) -> None:
    assert morph.inflect_like(original, observed) == expected
