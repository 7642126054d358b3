"""Findings selection: which of the overlapping candidates becomes the finding."""
from __future__ import annotations

from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.stages.findings import select_findings
from unspin.stages.tokenize import tokenize

TEXT = "The results are as pursues: raw data from the field."


def _doc(*cands: tuple[str, tuple[str, ...], str, float]) -> Doc:
    doc = tokenize(Doc(TEXT))
    index = {t.text: i for i, t in enumerate(doc.tokens)}
    for span, original, kind, score in cands:
        words = span.split()
        cand = Candidate(index[words[0]], index[words[-1]], original, kind)
        cand.score = score
        doc.candidates.append(cand)
    return select_findings(doc, Config())


def test_a_phrase_that_agrees_with_a_word_takes_its_confidence_and_wins():
    doc = _doc(("as pursues", ("as", "follow"), "phrase", 0.6), ("pursues", ("follows",), "word", 0.9))
    assert [(f.text, f.kind, f.suggestions[0].text) for f in doc.findings] == [("as pursues", "phrase", "as follows")]
    assert doc.findings[0].confidence == 0.9
    assert any("agrees" in e for e in doc.findings[0].evidence)


def test_a_phrase_that_disagrees_keeps_its_own_confidence():
    doc = _doc(("as pursues", ("as", "chase"), "phrase", 0.6), ("pursues", ("follows",), "word", 0.9))
    assert [(f.text, f.confidence) for f in doc.findings] == [("pursues", 0.9)]


def test_equal_confidence_goes_to_the_longer_span():
    doc = _doc(("raw", ("crude",), "word", 0.8), ("raw data", ("bare", "fact"), "phrase", 0.8))
    assert [f.text for f in doc.findings] == ["raw data"]


def test_one_word_suggestions_follow_the_restoration_model_and_confidence_the_best_score():
    doc = tokenize(Doc(TEXT))
    at = next(i for i, t in enumerate(doc.tokens) if t.text == "pursues")
    for original, score, order in ((("chases",), 0.9, 0.1), (("follows",), 0.7, 0.6)):
        cand = Candidate(at, at, original, "word")
        cand.score, cand.features["order"] = score, order
        doc.candidates.append(cand)
    (finding,) = select_findings(doc, Config()).findings
    assert [(s.text, s.score) for s in finding.suggestions] == [("follows", 0.6), ("chases", 0.1)]
    assert finding.confidence == 0.9


def test_phrases_raised_by_the_same_word_keep_their_own_order():
    """*White Home*: both *White House* and *Black House* agree with *Home* -> *House*; the better phrase stays first."""
    doc = _doc(("as pursues", ("as", "follow"), "phrase", 0.5), ("as pursues", ("a", "follow"), "phrase", 0.3),
               ("pursues", ("follows",), "word", 0.9))
    (finding,) = doc.findings
    assert [s.text for s in finding.suggestions][:2] == ["as follows", "a follows"]


def test_a_phrase_is_raised_only_where_every_word_it_changes_is_read_the_same_way():
    """*raw data* -> *crude fact*: the one-word stage vouches for *raw* -> *crude* only; the phrase keeps its score."""
    doc = _doc(("raw data", ("crude", "fact"), "phrase", 0.3), ("raw", ("crude",), "word", 0.9))
    assert [(f.text, f.suggestions[0].text, f.confidence) for f in doc.findings] == [("raw", "crude", 0.9)]
    # the one-word stage inflects its originals for the word (*data* -> *facts*); the phrase's *fact* still agrees
    both = _doc(("raw data", ("crude", "fact"), "phrase", 0.3), ("raw", ("crude",), "word", 0.9), ("data", ("facts",), "word", 0.8))
    assert [(f.text, f.suggestions[0].text, f.confidence) for f in both.findings] == [("raw", "crude", 0.9), ("data", "facts", 0.8)]
    assert next(c for c in both.candidates if c.kind == "phrase").score == 0.8  # the least of the two words
