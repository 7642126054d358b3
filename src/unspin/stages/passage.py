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

from bisect import bisect_left

from unspin.config import Config
from unspin.doc import Doc
from unspin.stages.scoring import shift_log_odds, weights
from unspin.stages.words import passage_log_ratio


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


def passage_shift(log_ratio: float, w: dict[str, float]) -> float:
    """How far a candidate's log odds move for a passage with this log likelihood ratio."""
    return w["clean"] * min(log_ratio, 0.0) + w["spun"] * max(log_ratio, 0.0)


def passage_weight(doc: Doc, first: int, last: int, read: list[int] | None = None) -> tuple[float, str]:
    """How far the passage around tokens ``first``..``last`` moves a score's log odds, and the evidence
    line that says why; ``(0.0, "")`` where nothing was counted or no weights ship. ``read`` as for
    :func:`passage_counts`."""
    w_passage, w = weights().get("passage"), weights().get("phrase_passage")
    counts = passage_counts(doc, first, last, read) if w_passage and w else None
    if counts is None:
        return 0.0, ""
    hits, n = counts
    shift = passage_shift(passage_log_ratio(hits, n - hits, w_passage), w)
    return shift, describe(hits, n, shift) if shift else ""


def weigh_passage(doc: Doc, config: Config) -> Doc:
    """Move the score of every candidate other than a one-word reading by its passage (:func:`passage_weight`)."""
    read = sorted(doc.passage)
    shifts: dict[tuple[int, int], tuple[float, str]] = {}
    for cand in doc.candidates:
        if cand.kind == "word" or not 0.0 < cand.score < 1.0:
            continue
        span = (cand.first, cand.last)
        if span not in shifts:
            shifts[span] = passage_weight(doc, cand.first, cand.last, read)
        shift, evidence = shifts[span]
        if shift:
            cand.score = shift_log_odds(cand.score, shift)
            cand.evidence.append(evidence)
    return doc


def describe(hits: int, read: int, shift: float) -> str:
    """The evidence line of a passage's weight."""
    reads = "spun" if shift > 0 else "clean"
    return (f"the passage around it reads {reads}: {hits} of the {read} nearby words with synonyms read worse than "
            f"one would (log odds {shift:+.1f})")
