"""Tests of the synthetic spinner against the real compiled knowledge."""
from __future__ import annotations

import pytest

from unspin import morph
from unspin.knowledge import Knowledge, get
from unspin.synth import Spun, spin, synonyms

PARAGRAPH = (
    "Researchers trained a random forest on the raw data collected from several hospitals. "
    "The results show that the method predicts the outcome of patients with high accuracy, "
    "although the models need careful tuning. Doctors who reviewed the predictions found them "
    "useful in daily practice, and the authors plan to extend the study to rural clinics and "
    "larger populations next year."
)


@pytest.fixture(scope="module")
def kn() -> Knowledge:
    return get()


def rebuild(spun: Spun) -> str:
    """The clean text, recovered by putting every edit's original wording back."""
    out, pos = [], 0
    for e in spun.edits:
        out.append(spun.text[pos : e.start])
        out.append(e.original)
        pos = e.end
    out.append(spun.text[pos:])
    return "".join(out)


def test_paragraph_has_about_sixty_words() -> None:
    assert 55 <= len(PARAGRAPH.split()) <= 70


def test_deterministic_for_a_seed(kn: Knowledge) -> None:
    assert spin(PARAGRAPH, 0.3, seed=7, knowledge=kn) == spin(PARAGRAPH, 0.3, seed=7, knowledge=kn)


def test_seeds_differ(kn: Knowledge) -> None:
    texts = {spin(PARAGRAPH, 0.3, seed=s, knowledge=kn).text for s in range(5)}
    assert len(texts) > 1


def test_rate_zero_changes_nothing(kn: Knowledge) -> None:
    spun = spin(PARAGRAPH, 0.0, seed=3, knowledge=kn)
    assert spun.text == PARAGRAPH
    assert spun.edits == []


def test_rate_point_three_makes_several_edits(kn: Knowledge) -> None:
    for seed in range(5):
        spun = spin(PARAGRAPH, 0.3, seed=seed, knowledge=kn)
        assert len(spun.edits) >= 3, spun.text
        assert spun.text != PARAGRAPH


@pytest.mark.parametrize("seed", range(10))
def test_offsets_point_at_the_spun_text(kn: Knowledge, seed: int) -> None:
    spun = spin(PARAGRAPH, 0.5, seed=seed, knowledge=kn)
    for e in spun.edits:
        assert spun.text[e.start : e.end] == e.spun
        assert e.spun.lower() != e.original.lower()
    starts = [e.start for e in spun.edits]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(spun.edits, spun.edits[1:]))


@pytest.mark.parametrize("seed", range(10))
def test_text_differs_only_at_the_edits(kn: Knowledge, seed: int) -> None:
    spun = spin(PARAGRAPH, 0.5, seed=seed, knowledge=kn)
    assert rebuild(spun) == PARAGRAPH


def test_edits_are_thesaurus_synonyms(kn: Knowledge) -> None:
    spun = spin(PARAGRAPH, 1.0, seed=1, knowledge=kn)
    assert spun.edits
    for e in spun.edits:
        if " " in e.original:
            continue
        offered = {s for s, _ in synonyms(e.original, kn)}
        assert e.spun.lower() in offered


def test_names_and_function_words_are_left_alone(kn: Knowledge) -> None:
    text = "Yesterday Margaret Thatcher visited the factory with the workers of NASA in London."
    for seed in range(10):
        touched = {e.original for e in spin(text, 1.0, seed=seed, knowledge=kn).edits}
        assert not touched & {"Margaret", "Thatcher", "NASA", "London", "the", "with", "of", "in"}


def test_sentence_initial_capital_kept(kn: Knowledge) -> None:
    text = "Researchers measured the rainfall. Scientists studied the results."
    seen = 0
    for seed in range(20):
        spun = spin(text, 1.0, seed=seed, knowledge=kn)
        for e in spun.edits:
            if e.original[0].isupper():
                seen += 1
                assert e.spun[0].isupper(), e
            else:
                assert e.spun == e.spun.lower(), e
        assert spun.text[0].isupper()
    assert seen > 0


def test_plural_nouns_stay_plural(kn: Knowledge) -> None:
    text = "The forests and rivers near the villages hold many birds, trees and flowers."
    plural = total = 0
    for seed in range(20):
        for e in spin(text, 1.0, seed=seed, knowledge=kn).edits:
            found = morph.inflection_tag(e.original)
            if " " in e.spun or not found or found[1] != "NNS":
                continue
            total += 1
            tag = morph.inflection_tag(e.spun)
            plural += bool(tag and tag[1] == "NNS") or e.spun.endswith("s")
    assert total >= 20
    assert plural / total >= 0.9


def test_known_plural_synonym(kn: Knowledge) -> None:
    options = dict(synonyms("forests", kn))
    assert "woods" in options or "woodlands" in options
    assert "forest" not in options and "wood" not in options


def test_two_word_entries_replaced_whole_sometimes(kn: Knowledge) -> None:
    text = "You should take care of the garden. " * 10
    phrases = [e for s in range(10) for e in spin(text, 0.8, seed=s, knowledge=kn).edits if e.original.lower() == "take care"]
    assert phrases


def test_name_at_sentence_start_left_alone(kn: Knowledge) -> None:
    text = "Major General Smith praised the brave soldiers. Major changes followed."
    for seed in range(10):
        edits = spin(text, 1.0, seed=seed, knowledge=kn).edits
        assert all(e.start > len("Major General Smith") for e in edits)


def test_careless_spinner_swaps_names_but_not_acronyms(kn: Knowledge) -> None:
    """``names=True``: capitalised words inside a sentence are swapped too (*White Home*), keeping their capital."""
    text = "Yesterday the White House said the Cold War was over, NASA told reporters."
    touched = set()
    for seed in range(10):
        for e in spin(text, 1.0, seed=seed, knowledge=kn, names=True).edits:
            touched.add(e.original)
            if e.original[0].isupper():
                assert e.spun[0].isupper(), e
    assert touched & {"White", "House", "Cold", "War"}
    assert "NASA" not in touched
