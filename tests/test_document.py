"""The document score: a probability that the text was spun, from near-findings and odd words too."""
from __future__ import annotations

from pathlib import Path

import pytest

import unspin
from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import neural
from unspin.stages.document import STRONG, WITHIN_SHARE, best_spans, document_features, score_document, swap_evidence
from unspin.stages.tokenize import tokenize

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "spun_article.txt"
WORDS = " ".join(["the", "council", "met", "on", "Monday", "to", "discuss", "the", "new", "road", "plan"] * 20)  # 220 words


def _doc(text: str, *spans: tuple[int, int, float], within: dict[int, float] | None = None) -> Doc:
    """``text`` tokenised, with candidates scoring ``(first, last, score)`` and one-word readings ``{token: within}``."""
    doc = tokenize(Doc(text))
    for first, last, score in spans:
        cand = Candidate(first, last, ("x",) * (last - first + 1), "phrase")
        cand.score = score
        doc.candidates.append(cand)
    for at, p in (within or {}).items():
        cand = Candidate(at, at, ("x",), "word")
        cand.features["within"] = p
        doc.candidates.append(cand)
    return doc


def test_best_spans_take_the_best_of_overlapping_spans_once():
    doc = _doc(WORDS, (0, 1, 0.9), (1, 2, 0.7), (1, 1, 0.95), (5, 5, 0.3), (5, 5, 0.4), (8, 8, 0.1))
    assert best_spans(doc, 0.15) == [0.95, 0.4]  # (0, 1) and (1, 2) overlap the better (1, 1); 0.1 is below the floor


def test_strong_mass_is_per_100_words_and_short_texts_count_as_100():
    assert document_features(_doc(WORDS, (0, 0, 0.9), (3, 3, 0.3), (6, 6, STRONG)))["strong"] == pytest.approx(100 * (0.9 + STRONG) / 220)
    assert document_features(_doc("The White Home said so.", (1, 2, 0.9)))["strong"] == pytest.approx(0.9)


def test_swap_evidence_adds_up_readings_for_and_against():
    assert swap_evidence(_doc(WORDS)) == 0.0
    assert swap_evidence(_doc(WORDS, within={0: WITHIN_SHARE})) == pytest.approx(0.0)  # no better than before it was read
    one = swap_evidence(_doc(WORDS, within={0: 0.9}))
    assert one > 0 and swap_evidence(_doc(WORDS, within={0: 0.9, 4: 0.9})) == pytest.approx(2 * one)
    assert swap_evidence(_doc(WORDS, within={0: 0.02})) < 0


def test_the_score_rises_with_the_evidence_and_the_prior():
    scores = [score_document(_doc(WORDS, within={i: p for i in range(0, 40, 4)}), Config()).spin_score for p in (0.05, 0.3, 0.9)]
    assert scores == sorted(scores) and scores[0] < 0.05 < scores[-1]
    weak = score_document(_doc(WORDS, (0, 0, 0.3), (4, 4, 0.3)), Config()).spin_score
    strong = score_document(_doc(WORDS, (0, 0, 0.95), (4, 4, 0.95), (8, 8, 0.9)), Config()).spin_score
    assert 0.0 < weak < strong < 1.0
    low = score_document(_doc(WORDS, (0, 0, 0.95)), Config(spun_prior=0.01)).spin_score
    high = score_document(_doc(WORDS, (0, 0, 0.95)), Config(spun_prior=0.5)).spin_score
    assert low < high


def test_the_score_does_not_depend_on_the_reporting_threshold():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert unspin.check(text, min_confidence=0.99).spin_score == pytest.approx(unspin.check(text).spin_score)


@pytest.mark.skipif(not neural.available(), reason="the neural model is not installed")
def test_a_spun_article_scores_high_and_its_original_low():
    spun = EXAMPLE.read_text(encoding="utf-8")
    restored = unspin.restore(spun).text
    assert unspin.check(spun).spin_score >= 0.9
    assert unspin.check(restored).spin_score < unspin.check(spun).spin_score / 2
