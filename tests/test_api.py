"""The library API: unspin.check, unspin.restore, apply_edits, Config and input handling."""
from __future__ import annotations

import bisect

import pytest

import unspin
from conftest import assert_restores, finding_at, restore_one
from unspin import Config, Edit, InputError, apply_edits

pytestmark = pytest.mark.usefixtures("kn")

SPUN = "During the Chilly Battle, analysts fed crude information into the model."
#: Tests of the API's mechanics (offsets, top_k, restore, apply_edits, size) run with low
#: thresholds so that they do not depend on where the detection threshold is tuned to; what the
#: engine finds at its default settings is tested separately (test_case_is_kept and below).
LOW = {"min_confidence": 0.2, "restore_confidence": 0.2}
CLEAN = [
    "The committee approved the budget on Tuesday after a long debate.",
    "Police said the driver was taken to hospital with minor injuries.",
    "Shares in the company rose sharply after the results were published.",
]


def restorations(text: str, report, phrase: str) -> list[str]:
    """The text as each suggestion of the finding over ``phrase`` would restore it, best first."""
    finding = finding_at(text, report.findings, phrase)
    assert finding is not None, f"{phrase!r} was not found in {text!r}"
    return [restore_one(text, finding, k) for k in range(len(finding.suggestions))]


# --- offsets and shape ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        SPUN,
        "The Chilly Battle ended.\n\nWe trained irregular woodlands on crude information, as pursues:",
        "Tensions in the Center East rose — the White Home\u2019s statement said «man-made consciousness» matters.",
        "Naïve café owners (the Chilly Battle!) and emoji 🙂 before crude information; tabs\there.",
    ],
)
def test_offsets_line_up(text, well_formed):
    report = unspin.check(text, **LOW)
    assert report.findings, "expected at least one finding"
    well_formed(text, report.findings)
    assert 0.0 < report.spin_score <= 1.0
    assert report.n_words > 0


def test_example_article_offsets_and_several_findings(example_text, well_formed):
    report = unspin.check(example_text)
    well_formed(example_text, report.findings)
    spun = ["Chilly Battle", "crude information", "White Home", "Center East", "as pursues", "irregular woodland"]
    # a two-word spin may come back as two one-word findings, so count any overlap
    found = [p for p in spun if any(f.start < example_text.index(p) + len(p) and f.end > example_text.index(p) for f in report.findings)]
    assert len(found) >= 3, f"only {found} of the spun phrases were found"


def test_report_to_dict_round_trips_findings():
    report = unspin.check(SPUN, **LOW)
    d = report.to_dict()
    assert set(d) == {"spin_score", "n_words", "findings", "warnings"}
    assert [f["text"] for f in d["findings"]] == [f.text for f in report.findings]
    for f in d["findings"]:
        assert set(f) == {"start", "end", "text", "confidence", "kind", "suggestions", "evidence"}
        assert all(set(s) == {"text", "score"} for s in f["suggestions"])


# --- suggestions: case and inflection ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, spun, original",
    [
        ("The Chilly Battle ended", "Chilly Battle", "Cold War"),
        ("the chilly battle ended in 1991.", "chilly battle", "cold war"),
        ("THE CHILLY BATTLE ENDED.", "CHILLY BATTLE", "COLD WAR"),
    ],
)
def test_case_is_kept(text, spun, original):
    assert_restores(text, unspin.check(text, **LOW).findings, spun, original)


def test_cold_war_found_at_default_settings():
    text = "The Chilly Battle ended"
    assert_restores(text, unspin.check(text).findings, "Chilly Battle", "Cold War")


WOODLANDS = "We compare irregular woodlands with support vector machines."


def test_inflection_kept_among_suggestions():
    # The engine generates the right original in the right form but ranks it low (see the
    # xfail below): ask for every phrase finding and a long suggestion list, to test the rendering
    # (one-word candidates are off: at confidence 0 they would split the span into two words).
    report = unspin.check(WOODLANDS, top_k=50, min_confidence=0.0, word_spins=False)
    options = restorations(WOODLANDS, report, "irregular woodlands")
    assert WOODLANDS.replace("irregular woodlands", "random forests") in options
    assert WOODLANDS.replace("irregular woodlands", "random forest") not in options, "the plural must carry over"


def test_inflection_kept_top1():
    assert_restores(WOODLANDS, unspin.check(WOODLANDS).findings, "irregular woodlands", "random forests")


def test_verb_inflection_kept():
    text = "The steps are as pursues: first, collect the samples."
    assert_restores(text, unspin.check(text).findings, "as pursues", "as follows")


def test_top_k_limits_suggestions():
    few = restorations(SPUN, unspin.check(SPUN, top_k=2, **LOW), "Chilly Battle")
    many = restorations(SPUN, unspin.check(SPUN, top_k=10, **LOW), "Chilly Battle")
    assert len(few) <= 2 < len(many) <= 10
    assert many[:2] == few


def test_config_object_and_keyword_overrides_agree():
    strict = Config(min_confidence=0.99)
    assert unspin.check(SPUN, strict).findings == unspin.check(SPUN, min_confidence=0.99).findings
    assert len(unspin.check(SPUN, min_confidence=0.0).findings) >= len(unspin.check(SPUN).findings)
    assert all(f.confidence >= 0.99 for f in unspin.check(SPUN, strict).findings)


# --- restore and apply_edits ---------------------------------------------------------------------


def test_restore_applies_edits():
    result = unspin.restore(SPUN, **LOW)
    assert result.text == "During the Cold War, analysts fed raw data into the model."
    confident = [f for f in result.report.findings if f.confidence >= LOW["restore_confidence"]]
    assert [(e.start, e.end, e.original) for e in result.edits] == [(f.start, f.end, f.text) for f in confident]
    for e in result.edits:
        assert SPUN[e.start : e.end] == e.original
    assert apply_edits(SPUN, result.edits) == result.text


def test_apply_edits_subset_replays_partly():
    result = unspin.restore(SPUN, **LOW)
    assert len(result.edits) >= 2
    first, second = result.edits[0], result.edits[1]
    assert apply_edits(SPUN, [first]) == SPUN[: first.start] + first.replacement + SPUN[first.end :]
    partly = apply_edits(SPUN, [second])
    assert partly == SPUN[: second.start] + second.replacement + SPUN[second.end :]
    assert first.original in partly and "Cold War" in apply_edits(SPUN, [first])
    assert apply_edits(SPUN, list(reversed(result.edits))) == result.text, "edits may come in any order"
    assert apply_edits(SPUN, []) == SPUN


def test_apply_edits_refuses_overlaps_and_stale_edits():
    text = "the Chilly Battle"
    a = Edit(4, 17, "Chilly Battle", "Cold War", 0.9)
    b = Edit(11, 17, "Battle", "War", 0.9)
    with pytest.raises(ValueError, match="overlaps"):
        apply_edits(text, [a, b])
    with pytest.raises(ValueError, match="expects"):
        apply_edits("the Frosty Battle", [a])


def test_restore_leaves_clean_text_alone():
    result = unspin.restore(CLEAN[0])
    assert result.text == CLEAN[0] and result.edits == []


def test_restore_keeps_surrounding_whitespace():
    text = "\n  The Chilly Battle ended.  \n\n"
    result = unspin.restore(text, **LOW)
    assert result.text == "\n  The Cold War ended.  \n\n"


# --- clean, empty and bad input --------------------------------------------------------------------


@pytest.mark.parametrize("text", CLEAN)
def test_clean_sentences_give_no_findings(text):
    report = unspin.check(text)
    assert report.findings == []
    assert report.spin_score < unspin.Config().spun_prior  # reading it made spinning less likely than before
    assert report.warnings == []


@pytest.mark.parametrize("text", ["", " ", "   \n\t \r\n ", b"", b"  \n"])
def test_empty_and_whitespace_give_empty_report(text):
    report = unspin.check(text)
    assert report.findings == [] and report.spin_score == 0.0 and report.n_words == 0 and report.warnings == []
    assert unspin.restore(text).text == (text.decode() if isinstance(text, bytes) else text)


def test_utf8_bytes_are_accepted():
    assert unspin.check(SPUN.encode("utf-8")).to_dict() == unspin.check(SPUN).to_dict()


@pytest.mark.parametrize("data", ["Caf\u00e9 au lait during the Chilly Battle.".encode("latin-1"), b"\xff\xfe\x00\x00", b"abc \x80 def"])
def test_non_utf8_bytes_raise_input_error(data):
    with pytest.raises(InputError, match="not valid UTF-8"):
        unspin.check(data)
    with pytest.raises(InputError):
        unspin.restore(data)


@pytest.mark.parametrize(
    "data",
    [
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00" * 64,
        "The Chilly Battle\x00ended.",
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 200,
    ],
)
def test_binary_input_raises_input_error(data):
    with pytest.raises(InputError, match="binary"):
        unspin.check(data)


def test_input_error_is_a_value_error_with_a_clear_message():
    with pytest.raises(ValueError) as info:
        unspin.check(b"\xc3\x28 broken")
    assert "UTF-8" in str(info.value) and "byte 0" in str(info.value)


def test_non_text_input_raises_input_error():
    with pytest.raises(InputError, match="expected text"):
        unspin.check(12345)  # type: ignore[arg-type]


def test_too_long_input_is_refused():
    with pytest.raises(InputError, match="limit"):
        unspin.check("word " * 100, max_chars=100)


GERMAN = (
    "Der Ausschuss hat am Dienstag nach einer langen Debatte den Haushalt genehmigt. Die Abgeordneten waren sich "
    "über die meisten Punkte einig, aber die Opposition kritisierte die hohen Ausgaben für neue Straßen und Brücken."
)
FRENCH = (
    "Le comité a approuvé le budget mardi après un long débat. Les députés étaient d'accord sur la plupart des "
    "points, mais l'opposition a critiqué les dépenses élevées pour les nouvelles routes et les ponts."
)


@pytest.mark.parametrize(
    "text",
    [
        GERMAN,
        FRENCH,
    ],
    ids=["german", "french"],
)
def test_non_english_gives_empty_report_with_warning(text):
    report = unspin.check(text)
    assert report.findings == []
    assert report.spin_score == 0.0
    assert any("English" in w for w in report.warnings), report.warnings


# --- size ----------------------------------------------------------------------------------------------

PARAGRAPH = (
    "During the Chilly Battle, analysts fed crude information into their models. "
    "The committee approved the budget on Tuesday after a long debate.\n\n"
)


@pytest.mark.parametrize(
    "size",
    [
        100_000,
        # ~2 minutes at the engine's current speed (about 8 kB/s), so only with --run-slow
        pytest.param(1_000_000, marks=pytest.mark.slow, id="1MB"),
    ],
    ids=lambda size: f"{size // 1000}kB",
)
def test_large_document(size, well_formed):
    n = size // len(PARAGRAPH) + 1
    text = PARAGRAPH * n
    assert len(text) >= size
    report = unspin.check(text, **LOW)
    well_formed(text, report.findings)
    assert_restores(text, report.findings, "Chilly Battle", "Cold War")
    # every repetition is checked: each "Chilly Battle" lies inside a finding, in step with the text
    starts = [f.start for f in report.findings]
    covered = 0
    for k in range(n):
        start = k * len(PARAGRAPH) + PARAGRAPH.index("Chilly Battle")
        i = bisect.bisect_right(starts, start) - 1
        covered += i >= 0 and report.findings[i].end >= start + len("Chilly Battle")
    assert covered == n, f"only {covered} of {n} repetitions were flagged"
    assert report.n_words == n * unspin.check(PARAGRAPH, **LOW).n_words
    restored = unspin.restore(text, **LOW)
    assert restored.text.count("Cold War") == n and "Chilly Battle" not in restored.text


# --- the hot path's early exit -------------------------------------------------------------------

PRUNED = [
    SPUN,
    "The results are as pursues: crude information from the Center East shows the White Home was right.",
    "We trained an irregular woodland on the crude information; the state-of-the-art profound learning's results follow.",
    "Shares in the company rose sharply after the results were published, the chief executive said on Tuesday.",
    "She thanked her co-employee for the far-flung control; good inter-private skills matter in a long-term plan.",
]


@pytest.mark.parametrize("options", [{}, LOW, {"min_confidence": 0.9}, {"allow": {"crude information"}}])
def test_dropping_hopeless_spans_changes_no_report(monkeypatch, options):
    """check() drops spans that cannot reach the floor before building their candidates; the reports stay the same."""
    options = {"word_spins": False, **options}
    pruned = [unspin.check(t, **options).to_dict() for t in PRUNED]
    monkeypatch.setattr("unspin.api.pruning_floor", lambda config: None)
    assert [unspin.check(t, **options).to_dict() for t in PRUNED] == pruned


def test_context_free_logit_plus_context_part_is_the_score(kn):
    """The early exit's two parts of a candidate's logit add up to the logit the scorer computes."""
    import math

    from unspin.doc import Doc
    from unspin.stages.candidates import find_candidates
    from unspin.stages.compounds import find_compound_candidates
    from unspin.stages.scoring import _gain, _phrase_info, context_logit, score_candidates, span_context, static_logit
    from unspin.stages.tokenize import compound_words, tokenize

    link_names = ("link_min", "link_mean", "sim_min", "sim_mean", "changed", "unchanged", "channel", "channel_min")
    doc = tokenize(Doc(" ".join(PRUNED)))
    tokenwise = len(find_candidates(doc, kn, Config()).candidates)
    score_candidates(find_compound_candidates(doc, kn, Config()), kn, Config())
    assert tokenwise > 100 and len(doc.candidates) > tokenwise + 10
    for cand in doc.candidates:
        words = tuple(compound_words(doc, cand.first, cand.last))
        link = {name: cand.features[name] for name in link_names}
        gain = _gain(kn, _phrase_info(kn)(cand.original), span_context(doc, kn, cand.first, cand.last))
        z = static_logit(kn, words, cand.original, cand.kind, link) + context_logit(gain)
        assert 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))) == pytest.approx(cand.score, abs=1e-9)
