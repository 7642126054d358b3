"""What unspin knows about English, behind one small interface.

:class:`Knowledge` answers the questions the pipeline asks — *which originals could a spinner
have replaced by this word?*, *is this phrase an established expression?*, *how frequent is this
word?*, *how likely is this word sequence?* — from the compiled artefact (see
:mod:`unspin.knowledge.build`) plus the PocketSphinx trigram model. It is loaded once, lazily,
by :func:`get`.
"""
from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from unspin.knowledge import artefact
from unspin.knowledge.build import (
    EDGE_MOBY,
    EDGE_MYTHES,
    EDGE_WORDNET,
    PHRASE_BIGRAM,
    PHRASE_SOLID,
    PHRASE_THESAURUS,
    PHRASE_TITLE,
    PHRASE_WORDNET,
    REVERSE_SHIFT,
)
from unspin.knowledge.lm import TrigramModel

__all__ = ["Knowledge", "Link", "get", "EDGE_NAMES", "PHRASE_NAMES"]

_F = TypeVar("_F", bound=Callable[..., Any])
#: Rows of the inverted thesaurus kept parsed (compact: about 9 bytes an edge plus shared strings).
ROW_CACHE = 100_000
_FORWARD = (1 << REVERSE_SHIFT) - 1
#: A hyphenated compound is established when written solid it is a word at least this frequent (Zipf):
#: *nonlinear* 3.3, *preprocessing* 2.1, *subtask* 1.3, where a spun *nondirect* is no word at all.
SOLID_ZIPF = 1.2

EDGE_NAMES = {EDGE_MOBY: "Moby", EDGE_MYTHES: "MyThes", EDGE_WORDNET: "WordNet"}
PHRASE_NAMES = {
    PHRASE_WORDNET: "WordNet", PHRASE_THESAURUS: "thesaurus entry", PHRASE_TITLE: "Wikipedia title",
    PHRASE_BIGRAM: "Google bigram list", PHRASE_SOLID: "a word when written solid",
}


class Link(NamedTuple):
    """A thesaurus edge: ``original`` could have been replaced by the observed word."""

    original: str
    forward: int  # source bits where the original's entry lists the observed word
    reverse: int  # source bits where the observed word's entry lists the original

    @property
    def strength(self) -> float:
        """How sure the lexicons are of this edge, 0..1 (forward links count double)."""
        f = self.forward.bit_count()
        r = self.reverse.bit_count()
        return min(1.0, (2 * f + r) / 6)

    def sources(self) -> list[str]:
        """Names of the resources that hold the edge."""
        bits = self.forward | self.reverse
        return [name for bit, name in EDGE_NAMES.items() if bits & bit]


class Knowledge:
    """Compiled lexical knowledge with cached look-ups. Build with :func:`get` or from a payload."""

    def __init__(self, payload: dict, manifest: dict) -> None:
        self.manifest = manifest
        self._originals: dict[str, str] = payload["originals"]
        self._phrases: dict[str, int] = payload["phrases"]
        self._following: dict[str, str] = payload["following"]
        self._bigrams: dict[str, int] = payload["bigrams"]
        self._zipf: dict[str, float] = payload["zipf"]
        self.lm = TrigramModel()
        self._row = lru_cache(maxsize=ROW_CACHE)(self._row_uncached)
        self.continuations = lru_cache(maxsize=50_000)(self._continuations)
        self.neighbours = lru_cache(maxsize=20_000)(self._neighbours)
        self._channel = lru_cache(maxsize=200_000)(self._channel_uncached)
        self._similarity = lru_cache(maxsize=200_000)(self._similarity_uncached)
        self.entry_size = lru_cache(maxsize=200_000)(self.entry_size)  # type: ignore[method-assign]
        self._memos: dict[str, Callable[..., Any]] = {}

    def memo(self, name: str, func: _F, maxsize: int) -> _F:
        """``func`` behind a bounded LRU cache that lives (and dies) with this knowledge.

        The stages keep their per-word and per-phrase results here, so that they are computed once
        per process rather than once per document, and never outlive the knowledge they came from.
        ``func``'s arguments must be hashable; the first cache made under ``name`` is kept.
        """
        cached = self._memos.get(name)
        if cached is None:
            cached = self._memos[name] = lru_cache(maxsize=maxsize)(func)
        return cached  # type: ignore[return-value]

    def _row_uncached(self, observed: str) -> tuple[tuple[str, ...], bytes]:
        """``(originals, bits)`` of ``observed``'s row, compact: one shared string and one byte an edge."""
        row = self._originals.get(observed)
        if not row:
            return (), b""
        originals, bits = [], bytearray()
        for item in row.split("|"):
            original, _, b = item.partition("\t")
            originals.append(sys.intern(original))
            bits.append(int(b))
        return tuple(originals), bytes(bits)

    def links(self, observed: str) -> tuple[Link, ...]:
        """Originals a spinner could have replaced by ``observed`` (a lower-case word or phrase)."""
        originals, bits = self._row(observed)
        return tuple(Link(o, b & _FORWARD, b >> REVERSE_SHIFT) for o, b in zip(originals, bits))

    def link(self, observed: str, original: str) -> Link | None:
        """The edge that lets ``observed`` stand for ``original``, or None."""
        originals, bits = self._row(observed)
        try:
            b = bits[originals.index(original)]
        except ValueError:
            return None
        return Link(original, b & _FORWARD, b >> REVERSE_SHIFT)

    def has_links(self, observed: str) -> bool:
        """True when some original could have been replaced by ``observed`` (no :class:`Link` is built)."""
        return observed in self._originals

    def _continuations(self, prefix: str) -> frozenset[str]:
        """Words that follow ``prefix`` (one or more words) in some established phrase."""
        row = self._following.get(prefix)
        return frozenset(map(sys.intern, row.split("|"))) if row else frozenset()

    def _neighbours(self, word: str) -> frozenset[str]:
        return frozenset(self._row(word)[0])

    def similarity(self, a: str, b: str) -> float:
        """How much the thesaurus neighbourhoods of ``a`` and ``b`` overlap (overlap coefficient, 0..1).

        Moby lists loose associates beside true synonyms; two true synonyms share many
        neighbours (*woodland*/*forest* 0.61) where a loose pair shares few (*woodland*/*ground* 0.29).
        """
        return self._similarity(a, b)

    def _similarity_uncached(self, a: str, b: str) -> float:
        na, nb = self.neighbours(a), self.neighbours(b)
        if not na or not nb:
            return 0.0
        return len(na & nb) / min(len(na), len(nb))

    def entry_size(self, word: str, source: int) -> int:
        """How many words the thesaurus entry of ``word`` in resource ``source`` lists."""
        shifted = source << REVERSE_SHIFT
        return sum(1 for b in self._row(word)[1] if b & shifted)

    def channel(self, observed: str, original: str) -> float:
        """log10 P(a spinner writes ``observed`` | it replaces ``original``), over the three thesauri.

        A spinner picks one word from the original's thesaurus entry, so each resource that
        lists the pair contributes 1 / (size of the entry); the resources are mixed with equal
        weight, and a pair listed only the other way round counts a tenth.
        """
        return self._channel(observed, original)

    def _channel_uncached(self, observed: str, original: str) -> float:
        link = self.link(observed, original)
        if link is None:
            return -6.0
        p = 0.0
        for source in EDGE_NAMES:
            if link.forward & source:
                p += 1.0 / max(1, self.entry_size(original, source))
            elif link.reverse & source:
                p += 0.1 / max(1, self.entry_size(observed, source))
        return math.log10(max(p / len(EDGE_NAMES), 1e-6))

    def phrase_bits(self, phrase: str) -> int:
        """Source bits attesting ``phrase`` as an established expression (0 if unknown)."""
        return self._phrases.get(phrase, 0)

    def attested(self, phrase: str) -> tuple[int, str]:
        """``(bits, form)``: ``phrase`` or, failing that, the first base form of its last word that is attested.

        A hyphenated compound on its own (*non-linear*) is attested by :meth:`compound_bits`.
        """
        compound = "-" in phrase and " " not in phrase
        bits = self.compound_bits(phrase) if compound else self.phrase_bits(phrase)
        if not bits:
            from unspin import morph

            head, joint, last = phrase.rpartition("-" if compound else " ")
            for lemma in morph.lemmas(last)[1:]:
                form = head + joint + lemma
                bits = self.compound_bits(form) if compound else self.phrase_bits(form)
                if bits:
                    return bits, form
        return bits, phrase

    def compound_bits(self, compound: str) -> int:
        """Source bits attesting a hyphenated compound (*non-linear*), 0 if none does: its spaced form as an
        established phrase, its own entry in WordNet or a thesaurus, or its solid form (*nonlinear*) as a word
        at least :data:`SOLID_ZIPF` frequent."""
        bits = self.phrase_bits(compound.replace("-", " "))
        links = self.links(compound)
        if any((link.forward | link.reverse) & EDGE_WORDNET for link in links):
            bits |= PHRASE_WORDNET
        elif links:
            bits |= PHRASE_THESAURUS
        if self.zipf(compound.replace("-", "")) >= SOLID_ZIPF:
            bits |= PHRASE_SOLID
        return bits

    def bigram_count(self, phrase: str) -> int:
        """Google-derived count of a two-word phrase (0 if not among the 242k most frequent)."""
        return self._bigrams.get(phrase, 0)

    def zipf(self, word: str) -> float:
        """Word frequency on the Zipf scale (0 for unknown words; 7 is *the*)."""
        return self._zipf.get(word, 0.0)


_LOCK = threading.Lock()
_KNOWLEDGE: Knowledge | None = None


def get(path: Path | None = None, build_if_missing: bool = True) -> Knowledge:
    """The process-wide :class:`Knowledge`, loaded on first use (and built if it is missing)."""
    global _KNOWLEDGE
    if _KNOWLEDGE is not None and path is None:
        return _KNOWLEDGE
    with _LOCK:
        if _KNOWLEDGE is not None and path is None:
            return _KNOWLEDGE
        target = path or artefact.default_path()
        try:
            payload, manifest = artefact.read(target)
        except artefact.ArtefactError as exc:
            if not build_if_missing:
                raise
            from unspin.knowledge.build import build

            print(f"unspin: {exc}; compiling knowledge now (about a minute, once)", file=sys.stderr)
            build(target, log=lambda m: print(f"unspin build: {m}", file=sys.stderr))
            payload, manifest = artefact.read(target)
        knowledge = Knowledge(payload, manifest)
        if path is None:
            _KNOWLEDGE = knowledge
        return knowledge
