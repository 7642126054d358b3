"""The trace itself: a spun text in, its likely sources out, the best one aligned sentence by sentence."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unspin.tracing.align import Alignment
from unspin.tracing.index import MIN_SCORE, Match, TraceIndex, open_index

__all__ = ["Trace", "trace"]


@dataclass(slots=True)
class Trace:
    """Result of :func:`trace`: candidate sources best first, and the best one's alignment if it passes :data:`MIN_SCORE`."""

    matches: list[Match]
    alignment: Alignment | None

    @property
    def best(self) -> Match | None:
        """The likely source, or None when no candidate holds enough of the text's fingerprint."""
        return self.matches[0] if self.matches and self.matches[0].score >= MIN_SCORE else None

    def to_dict(self) -> dict[str, Any]:
        best = self.best
        return {
            "source": best.name if best else None,
            "score": round(best.score, 4) if best else 0.0,
            "threshold": MIN_SCORE,
            "candidates": [m.to_dict() for m in self.matches],
            "alignment": self.alignment.to_dict() if self.alignment else None,
        }


def trace(text: str, index: TraceIndex | str | Path, k: int = 5, aligned: bool = True) -> Trace:
    """The ``k`` indexed documents most likely to be the source of ``text``, and how it lines up with the best.

    ``index`` is a :class:`TraceIndex` or the path of one. ``aligned=False`` leaves the alignment out of the result.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if not isinstance(index, TraceIndex):
        index = open_index(index)
    matches = index.search(text, k=k)
    result = Trace(matches, None)
    if aligned and result.best is not None:
        result.alignment = result.best.alignment  # a match only passes MIN_SCORE by being aligned
    return result
