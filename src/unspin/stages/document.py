"""Stage 5: the document score, a probability that the whole text was spun.

A document is not judged by its findings alone. A lightly spun text may hold no span confident
enough to report, yet many words that each read a little like a swap; a clean text holds few. So the
score is a small logistic model (weights ``document`` in ``data/weights.json``, fitted by
``eval/fit_doc_weights.py`` on clean documents and synthetic spins of them) over two features,
computed whatever threshold the caller reports at:

- ``strong``: the confidence mass of the spans scoring at least :data:`STRONG`, per 100 words (at
  least 100: the length floor, so that one finding in a short text does not condemn it);
- ``swaps``: the log likelihood ratio of the one-word readings, "spun at :data:`SWAP_RATE`" against
  "clean". Each word with one-word candidates has a probability ``p`` (its best ``within``) of being
  a swap given a spun text, against :data:`WITHIN_SHARE` before it was read, so its reading is
  ``L = odds(p) / odds(WITHIN_SHARE)`` times likelier if it was swapped; in a text spun at rate ``r``
  it is ``1 - r + r L`` times likelier. The feature sums the logarithms: evidence adds up over a
  longer text, and a candidate that reads less like a swap than the share counts against spinning.

Spans are the candidates' best per span, taken greedily without overlap, like findings. The model's
intercept is moved from the fit's share of spun documents to even odds, and :attr:`Config.spun_prior`
is added: the score is the probability of spinning for a text spun beforehand with that probability.
"""
from __future__ import annotations

import math

from unspin.config import Config
from unspin.doc import Doc
from unspin.stages.findings import take_spans
from unspin.stages.scoring import sigmoid, weights

#: Features of the document model, in the order of its weights.
DOC_FEATURES = ("strong", "swaps")
#: Span scores from which a span counts as ``strong``.
STRONG = 0.5
#: The substitution rate of the spun hypothesis ``swaps`` weighs (light spinning: heavier spins are plain anyway).
SWAP_RATE = 0.1
#: The share of swapped words among one-word candidates that ``within`` starts from (mean ``within`` of the
#: candidates in synthetic spins at 10-20 %, measured on ``eval/fit_doc_weights.py``'s documents: 0.33-0.43).
WITHIN_SHARE = 0.3
#: The masses are per this many words at least.
MIN_WORDS = 100


def best_spans(doc: Doc, floor: float) -> list[float]:
    """Scores of the non-overlapping spans scoring at least ``floor``, best first, taken as findings are (:func:`take_spans`)."""
    best: dict[tuple[int, int], float] = {}
    for cand in doc.candidates:
        span = (cand.first, cand.last)
        best[span] = max(best.get(span, 0.0), cand.score)
    return [best[span] for span in take_spans(best, floor)]


def swap_evidence(doc: Doc, rate: float = SWAP_RATE) -> float:
    """Log likelihood ratio of the one-word readings of ``doc``, spun at ``rate`` against clean (see the module docstring)."""
    best: dict[int, float] = {}
    for cand in doc.candidates:
        if cand.kind == "word" and "within" in cand.features:
            best[cand.first] = max(best.get(cand.first, 0.0), cand.features["within"])
    prior_odds = WITHIN_SHARE / (1 - WITHIN_SHARE)
    total = 0.0
    for p in best.values():
        p = min(max(p, 1e-4), 1 - 1e-4)
        total += math.log(1 - rate + rate * p / (1 - p) / prior_odds)
    return total


def document_features(doc: Doc) -> dict[str, float]:
    """The document model's features of ``doc`` after the candidate stages (see the module docstring)."""
    per = 100.0 / max(doc.n_words, MIN_WORDS)
    return {"strong": per * sum(best_spans(doc, STRONG)), "swaps": swap_evidence(doc)}


def document_probability(features: dict[str, float], prior: float, w: dict[str, float]) -> float:
    """Probability that a document with ``features`` was spun, for one spun beforehand with probability ``prior``."""
    prior = min(max(prior, 1e-6), 1 - 1e-6)
    return sigmoid(math.log(prior / (1 - prior)) + w["bias"] + sum(w[name] * features[name] for name in DOC_FEATURES))


def score_document(doc: Doc, config: Config) -> Doc:
    """Set ``doc.spin_score``."""
    doc.spin_score = document_probability(document_features(doc), config.spun_prior, weights()["document"])
    return doc
