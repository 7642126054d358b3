"""Neighbouring words that both read like swaps, in a pairing English never uses, are reported without a suggestion."""
from __future__ import annotations

import pytest

import unspin
from unspin.config import Config
from unspin.doc import Candidate, Doc, Finding
from unspin.knowledge import neural
from unspin.stages import pairs
from unspin.stages.pairs import MAX_SURPRISE, MIN_PAIR_GAIN, MIN_WORD_GAIN, PAIR_CONFIDENCE, find_odd_pairs
from unspin.stages.tokenize import tokenize

# an invented tortured term (*heat threshold*), absent from the lexicons' phrases and from the PPS pairs
SPUN = "The detector fires whenever the warmth brink is crossed."
needs_model = pytest.mark.skipif(not neural.available(), reason="the neural model is not installed")


@pytest.fixture
def odd_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model reads every pair as very unlikely where it stands (the gains are what these tests vary)."""
    monkeypatch.setattr(pairs, "surprise", lambda doc, first, last: MAX_SURPRISE - 5.0)


def _doc(text: str, gains: dict[str, float]) -> Doc:
    """A doc whose words named in ``gains`` have a one-word reading that much better than themselves."""
    doc = tokenize(Doc(text))
    for i, tok in enumerate(doc.tokens):
        if tok.lower in gains:
            cand = Candidate(i, i, ("other",), "word")
            cand.features["gain"] = gains[tok.lower]
            doc.candidates.append(cand)
    return doc


def test_two_odd_neighbours_never_seen_together_are_a_finding_without_suggestions(kn, odd_read) -> None:
    doc = find_odd_pairs(_doc("We ran a misty gadget today.", {"misty": 8.0, "gadget": 9.0}), kn, Config())
    [f] = doc.findings
    assert (f.text, f.kind, f.confidence, f.suggestions) == ("misty gadget", "pair", PAIR_CONFIDENCE, [])
    assert any("never seen 'misty gadget'" in e for e in f.evidence)


def test_each_word_and_the_pair_must_read_badly_enough(kn, odd_read) -> None:
    weak_one = {"misty": MIN_WORD_GAIN - 0.5, "gadget": MIN_PAIR_GAIN}
    weak_sum = {"misty": MIN_WORD_GAIN, "gadget": MIN_PAIR_GAIN - MIN_WORD_GAIN - 0.5}
    for gains in (weak_one, weak_sum):
        assert not find_odd_pairs(_doc("We ran a misty gadget today.", gains), kn, Config()).findings


def test_a_pairing_english_uses_is_no_finding_however_odd_its_words_read(kn, odd_read) -> None:
    assert kn.lm.bigram_seen("white", "house")
    doc = find_odd_pairs(_doc("They met at the white house today.", {"white": 9.0, "house": 9.0}), kn, Config())
    assert not doc.findings


def test_words_apart_or_already_found_give_no_pair(kn, odd_read) -> None:
    apart = _doc("We ran a misty, gadget today.", {"misty": 8.0, "gadget": 9.0})
    assert not find_odd_pairs(apart, kn, Config()).findings
    found = _doc("We ran a misty gadget today.", {"misty": 8.0, "gadget": 9.0})
    start = found.text.index("gadget")
    found.findings = [Finding(start, start + 6, "gadget", 0.9, "word", [], [])]
    assert [f.kind for f in find_odd_pairs(found, kn, Config()).findings] == ["word"]


def test_a_capitalised_word_is_no_pair(kn, odd_read) -> None:
    for text in ("We met Misty Gadget today.", "Misty gadget today."):  # a name; a sentence or title's start
        assert not find_odd_pairs(_doc(text, {"misty": 8.0, "gadget": 9.0}), kn, Config()).findings, text


def test_switched_off_or_below_the_threshold_asked_for(kn, odd_read) -> None:
    for config in (Config(odd_pairs=False), Config(min_confidence=PAIR_CONFIDENCE + 0.1)):
        assert not find_odd_pairs(_doc("We ran a misty gadget today.", {"misty": 8.0, "gadget": 9.0}), kn, config).findings


def test_odd_words_that_read_plausibly_together_are_no_pair(kn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pairs, "surprise", lambda doc, first, last: MAX_SURPRISE + 0.5)
    assert not find_odd_pairs(_doc("We ran a misty gadget today.", {"misty": 8.0, "gadget": 9.0}), kn, Config()).findings
    monkeypatch.setattr(pairs, "surprise", lambda doc, first, last: None)  # no model to read it: no pair
    assert not find_odd_pairs(_doc("We ran a misty gadget today.", {"misty": 8.0, "gadget": 9.0}), kn, Config()).findings


@needs_model
def test_the_model_reads_the_tortured_pair_as_far_less_likely_than_the_term_it_replaced() -> None:
    for text, words, odd in ((SPUN, ("warmth", "brink"), True),
                             (SPUN.replace("warmth brink", "heat threshold"), ("heat", "threshold"), False)):
        doc = tokenize(Doc(text))
        first = next(i for i, t in enumerate(doc.tokens) if t.lower == words[0])
        assert doc.tokens[first + 1].lower == words[1]
        assert (pairs.surprise(doc, first, first + 1) <= MAX_SURPRISE) is odd, text


@needs_model
def test_an_unlisted_tortured_term_is_found_and_left_unrestored() -> None:
    report = unspin.check(SPUN)
    [f] = [f for f in report.findings if f.kind == "pair"]
    assert SPUN[f.start : f.end] == "warmth brink" and not f.suggestions
    assert any("very unlikely here" in e for e in f.evidence)
    assert unspin.restore(SPUN).text == SPUN  # found, but nothing to put in its place
    assert not [f for f in unspin.check(SPUN, odd_pairs=False).findings if f.kind == "pair"]
    assert not unspin.check(SPUN, allow=["warmth brink"]).findings


@needs_model
def test_plain_sentences_give_no_pair() -> None:
    for text in ("The cat sat on the mat and looked out of the window at the birds.",
                 "Each image passes through a feature map before the classifier assigns a label.",
                 "The committee approved the budget after a long debate about school funding."):
        assert not [f for f in unspin.check(text).findings if f.kind == "pair"], text
