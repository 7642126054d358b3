"""Line a spun document up with its source: sentence to sentence, then word by word.

Each spun sentence is paired with the source sentence it most resembles (shared immutables
first, then a word-level match ratio); paired sentences are aligned word by word with
:class:`difflib.SequenceMatcher`, whose ``replace`` runs are the spinner's substitutions
(*Chilly Battle* ↔ *Cold War*).
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from unspin.tracing.fingerprint import FUNCTION_ZIPF, Sentence, sentences, zipf

__all__ = ["Segment", "SentencePair", "Alignment", "align", "MIN_SIMILARITY"]

#: Sentences less alike than this (weighted word match ratio, see :func:`_similarity`) are left unpaired.
MIN_SIMILARITY = 0.3
#: Weight of a function word in the similarity of two sentences (other words weigh 1).
FUNCTION_WEIGHT = 0.25
#: Source sentences compared in full with each spun sentence, picked by shared immutables.
SHORTLIST = 4


@dataclass(slots=True, frozen=True)
class Segment:
    """A run of a word alignment: ``kind`` is ``equal``, ``replace`` (a substitution), ``insert`` (only in the spun text) or ``delete`` (only in the source).

    ``spun`` and ``source`` are ``(start, end)`` character offsets into each text (empty runs have start == end).
    """

    kind: str
    spun: tuple[int, int]
    source: tuple[int, int]

    def to_dict(self, spun_text: str, source_text: str) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "spun": spun_text[self.spun[0] : self.spun[1]],
            "source": source_text[self.source[0] : self.source[1]],
            "spun_span": list(self.spun),
            "source_span": list(self.source),
        }


@dataclass(slots=True)
class SentencePair:
    """A spun sentence, the source sentence it came from (or None) and how they align word by word."""

    spun: tuple[int, int]
    source: tuple[int, int] | None
    similarity: float
    segments: list[Segment] = field(default_factory=list)

    @property
    def substitutions(self) -> int:
        """How many runs of words the spinner replaced in this sentence."""
        return sum(s.kind == "replace" for s in self.segments)


@dataclass(slots=True)
class Alignment:
    """The spun document's sentences, each with its source sentence and word alignment."""

    spun_text: str
    source_text: str
    pairs: list[SentencePair]

    def aligned_share(self) -> float:
        """Share of the spun text's words that sit in sentences paired with a source sentence."""
        words = {id(p): self.spun_text.count(" ", *p.spun) + 1 for p in self.pairs}
        total = sum(words.values())
        return sum(words[id(p)] for p in self.pairs if p.source is not None) / total if total else 0.0

    @property
    def substitutions(self) -> int:
        """Substituted runs in the whole document."""
        return sum(p.substitutions for p in self.pairs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences": [
                {
                    "spun": self.spun_text[p.spun[0] : p.spun[1]],
                    "source": self.source_text[p.source[0] : p.source[1]] if p.source else None,
                    "spun_span": list(p.spun),
                    "source_span": list(p.source) if p.source else None,
                    "similarity": round(p.similarity, 3),
                    "segments": [s.to_dict(self.spun_text, self.source_text) for s in p.segments],
                }
                for p in self.pairs
            ],
            "substitutions": self.substitutions,
        }


def _segments(spun: Sentence, source: Sentence, matcher: SequenceMatcher) -> list[Segment]:
    out = []
    for kind, i1, i2, j1, j2 in matcher.get_opcodes():
        a = (spun.words[i1].start, spun.words[i2 - 1].end) if i2 > i1 else (spun.words[min(i1, len(spun.words) - 1)].start,) * 2
        b = (source.words[j1].start, source.words[j2 - 1].end) if j2 > j1 else (source.words[min(j1, len(source.words) - 1)].start,) * 2
        out.append(Segment(kind, a, b))
    return out


def _weights(words: list[str]) -> list[float]:
    return [FUNCTION_WEIGHT if zipf(w) >= FUNCTION_ZIPF else 1.0 for w in words]


def _similarity(matcher: SequenceMatcher, a: list[float], b: list[float]) -> float:
    """Like :meth:`SequenceMatcher.ratio`, with function words counting :data:`FUNCTION_WEIGHT` of a word.

    Two unrelated sentences share *the*, *of* and *in*; a sentence and its spun copy share names,
    numbers and the content words the spinner left, which is what this measure rewards.
    """
    total = sum(a) + sum(b)
    if not total:
        return 0.0
    matched = sum(sum(a[i : i + n]) for i, _, n in matcher.get_matching_blocks())
    return 2.0 * matched / total


def align(spun_text: str, source_text: str) -> Alignment:
    """Pair each sentence of ``spun_text`` with its most likely source sentence and align their words."""
    spun_sents = sentences(spun_text)
    source_sents = sentences(source_text)
    source_anchors = [set(s.anchors()) for s in source_sents]
    source_words = [[w.lower for w in s.words] for s in source_sents]
    source_weights = [_weights(ws) for ws in source_words]
    pairs = []
    for sent in spun_sents:
        words = [w.lower for w in sent.words]
        anchors = set(sent.anchors())
        shortlist = heapq.nlargest(SHORTLIST, range(len(source_sents)), key=lambda j: len(anchors & source_anchors[j]))
        best, best_ratio, best_matcher = None, 0.0, None
        weights = _weights(words)
        for j in shortlist:
            matcher = SequenceMatcher(None, words, source_words[j], autojunk=False)
            ratio = _similarity(matcher, weights, source_weights[j])
            if ratio > best_ratio:
                best, best_ratio, best_matcher = j, ratio, matcher
        if best is None or best_ratio < MIN_SIMILARITY or best_matcher is None:
            pairs.append(SentencePair((sent.start, sent.end), None, best_ratio))
            continue
        src = source_sents[best]
        pairs.append(SentencePair((sent.start, sent.end), (src.start, src.end), best_ratio, _segments(sent, src, best_matcher)))
    return Alignment(spun_text, source_text, pairs)
