"""Stage 1: split the text into word and punctuation tokens with character offsets.

Words are runs of letters, with inner apostrophes (*don't*, *Johnson's*); hyphens are their own
tokens so that *actual-time* is looked at as *actual* + *time*. :func:`runs` yields the stretches
of words that a spun phrase can span: words separated only by spaces or hyphens; :func:`compounds`
and :func:`compound_words` read a hyphenated compound back as one word (*actual-time*).
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


def compounds(doc: Doc, run: list[int]) -> list[tuple[int, int]]:
    """Split a run of word tokens (see :func:`runs`) into words as written: ``(first, last)`` token
    indices, where a hyphenated compound (*non-linear*, *man-in-the-middle*) is one word of several tokens."""
    out: list[tuple[int, int]] = []
    toks, text = doc.tokens, doc.text
    first = prev = run[0]
    for i in run[1:]:
        if text[toks[prev].end : toks[i].start] != "-":
            out.append((first, prev))
            first = i
        prev = i
    out.append((first, prev))
    return out


def compound_words(doc: Doc, first: int, last: int) -> list[str]:
    """The lower-case words of tokens ``first..last``, each hyphenated compound as one word (*non-linear*)."""
    toks, text = doc.tokens, doc.text
    out: list[str] = []
    prev = -1  # the previous word token
    for i in range(first, last + 1):
        tok = toks[i]
        if not tok.is_word:
            continue
        if prev >= 0 and text[toks[prev].end : tok.start] == "-":
            out[-1] += "-" + tok.lower
        else:
            out.append(tok.lower)
        prev = i
    return out
