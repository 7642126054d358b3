"""A bracketed acronym is evidence about the words before it."""
from __future__ import annotations

import pytest

import unspin
from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.stages.acronyms import ACRONYM_ODDS, acronym_after, acronym_letters, spells, weigh_acronyms
from unspin.stages.tokenize import tokenize


def long_form(text: str) -> list[tuple[str, bool]]:
    """``(word, attached)`` pairs of ``text``, as the stage builds them."""
    doc = tokenize(Doc(text))
    out, attached = [], False
    for tok in doc.tokens:
        if tok.text == "-":
            attached = True
        else:
            out.append((tok.text, attached))
            attached = False
    return out


@pytest.mark.parametrize(
    ("words", "acronym"),
    [
        ("machine learning", "ML"),
        ("long short-term memory", "LSTM"),
        ("deep neural networks", "DNNs"),
        ("Court of Justice of the European Union", "CJEU"),
        ("state of health", "SOH"),
        ("we use a support vector machine", "SVM"),
    ],
)
def test_long_forms_that_spell_their_acronym(words: str, acronym: str) -> None:
    assert any(spells(long_form(words), f) for f in acronym_letters(acronym))


@pytest.mark.parametrize(
    ("words", "acronym"),
    [
        ("vehicle learning", "ML"),
        ("condition of health", "SOH"),
        ("machine learning models", "ML"),  # the last word must give the last letter
        ("in London", "UK"),
    ],
)
def test_long_forms_that_do_not(words: str, acronym: str) -> None:
    assert not any(spells(long_form(words), f) for f in acronym_letters(acronym))


def test_what_reads_as_an_acronym() -> None:
    assert acronym_letters("GANs") == ["gans", "gan"]
    assert acronym_letters("IT") == ["it"]
    assert acronym_letters("5G") == [] and acronym_letters("A") == [] and acronym_letters("R&D") == []


def test_the_acronym_must_follow_the_span_within_its_clause() -> None:
    doc = tokenize(Doc("We used condition of health (SOH), then wind speed (m) and the model (see above)."))
    idx = {t.text: i for i, t in reversed(list(enumerate(doc.tokens)))}  # first occurrences
    assert acronym_after(doc, idx["condition"]) == (idx["("], "SOH")
    assert acronym_after(doc, idx["We"]) == (idx["("], "SOH")
    assert acronym_after(doc, idx["speed"]) is None  # one letter is no acronym
    assert acronym_after(doc, idx["model"]) is None  # nor is a bracketed phrase


def _cand(doc: Doc, first: str, last: str, original: tuple[str, ...], score: float) -> Candidate:
    idx = {t.text: i for i, t in enumerate(doc.tokens)}
    c = Candidate(idx[first], idx[last], original, "phrase")
    c.score = score
    return c


def test_an_original_that_spells_the_acronym_gains_and_one_that_breaks_it_loses() -> None:
    doc = tokenize(Doc("We study the condition of health (SOH) of cells and a knowledge base (KB) of facts."))
    raised = _cand(doc, "condition", "condition", ("state",), 0.25)
    neutral = _cand(doc, "condition", "condition", ("realm",), 0.25)
    lowered = _cand(doc, "base", "base", ("store",), 0.6)
    doc.candidates = [raised, neutral, lowered]
    weigh_acronyms(doc, None, Config())  # type: ignore[arg-type]
    odds = lambda p: p / (1 - p)  # noqa: E731
    assert odds(raised.score) == pytest.approx(odds(0.25) * ACRONYM_ODDS)
    assert neutral.score == 0.25
    assert odds(lowered.score) == pytest.approx(odds(0.6) / ACRONYM_ODDS)
    assert "(SOH)" in raised.evidence[0] and "(KB)" in lowered.evidence[0]  # first: it outweighs the rest


def test_check_finds_a_spun_term_only_its_acronym_gives_away() -> None:
    spun = "We then apply vehicle learning (ML) to the measured signals."
    finding = next(f for f in unspin.check(spun).findings if f.text == "vehicle learning")
    assert finding.suggestions[0].text == "machine learning"
    assert "(ML)" in finding.evidence[0]
    without = unspin.check("We then apply vehicle learning to the measured signals.")
    assert not any(f.text == "vehicle learning" for f in without.findings)


def test_a_run_of_function_words_does_not_blow_up_the_search() -> None:
    words = [("a", False)] * 60  # every word may give its letter or none: without memoising, C(60, 9) paths
    assert not spells(words, "b" + "a" * 9)
