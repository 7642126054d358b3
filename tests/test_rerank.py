"""The neural rerank: SmolLM2 reads each suspicious span's best originals in their sentence."""
from __future__ import annotations

import pytest

from unspin.config import Config
from unspin.doc import Doc
from unspin.knowledge import neural
from unspin.stages.candidates import find_candidates
from unspin.stages.rerank import add_neural, rerank, rescore
from unspin.stages.scoring import score_candidates, weights
from unspin.stages.tokenize import tokenize

pytestmark = [
    pytest.mark.usefixtures("kn"),
    pytest.mark.skipif(not neural.available(), reason="the neural model is not installed"),
]


def _read(text: str, kn) -> list:
    doc = score_candidates(find_candidates(tokenize(Doc(text)), kn, Config()), kn, Config())
    return add_neural(doc, Config(rerank_floor=0.0))


def test_the_model_prefers_the_original_and_finds_the_spun_words_surprising(kn):
    read = _read("During the Chilly Battle, the two powers built up their arsenals.", kn)
    top = next(top for top, _ in read if any(c.original == ("cold", "war") for c in top))
    cold_war = next(c for c in top if c.original == ("cold", "war"))
    assert cold_war.features["neural"] > 2.0  # nats: *Cold War* reads far better than *Chilly Battle*
    assert all(c.features["surprise"] == cold_war.features["surprise"] for c in top)  # a property of the span
    assert cold_war.features["surprise"] < -2.0  # mean log P per token of *Chilly Battle* here


def test_surprising_wording_raises_the_score(kn):
    w = weights()["rerank"]
    read = _read("During the Chilly Battle, the two powers built up their arsenals.", kn)
    cand = read[0][0][0]
    calm = rescore(cand, w)
    cand.features["surprise"] -= 3.0  # the same candidate, its span read as less likely English
    assert rescore(cand, w) > calm


def test_rerank_keeps_scores_probabilities_and_adds_evidence(kn):
    doc = score_candidates(find_candidates(tokenize(Doc("The Chilly Battle ended in 1991.")), kn, Config()), kn, Config())
    rerank(doc, kn, Config(rerank_floor=0.0))
    assert all(0.0 <= c.score <= 1.0 for c in doc.candidates)
    read = [c for c in doc.candidates if "neural" in c.features]
    assert read and all(any("SmolLM2" in e for e in c.evidence) for c in read)


def test_a_prefix_read_before_is_reused_without_changing_the_scores():
    """The model keeps the last prefix it read; a neighbouring span's prefix reads only what is new,
    and scores as if read from scratch (up to the float noise of reading in other batch sizes)."""
    lm = neural.get()
    text = "The system was trained on crude information from more than forty thousand scans collected over ten years."
    cases = [(text[:40], [" raw data", " crude information"]), (text[:80], [" thousand", " hundred"]),
             (text[:79], [" thousand", " hundred"]), ("Another text", [" is", " was"])]
    reused = [lm.continuations(p, o) for p, o in cases]
    fresh = []
    for p, o in cases:
        lm._held = []  # forget what the model holds
        fresh.append(lm._continuations(p, o))
    for a, b in zip(reused, fresh):
        assert a == pytest.approx(b, abs=0.2)
    assert reused[0][0] > reused[0][1]  # *raw data* still reads better than *crude information*


def test_the_start_of_an_option_is_scored_off_its_tokens_as_if_read_alone():
    """``start`` costs no model read where the first option begins with its tokens, and scores as if read
    alone; where it does not (*Chilly Battles* does not start with the tokens of *Chilly Battler*), it is read."""
    lm = neural.get()
    prefix, opts = "During the", [" Chilly Battle, the two powers", " Cold War, the two powers"]
    with_start = lm.continuations(prefix, opts, start=" Chilly Battle")
    alone = lm.continuations(prefix, [" Chilly Battle"])
    assert len(with_start) == 3 and with_start[:2] == pytest.approx(lm.continuations(prefix, opts), abs=0.2)
    assert with_start[2] == pytest.approx(alone[0], abs=0.2)
    assert with_start[2] > with_start[0]  # a beginning is likelier than the whole
    unlike = lm.continuations(prefix, [" Chilly Battles"], start=" Chilly Battler")
    assert unlike[1] == pytest.approx(lm.continuations(prefix, [" Chilly Battler"])[0], abs=0.2)


def test_neighbouring_spans_share_the_start_of_their_left_context():
    from unspin.stages.rerank import LEFT_CHARS, _left_start

    text = " ".join(f"word{i}" for i in range(400))
    starts = [_left_start(text, at) for at in range(1000, 1300, 7)]
    assert len(set(starts)) <= 2  # one stretch of text, one or two context starts
    for at in range(0, len(text), 13):
        lo = _left_start(text, at)
        assert lo == 0 or (at - lo >= LEFT_CHARS - 10 and text[lo - 1] == " ")  # enough context, from a word's start
        assert at - lo < 2 * LEFT_CHARS + 10
