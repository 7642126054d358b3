"""A spinner swaps a word the same way wherever it occurs: one-word readings agree across the text."""
from __future__ import annotations

import pytest

from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import neural
from unspin.stages.agreement import agree_across_text, swapped_probability
from unspin.stages.tokenize import tokenize
from unspin.stages.words import word_features

TEXT = "The framework failed. We rebuilt the frameworks. A framework is a tool. The framework won."


def word_cand(doc: Doc, word: str, nth: int, original: str, passage: float, within: float) -> Candidate:
    at = [i for i, t in enumerate(doc.tokens) if t.lower == word][nth]
    cand = Candidate(at, at, (original,), "word", features={"passage": passage, "within": within})
    cand.score = passage * within
    return cand


def test_every_occurrence_takes_the_best_reading_of_the_same_swap_at_its_own_passage() -> None:
    doc = tokenize(Doc(TEXT))
    strong = word_cand(doc, "framework", 0, "system", passage=0.9, within=0.8)
    weak = word_cand(doc, "framework", 1, "system", passage=0.5, within=0.1)
    inflected = word_cand(doc, "frameworks", 0, "systems", passage=0.9, within=0.2)
    other = word_cand(doc, "framework", 2, "model", passage=0.9, within=0.3)  # another original: its own reading
    doc.candidates = [strong, weak, inflected, other]
    agree_across_text(doc, None, Config())
    assert strong.score == pytest.approx(0.72) and not any("uses" in e for e in strong.evidence)
    assert weak.score == pytest.approx(0.5 * 0.8)  # its own passage, the best swap probability
    assert inflected.score == pytest.approx(0.9 * 0.8)  # *frameworks* → *systems* is the same swap
    assert other.score == pytest.approx(0.27)
    assert any("'framework' 3 times" in e and "'system'" in e for e in weak.evidence)
    assert swapped_probability(weak) == pytest.approx(0.8)


def test_an_occurrence_where_the_original_reads_clearly_worse_keeps_its_own_reading() -> None:
    """The source's own *set* (*the training set of 9 million*) is not raised by a *set* that reads as *down*."""
    doc = tokenize(Doc("Break the data set down. The training set of 9 million rows."))
    swap = word_cand(doc, "set", 0, "down", passage=0.9, within=0.8)
    own = word_cand(doc, "set", 1, "down", passage=0.9, within=0.01)
    own.features["neural"] = -10.0  # *the training down of 9 million* reads far worse than *set*
    near = word_cand(doc, "set", 1, "group", passage=0.9, within=0.01)
    near.features["gain"] = -1.0  # a little worse, read by the word stage only: still raised
    other = word_cand(doc, "set", 0, "group", passage=0.9, within=0.5)
    doc.candidates = [swap, own, near, other]
    agree_across_text(doc, None, Config())
    assert own.score == pytest.approx(0.009) and not own.evidence
    assert near.score == pytest.approx(0.45)


def test_two_forms_of_one_original_at_one_occurrence_do_not_raise_each_other() -> None:
    """*has appeared* may be *has shown* or *has showed*: rivals at one place, not the same swap made twice."""
    doc = tokenize(Doc("The result has appeared in the table. It appeared twice."))
    shown = word_cand(doc, "appeared", 0, "shown", passage=0.9, within=0.8)
    showed = word_cand(doc, "appeared", 0, "showed", passage=0.9, within=0.3)
    later = word_cand(doc, "appeared", 1, "showed", passage=0.9, within=0.1)
    doc.candidates = [shown, showed, later]
    agree_across_text(doc, None, Config())
    assert showed.score == pytest.approx(0.9 * 0.3)  # not raised by its rival *shown* at the same place
    assert later.score == pytest.approx(0.9 * 0.8)  # another occurrence: the same swap, raised


def test_a_word_read_once_or_phrases_are_left_alone() -> None:
    doc = tokenize(Doc(TEXT))
    once = word_cand(doc, "tool", 0, "instrument", passage=0.9, within=0.4)
    phrase = Candidate(1, 1, ("system",), "phrase")
    phrase.score = 0.1
    doc.candidates = [once, phrase]
    agree_across_text(doc, None, Config())
    assert once.score == pytest.approx(0.36) and phrase.score == 0.1


@pytest.mark.usefixtures("kn")
@pytest.mark.skipif(not neural.available(), reason="the neural model is not installed")
def test_every_occurrence_of_a_word_is_offered_what_any_occurrence_kept(kn) -> None:
    """Late in a text a repeated odd word reads naturally to the model; it is still offered the original."""
    text = ("We will deliver this bill as soon as doable. The doable plan is doable, the doable team says, "
            "and a doable budget is doable too.")
    doc = tokenize(Doc(text))
    cands = word_features(doc, kn, Config())
    at = [i for i, t in enumerate(doc.tokens) if t.lower == "doable"]
    offered = {i for i in at if any(c.first == i and c.original == ("possible",) for c in cands)}
    assert offered == set(at)
    siblings = [c for c in cands if c.original == ("possible",) and c.features["sibling"]]
    assert siblings and any(c.features["gain"] < 1.0 for c in siblings)  # its own reading would not have kept it
    assert all(any("another occurrence" in e for e in c.evidence) for c in siblings)
