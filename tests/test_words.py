"""One-word spins: the neural model reads the text once and scores every content word's originals."""
from __future__ import annotations

import pytest

import unspin
from conftest import finding_at
from unspin.config import Config
from unspin.doc import Doc
from unspin.knowledge import neural
from unspin.stages.findings import render
from unspin.stages.tokenize import tokenize
from unspin.stages.words import PER_WORD, keep_originals, word_features, word_options

pytestmark = [
    pytest.mark.usefixtures("kn"),
    pytest.mark.skipif(not neural.available(), reason="the neural model is not installed"),
]


def test_word_options_are_inflected_one_word_originals(kn):
    opts = word_options("folks", kn, Config())
    assert "people" in opts or "persons" in opts
    assert all(" " not in o for o in opts)
    assert "folks" not in opts and "folk" not in opts
    assert word_options("the", kn, Config()) == {}  # function words are left alone


def test_a_word_in_its_own_base_form_is_offered_originals_as_they_stand(kn):
    # the noun *undertaking* may stand for the noun *project*; the verb's *projecting* stays on offer
    assert {"project", "projecting"} <= set(word_options("undertaking", kn, Config()))
    # *appeared* is past tense or participle: both forms of an original are offered
    assert {"showed", "shown"} <= set(word_options("appeared", kn, Config()))
    assert "movie" not in word_options("films", kn, Config())  # the plural noun keeps its number


def test_a_word_in_its_own_base_form_is_restored_in_that_form(kn):
    text = "The team finished the undertaking on time and under budget, and the client was happy."
    doc = tokenize(Doc(text))
    cands = word_features(doc, kn, Config())
    at = next(i for i, t in enumerate(doc.tokens) if t.text == "undertaking")
    rendered = {render(doc, c) for c in cands if c.first == at}
    assert "project" in rendered


def test_next_word_logprobs_line_up_with_words():
    lm = neural.get()
    text = "He sat on the chair. Then the White Home said «no»."
    asks = [(text.index("chair"), ["chair", "banana"]), (text.index("Home"), ["House", "Home"])]
    (obs1, alts1), (obs2, alts2) = lm.next_word_logprobs(text, asks)
    assert alts1[0] == pytest.approx(obs1)  # the word itself scores as the word
    assert alts1[0] > alts1[1]
    assert alts2[0] > obs2 + 2  # after "the White", House reads far better than Home
    assert alts2[1] == pytest.approx(obs2)


def test_word_candidates_carry_features_and_evidence(kn):
    text = "We are working to deliver this legislation for the American people as soon as doable."
    doc = tokenize(Doc(text))
    cands = word_features(doc, kn, Config())
    got = {(doc.tokens[c.first].text, c.original[0]) for c in cands}
    assert ("doable", "possible") in got
    cand = next(c for c in cands if c.original == ("possible",))
    assert cand.features["gain"] > 2 and cand.kind == "word"
    assert any("SmolLM2" in e for e in cand.evidence)


ONE_SENTENCE = "We are working around the clock to deliver this legislation for the American people as soon as doable."


def test_one_word_spin_in_one_sentence_is_found_when_the_text_is_suspect():
    """One odd word in one sentence is weak evidence in a mostly clean stream; a user who already
    suspects the text (a higher ``spun_prior``) gets the word flagged and restored."""
    default = finding_at(ONE_SENTENCE, unspin.check(ONE_SENTENCE, min_confidence=0.0).findings, "doable")
    assert default is not None and default.suggestions[0].text == "possible"
    assert default.confidence < Config().min_confidence
    finding = finding_at(ONE_SENTENCE, unspin.check(ONE_SENTENCE, spun_prior=0.9).findings, "doable")
    assert finding is not None and finding.kind == "word"
    assert finding.suggestions[0].text == "possible"
    assert finding.confidence > default.confidence
    assert unspin.restore(ONE_SENTENCE, spun_prior=0.9).text.endswith("as soon as possible.")


def test_passage_probability_weighs_the_prior_against_the_words():
    from unspin.stages.scoring import weights
    from unspin.stages.words import passage_probability

    w = weights()["passage"]
    assert passage_probability(0, 0, 0.05, w) == pytest.approx(0.05)  # no words read: the prior stands
    assert passage_probability(0, 0, 0.5, w) == pytest.approx(0.5)
    # a passage where most words read worse than a synonym is spun; one where few do is not
    assert passage_probability(80, 40, 0.05, w) > 0.95
    assert passage_probability(30, 90, 0.05, w) < 0.01
    # more evidence of the same kind moves further from the prior
    assert passage_probability(40, 20, 0.05, w) > passage_probability(4, 2, 0.05, w)
    # one sentence of odd words is not yet a spun passage
    assert passage_probability(7, 1, 0.05, w) < 0.5


def test_word_spins_can_be_switched_off():
    assert finding_at(ONE_SENTENCE, unspin.check(ONE_SENTENCE, word_spins=False, spun_prior=0.9).findings, "doable") is None


def test_long_unbroken_text_is_read_in_pieces():
    """A text with no sentence ends longer than a segment still gets every word scored."""
    lm = neural.get()
    text = " ".join(["the cat sat on the mat"] * 400)
    asks = [(i, ["dog"]) for i in range(0, len(text), 500) if text[i - 1 : i] in ("", " ")]
    got = lm.next_word_logprobs(text, asks)
    assert len(got) == len(asks) and sum(g is not None for g in got) >= len(asks) - 1


def test_model_caches_stay_bounded_and_whole_under_threads(monkeypatch):
    """unspin serve --threads shares one model: concurrent evictions must not raise or overfill the cache."""
    import sys
    import threading

    lm = neural.get()
    monkeypatch.setattr(lm, "CACHE_SIZE", 50)
    monkeypatch.setattr(lm, "_cache", {})
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    errors: list[str] = []

    def work(t: int) -> None:
        try:
            for i in range(5000):
                assert lm._remember(lm._cache, (t, i), lambda: [float(i)]) == [float(i)]
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(repr(exc))

    try:
        threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(old)
    assert errors == []
    assert len(lm._cache) == 50


def test_local_rate_counts_neighbours_and_shrinks_short_texts():
    from unspin.stages.words import RATE_PRIOR, RATE_WINDOW, local_rate, window_counts

    def local_rates(hits: list[bool | None]) -> list[float]:  # as the word stage derives them
        return [local_rate(k, n) for k, n in window_counts(hits)]

    assert local_rates([]) == []
    # two words tell little: the share stays near the prior whatever they show
    assert all(abs(r - RATE_PRIOR) < 0.1 for r in local_rates([True, True]))
    # a long run of swaps raises the share where it is, not a window's length away
    hits = [True] * 200 + [False] * 600
    rates = local_rates(hits)
    assert rates[100] > 0.8 and rates[799] < 0.1
    assert rates[200 + RATE_WINDOW + 1] < rates[150]
    # unreadable words are left out of the counts
    assert local_rates([None, None, True])[2] == local_rates([True])[0]


LIGHT = ("The committee said on Tuesday that the new budget would be voted on next week, and members expect it "
         "to pass. Leaders are working around the clock to pass the bill as soon as doable.")
HEAVY = ("The panel stated on Tuesday that the brand new funds would be voted on subsequent week, and participants "
         "assume it to move. Leaders are operating across the clock to pass the invoice as soon as doable.")


def test_same_swap_is_more_suspicious_in_a_heavily_spun_passage(kn):
    """*doable* for *possible* is one swap in LIGHT and one of many in HEAVY: the passage counts."""
    def doable(text):
        doc = tokenize(Doc(text))
        cand = next(c for c in word_features(doc, kn, Config()) if doc.tokens[c.first].text == "doable")
        finding = finding_at(text, unspin.check(text, min_confidence=0.0).findings, "doable")
        return cand.features["local_rate"], finding.confidence

    light_rate, light_conf = doable(LIGHT)
    heavy_rate, heavy_conf = doable(HEAVY)
    assert heavy_rate > light_rate
    assert heavy_conf > light_conf


def test_a_close_synonym_is_kept_before_a_loose_associate_that_reads_a_little_better() -> None:
    # *home* for *house* (close synonyms: shared neighbours, strong link) against *home* for *asylum*
    lps = [-3.0, -4.0, -9.0, -3.5, -3.6]
    sims = {0: 0.05, 1: 0.6, 3: 0.1, 4: 0.1}
    strengths = {0: 0.17, 1: 1.0, 3: 0.17, 4: 0.17}
    kept = keep_originals([0, 1, 3, 4], lps, sims, strengths)
    assert kept[0] == 1
    assert len(kept) == PER_WORD and 2 not in kept  # only readable originals (2 reads too badly) are kept


def test_forms_of_one_original_share_a_place() -> None:
    # *undertaking*: the model reads only the first token, so *project* and *projecting* read alike
    lps = [-3.0, -3.0, -3.5, -4.0, -4.5]
    sims = {k: 0.2 for k in range(5)}
    strengths = {k: 0.5 for k in range(5)}
    groups = {0: "project", 1: "project", 2: "task", 3: "job", 4: "venture"}
    kept = keep_originals(list(range(5)), lps, sims, strengths, groups)
    assert kept == [0, 1, 2, 3]  # three originals, both forms of the first
    assert keep_originals(list(range(5)), lps, sims, strengths) == [0, 1, 2][:PER_WORD]
