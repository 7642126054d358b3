"""The text is read again with its confident restorations in place."""
from __future__ import annotations

import pytest

import unspin
from unspin.api import analyse
from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import neural
from unspin.stages.reread import MIN_ORDER, restored_reading
from unspin.stages.tokenize import tokenize
from unspin.stages.words import word_features

TEXT = "The Chilly Battle ended; crude information, in the event that asked, came from the White Home."


def cand(doc: Doc, phrase: str, original: tuple[str, ...], score: float, kind: str = "phrase") -> Candidate:
    """A candidate over the tokens of ``phrase`` (its first occurrence in ``doc``)."""
    start = doc.text.index(phrase)
    toks = [i for i, t in enumerate(doc.tokens) if t.start >= start and t.end <= start + len(phrase)]
    c = Candidate(toks[0], toks[-1], original, kind)
    c.score = score
    return c


def test_the_reading_puts_confident_restorations_in_place_and_maps_every_word() -> None:
    doc = tokenize(Doc(TEXT))
    doc.candidates = [
        cand(doc, "Chilly Battle", ("cold", "war"), 0.9),
        cand(doc, "crude information", ("raw", "data"), 0.7),
        cand(doc, "in the event that", ("if",), 0.8),
        cand(doc, "White Home", ("white", "house"), 0.3),  # not confident: left as written
    ]
    reading = restored_reading(doc, 0.5)
    assert reading is not None
    assert reading.text == "The Cold War ended; raw data, if asked, came from the White Home."
    by_word = {doc.tokens[i].text: reading.text[at : at + 4] for i, at in reading.starts.items()}
    assert by_word["Chilly"] == "Cold" and by_word["Battle"] == "War "
    assert by_word["crude"] == "raw " and by_word["information"] == "data"
    assert by_word["in"] == "if a" and by_word["asked"] == "aske" and by_word["Home"] == "Home"
    # the later words of a restoration of another length have no place in the reading
    assert not any(doc.tokens[i].text in ("the", "event") and doc.tokens[i].start < doc.text.index("asked") for i in reading.starts)
    changed = {doc.tokens[i].text for i in reading.changed}
    assert changed == {"Chilly", "Battle", "crude", "information", "in"}


def test_no_reading_without_a_confident_change() -> None:
    doc = tokenize(Doc(TEXT))
    doc.candidates = [cand(doc, "White Home", ("white", "house"), 0.4)]
    assert restored_reading(doc, 0.5) is None
    assert restored_reading(doc, None) is None
    doc.candidates = [cand(doc, "White Home", ("white", "home"), 0.9)]  # restores nothing
    assert restored_reading(doc, 0.5) is None


def test_the_best_restoration_of_a_span_goes_in() -> None:
    doc = tokenize(Doc(TEXT))
    home = [i for i, t in enumerate(doc.tokens) if t.text == "Home"][0]
    worse = Candidate(home, home, ("household",), "word", features={"order": 0.2}, score=0.8)
    better = Candidate(home, home, ("house",), "word", features={"order": 0.7}, score=0.6)
    doc.candidates = [worse, better]
    reading = restored_reading(doc, 0.5)
    assert reading is not None and reading.text.endswith("the White House.")


def test_an_unlikely_one_word_restoration_stays_out_of_the_reading() -> None:
    """A confident finding whose best original is a guess (low ``order``) would mislead the model about
    its neighbours; the word is read as written. Phrases, which carry no ``order``, still go in."""
    doc = tokenize(Doc(TEXT))
    home = [i for i, t in enumerate(doc.tokens) if t.text == "Home"][0]
    guess = Candidate(home, home, ("house",), "word", features={"order": MIN_ORDER / 2}, score=0.9)
    doc.candidates = [guess]
    assert restored_reading(doc, 0.5) is None
    doc.candidates = [guess, cand(doc, "Chilly Battle", ("cold", "war"), 0.9)]
    reading = restored_reading(doc, 0.5)
    assert reading is not None and reading.text.startswith("The Cold War") and reading.text.endswith("White Home.")


@pytest.mark.usefixtures("kn")
@pytest.mark.skipif(not neural.available(), reason="the neural model is not installed")
def test_words_are_compared_as_observed_after_the_restored_context(kn) -> None:
    doc = tokenize(Doc("The White Home declared the tariffs would be lifted."))
    first = {(doc.tokens[c.first].text, c.original[0]): c.features["gain"] for c in word_features(doc, kn, Config())}
    doc.candidates = [cand(doc, "White Home", ("white", "house"), 0.9)]
    doc.reading = restored_reading(doc, 0.5)
    again = {(doc.tokens[c.first].text, c.original[0]): c.features for c in word_features(doc, kn, Config())}
    # *Home* itself is still compared as observed: the model's left context did not change there
    assert again[("Home", "house")]["gain"] == pytest.approx(first[("Home", "house")], abs=0.05)
    assert again[("Home", "house")]["gain"] > 1.0


@pytest.mark.usefixtures("kn")
@pytest.mark.skipif(not neural.available(), reason="the neural model is not installed")
def test_rereading_is_an_option_and_clean_text_is_read_once() -> None:
    clean = "The committee met on Tuesday and approved the budget for next year."
    doc, _ = analyse(clean, Config())
    assert doc.reading is None and doc.findings == []
    assert unspin.check(clean, reread_confidence=None).findings == []


@pytest.mark.usefixtures("kn")
@pytest.mark.skipif(not neural.available(), reason="the neural model is not installed")
def test_a_spun_text_is_read_again_with_its_restorations() -> None:
    spun = "The results are as pursues: crude information from the Center East shows the White Home was right."
    doc, _ = analyse(spun, Config())
    assert doc.reading is not None and "as follows" in doc.reading.text
    once, _ = analyse(spun, Config(reread_confidence=None))
    assert once.reading is None
    assert [f.suggestions[0].text for f in doc.findings] == [f.suggestions[0].text for f in once.findings]
