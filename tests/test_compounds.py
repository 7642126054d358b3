"""Hyphenated compounds are read as one word: a swapped part, or a compound standing for a word."""
from __future__ import annotations

import pytest

import unspin
from unspin.config import Config
from unspin.doc import Doc
from unspin.stages.candidates import find_candidates
from unspin.stages.compounds import compound_options, find_compound_candidates, known_compound
from unspin.stages.findings import render
from unspin.stages.scoring import score_candidates
from unspin.stages.tokenize import compound_words, compounds, runs, tokenize


def test_a_compound_is_one_word_of_several_tokens() -> None:
    doc = tokenize(Doc("A state-of-the-art, co-employee led plan."))
    run = next(runs(doc))
    words = compounds(doc, run)
    assert [doc.text[doc.tokens[a].start : doc.tokens[b].end] for a, b in words] == ["A", "state-of-the-art"]
    first = next(i for i, t in enumerate(doc.tokens) if t.text == "co")
    last = next(i for i, t in enumerate(doc.tokens) if t.text == "plan")
    assert compound_words(doc, first, last) == ["co-employee", "led", "plan"]


def test_what_makes_a_compound_established(kn) -> None:
    assert kn.attested("post-war")[0]  # written solid, *postwar* is a word
    assert kn.attested("co-worker")[0]  # WordNet and the thesauri list it
    assert kn.attested("multi-players")[0]  # its last part's base form is (*multi player*, a phrase)
    assert not kn.attested("post-struggle")[0]
    assert not kn.attested("co-employee")[0]


def test_an_unknown_compound_may_be_a_known_one_with_a_part_swapped(kn) -> None:
    options = compound_options("co-employee", kn, Config())
    assert "co-worker" in options.links
    assert all(kn.attested(o)[0] for o in options.links)  # only established compounds are offered


@pytest.mark.parametrize("compound", ["co-employee", "post-struggle", "higher-paid", "well-paid", "mid-sized", "covered-over"])
def test_no_compound_is_offered_as_its_own_original(kn, compound: str) -> None:
    """A part's options hold its own inflections (*cover* → *covered*): swapping one in changes nothing."""
    options = compound_options(compound, kn, Config())
    assert compound not in options.links and options.keep == {compound}


def test_a_compound_written_solid_is_a_spelling_not_a_spin(kn) -> None:
    assert "online" not in compound_options("on-line", kn, Config()).links
    assert unspin.check("You can buy it from an on-line music store today.").findings == []


def test_a_known_compound_is_no_part_swap(kn) -> None:
    """*well-being* is established: its parts are as meant; as a whole it may still stand for *health*."""
    assert known_compound(kn, "well-being")
    options = compound_options("well-being", kn, Config())
    assert "health" in options.links
    assert all(kn.link("well-being", o) for o in options.links)  # whole-word links only, no part swaps


def candidates(kn, text: str) -> tuple[Doc, list]:
    doc = tokenize(Doc(text))
    find_candidates(doc, kn, Config())
    tokenwise = len(doc.candidates)
    score_candidates(find_compound_candidates(doc, kn, Config()), kn, Config())
    return doc, doc.candidates[tokenwise:]


def test_a_part_swap_covers_the_compound_and_renders_in_its_case(kn) -> None:
    doc, found = candidates(kn, "Co-employee reviews were mixed.")
    swap = next(c for c in found if c.original == ("co-worker",))
    assert swap.kind == "compound"
    assert doc.text[doc.tokens[swap.first].start : doc.tokens[swap.last].end] == "Co-employee"
    assert render(doc, swap) == "Co-worker"
    assert any("in 'co-employee' for 'co-worker'" in e for e in swap.evidence)


def test_a_compound_standing_for_a_word_makes_a_phrase(kn) -> None:
    doc, found = candidates(kn, "He pressed the far-flung control to change the channel.")
    best = max(found, key=lambda c: c.score)
    assert best.original == ("remote", "control") and best.kind == "phrase"
    assert render(doc, best) == "remote control"


def test_the_candidate_stage_proposal_is_not_made_twice(kn) -> None:
    """*user-pleasant* → *user friendly* is a phrase the token-wise search finds: no second *user-friendly*."""
    doc, found = candidates(kn, "The interface is very user-pleasant for beginners.")
    assert any(c.original == ("user", "friendly") for c in doc.candidates)
    assert not any(c.original == ("user-friendly",) for c in found)


@pytest.mark.parametrize(
    ("text", "spun", "original"),
    [
        ("She thanked her co-employee for the help with the report.", "co-employee", "co-worker"),
        ("He pressed the far-flung control to change the channel.", "far-flung control", "remote control"),
    ],
)
def test_spun_compounds_are_found_and_restored(text: str, spun: str, original: str) -> None:
    report = unspin.check(text)
    assert [(f.text, f.suggestions[0].text) for f in report.findings] == [(spun, original)]
    assert unspin.restore(text).text == text.replace(spun, original)


def test_clean_compounds_stay_unflagged() -> None:
    text = ("Our state-of-the-art, data-driven and cost-effective long-term plan keeps a well-being budget "
            "for each co-worker, with post-war records and x-ray images on-line.")
    assert unspin.check(text).findings == []
