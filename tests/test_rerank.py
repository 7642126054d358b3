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
