"""Stage 3e: a phrase is weighed by how spun the passage around it reads.

A spinner does not swap one phrase in an otherwise untouched text: it runs over whole passages, so
around a tortured phrase many words read worse than a synonym would. The one-word stage counts them
for every word it reads (``Doc.passage``: hits among the words read within
:data:`~unspin.stages.words.RATE_WINDOW`), and its passage model turns the counts into a log
likelihood ratio, spun against clean (weights ``passage``, damped where few words were read). Here that
ratio moves the log odds of every candidate that is not itself a one-word reading (phrases,
thesaurus entries, compounds) and of odd pairs, by a share fitted on synthetic spins
(``eval/fit_passage_weights.py``, weights ``phrase_passage``): ``clean`` for a passage that reads
clean (ratio below 1), ``spun`` for one that reads spun. A rare technical term in a clean paper
(*acute neuritis*) so loses most of what its phrase look-up gave it, while a phrase in a passage full
of swaps keeps its confidence. A text too short to judge (one sentence) has a ratio near 1 and is
left as it was; without the neural model nothing is counted and nothing changes.
"""
from __future__ import annotations

import math
from bisect import bisect_left

from unspin.config import Config
from unspin.doc import Doc
from unspin.stages.scoring import sigmoid, weights
from unspin.stages.words import passage_evidence


def passage_counts(doc: Doc, first: int, last: int, read: list[int] | None = None) -> tuple[int, int] | None:
    """``(hits, read)`` of the read word nearest to tokens ``first``..``last`` (``None`` where the one-word
    stage read nothing). ``read`` is ``sorted(doc.passage)``, for callers that ask about many spans."""
    if not doc.passage:
        return None
    read = sorted(doc.passage) if read is None else read
    k = bisect_left(read, first)
    near = [i for i in (read[k - 1] if k else None, read[k] if k < len(read) else None) if i is not None]
    at = min(near, key=lambda i: (0 if first <= i <= last else min(abs(i - first), abs(i - last)), i))
    return doc.passage[at]


def passage_log_ratio(hits: int, read: int, w: dict[str, float]) -> float:
    """Log likelihood ratio, spun against clean, of a passage where ``hits`` of ``read`` words read worse
    than a synonym (the passage model's weights ``w``, its counts damped where there are few)."""
    h, m = passage_evidence(hits, read - hits)
    return w["hits"] * h + w["misses"] * m


def passage_shift(log_ratio: float, w: dict[str, float]) -> float:
    """How far a candidate's log odds move for a passage with this log likelihood ratio."""
    return w["clean"] * min(log_ratio, 0.0) + w["spun"] * max(log_ratio, 0.0)


def weigh_passage(doc: Doc, config: Config) -> Doc:
    """Move the score of every candidate other than a one-word reading by its passage (:func:`passage_shift`)."""
    w_passage, w = weights().get("passage"), weights().get("phrase_passage")
    if not w_passage or not w or not doc.passage:
        return doc
    read = sorted(doc.passage)
    shifts: dict[tuple[int, int], tuple[float, str]] = {}
    for cand in doc.candidates:
        if cand.kind == "word" or not 0.0 < cand.score < 1.0:
            continue
        span = (cand.first, cand.last)
        if span not in shifts:
            counts = passage_counts(doc, cand.first, cand.last, read)
            shift = 0.0 if counts is None else passage_shift(passage_log_ratio(*counts, w_passage), w)
            shifts[span] = (shift, describe(*counts, shift) if shift else "")
        shift, evidence = shifts[span]
        if not shift:
            continue
        cand.score = sigmoid(math.log(cand.score / (1.0 - cand.score)) + shift)
        cand.evidence.append(evidence)
    return doc


def describe(hits: int, read: int, shift: float) -> str:
    """The evidence line of a passage's weight."""
    reads = "spun" if shift > 0 else "clean"
    return (f"the passage around it reads {reads}: {hits} of the {read} nearby words with synonyms read worse than "
            f"one would (log odds {shift:+.1f})")
