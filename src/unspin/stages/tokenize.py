"""Stage 1: split the text into word and punctuation tokens with character offsets.

Words are runs of letters, with inner apostrophes (*don't*, *Johnson's*); hyphens are their own
tokens so that *actual-time* is looked at as *actual* + *time*. :func:`runs` yields the stretches
of words that a spun phrase can span: words separated only by spaces or hyphens.
"""
from __future__ import annotations

from collections.abc import Iterator

import regex

from unspin.doc import Doc, Token

_TOKEN = regex.compile(r"\p{L}+(?:['\u2019]\p{L}+)*|\p{N}+(?:[.,]\p{N}+)*|[^\s\p{L}\p{N}]")
#: Tokens allowed inside a phrase between two words.
JOINERS = frozenset({"-"})


def tokenize(doc: Doc) -> Doc:
    """Fill ``doc.tokens``."""
    doc.tokens = [
        Token(m.group(), m.start(), m.end(), m.group()[0].isalpha())
        for m in _TOKEN.finditer(doc.text)
    ]
    return doc


def runs(doc: Doc) -> Iterator[list[int]]:
    """Yield lists of word-token indices that follow each other with only spaces or hyphens between."""
    current: list[int] = []
    tokens = doc.tokens
    for i, tok in enumerate(tokens):
        if tok.is_word:
            if current:
                gap = doc.text[tokens[current[-1]].end : tok.start]
                if "\n\n" in gap or (gap.strip() and gap.strip() not in JOINERS):
                    yield current
                    current = []
            current.append(i)
        elif tok.text not in JOINERS:
            if current:
                yield current
            current = []
    if current:
        yield current
