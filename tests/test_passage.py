"""A phrase found in a passage that reads clean loses confidence; one in a passage full of swaps keeps it."""
from __future__ import annotations

import pytest

from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import neural
from unspin.stages import pairs
from unspin.stages.pairs import MAX_SURPRISE, PAIR_CONFIDENCE, find_odd_pairs
from unspin.stages.passage import passage_counts, weigh_passage
from unspin.stages.scoring import weights
from unspin.stages.tokenize import tokenize
from unspin.stages.words import passage_log_ratio

TEXT = "The team used a crude information pipeline to test the new model on real cases."
needs_model = pytest.mark.skipif(not neural.available(), reason="the neural model is not installed")


def _doc(text: str, hits: int, read: int) -> Doc:
    """A doc whose every word was read by the one-word stage, with ``hits`` of ``read`` around it reading worse than a synonym."""
    doc = tokenize(Doc(text))
    doc.passage = {i: (hits, read) for i, tok in enumerate(doc.tokens) if tok.is_word}
    return doc


def _phrase(doc: Doc, words: str, score: float, kind: str = "phrase") -> Candidate:
    first = next(i for i, t in enumerate(doc.tokens) if t.lower == words.split()[0])
    cand = Candidate(first, first + len(words.split()) - 1, ("raw", "data"), kind, score=score)
    doc.candidates.append(cand)
    return cand


def test_the_shipped_shares_never_push_against_the_passage() -> None:
    w = weights()["phrase_passage"]
    assert w["clean"] >= 0 and w["spun"] >= 0


def test_a_phrase_in_a_passage_reading_clean_loses_confidence_and_says_why() -> None:
    doc = _doc(TEXT, hits=30, read=150)  # a fifth of the words read worse than a synonym: clean prose
    phrase, word = _phrase(doc, "crude information", 0.65), _phrase(doc, "crude", 0.65, kind="word")
    weigh_passage(doc, Config())
    assert phrase.score < Config().min_confidence
    assert word.score == 0.65  # one-word readings weigh their passage themselves
    assert any("reads clean: 30 of the 150 nearby words" in e for e in phrase.evidence)


def test_a_phrase_in_a_passage_full_of_swaps_keeps_its_confidence() -> None:
    doc = _doc(TEXT, hits=90, read=150)
    phrase = _phrase(doc, "crude information", 0.8)
    weigh_passage(doc, Config())
    assert phrase.score >= 0.8


def test_one_sentence_says_little_and_nothing_read_changes_nothing() -> None:
    short = _doc(TEXT, hits=1, read=6)
    phrase = _phrase(short, "crude information", 0.8)
    weigh_passage(short, Config())
    assert phrase.score == pytest.approx(0.8, abs=0.05)
    unread = tokenize(Doc(TEXT))
    phrase = _phrase(unread, "crude information", 0.8)
    assert passage_counts(unread, phrase.first, phrase.last) is None
    weigh_passage(unread, Config())
    assert phrase.score == 0.8


def test_the_nearest_read_word_speaks_for_the_span() -> None:
    doc = tokenize(Doc(TEXT))
    words = [i for i, t in enumerate(doc.tokens) if t.is_word]
    doc.passage = {words[0]: (0, 150), words[-1]: (150, 150)}  # clean at the start, spun at the end
    assert passage_counts(doc, words[1], words[2]) == (0, 150) and passage_counts(doc, words[-3], words[-2]) == (150, 150)
    w = weights()["passage"]
    assert passage_log_ratio(0, 150, w) < 0 < passage_log_ratio(150, 0, w)  # (hits, misses)


def test_an_odd_pair_in_a_clean_passage_falls_below_the_threshold(kn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pairs, "surprise", lambda doc, first, last: MAX_SURPRISE - 5.0)

    def odd(hits: int) -> Doc:
        doc = _doc("We ran a misty gadget today.", hits, 150)
        for i, tok in enumerate(doc.tokens):
            if tok.lower in ("misty", "gadget"):
                cand = Candidate(i, i, ("other",), "word")
                cand.features["gain"] = 9.0
                doc.candidates.append(cand)
        return find_odd_pairs(doc, kn, Config())

    assert not odd(hits=30).findings
    [f] = odd(hits=90).findings
    assert f.confidence >= PAIR_CONFIDENCE and any("reads spun" in e for e in f.evidence)


@needs_model
def test_the_one_word_stage_counts_the_passage_of_every_word_it_reads(kn) -> None:
    from unspin.stages.words import word_features

    doc = tokenize(Doc(TEXT))
    word_features(doc, kn, Config())
    assert doc.passage and all(0 <= hits <= read for hits, read in doc.passage.values())
    assert set(doc.passage) <= {i for i, t in enumerate(doc.tokens) if t.is_word}
