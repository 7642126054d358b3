"""User control: phrases never flagged (allow), the user's own spun -> original pairs (lexicon)."""
from __future__ import annotations

import json

import pytest

import unspin
from conftest import finding_at
from unspin.cli import app
from unspin.stages.user import read_allow, read_lexicon

pytestmark = pytest.mark.usefixtures("kn")

TEXT = "During the Chilly Battle, analysts fed crude information into the model."


def test_allow_drops_the_finding_and_keeps_the_others():
    before = unspin.check(TEXT)
    assert finding_at(TEXT, before.findings, "crude information") is not None
    after = unspin.check(TEXT, allow={"Crude Information"})  # case does not matter
    assert finding_at(TEXT, after.findings, "crude information") is None
    kept = {f.text for f in before.findings} - {"crude information"}
    assert kept <= {f.text for f in after.findings}


def test_allow_applies_to_restore():
    restored = unspin.restore(TEXT, allow=["crude information"])
    assert "crude information" in restored.text
    assert all(e.original != "crude information" for e in restored.edits)


def test_lexicon_reports_a_pair_the_knowledge_does_not_hold():
    text = "The batch of pupils was split by tallness bracket before the test."
    # the phrase stages do not know the pair (the one-word stage may still find *tallness* odd)
    assert finding_at(text, unspin.check(text, word_spins=False).findings, "tallness bracket") is None
    report = unspin.check(text, lexicon={"tallness bracket": "height group"})
    finding = finding_at(text, report.findings, "tallness bracket")
    assert finding is not None and finding.kind == "lexicon"
    assert finding.suggestions[0].text == "height group"
    assert finding.confidence >= 0.9
    assert any("lexicon" in e for e in finding.evidence)
    restored = unspin.restore(text, lexicon={"tallness bracket": "height group"})
    assert restored.text == "The batch of pupils was split by height group before the test."


def test_lexicon_keeps_case_and_maps_different_lengths():
    text = "In The Event That it rains, we stay."
    report = unspin.check(text, lexicon={"in the event that": ["if"]})
    finding = finding_at(text, report.findings, "In The Event That")
    assert finding is not None
    assert finding.suggestions[0].text == "If"


def test_unknown_option_is_a_clear_error():
    with pytest.raises(TypeError, match="min_confidense"):
        unspin.check(TEXT, min_confidense=0.2)


def test_read_lists(tmp_path):
    allow = tmp_path / "allow.txt"
    allow.write_text("# our house style\nCrude Information\n\nsound decision  # comment\n", encoding="utf-8")
    assert read_allow(allow) == {"crude information", "sound decision"}
    lex = tmp_path / "lex.tsv"
    lex.write_text("spun\toriginal\nbunch size\tbatch size\nbunch size\tbatch sizes\n# note\n", encoding="utf-8")
    assert read_lexicon(lex) == {"bunch size": ("batch size", "batch sizes")}
    bad = tmp_path / "bad.tsv"
    bad.write_text("bunch size batch size\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.tsv:1"):
        read_lexicon(bad)


def test_cli_allow_and_lexicon(runner, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text(TEXT + " Pupils were split by tallness bracket.\n", encoding="utf-8")
    allow = tmp_path / "allow.txt"
    allow.write_text("crude information\n", encoding="utf-8")
    lex = tmp_path / "lex.tsv"
    lex.write_text("tallness bracket\theight group\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(src), "--json", "--allow", str(allow), "--lexicon", str(lex)])
    assert result.exit_code == 0, result.output
    found = {f["text"]: f for f in json.loads(result.stdout)["findings"]}
    assert "crude information" not in found
    assert found["tallness bracket"]["suggestions"][0]["text"] == "height group"
    result = runner.invoke(app, ["restore", str(src), "--lexicon", str(lex)])
    assert "split by height group." in result.stdout


def test_cli_bad_lexicon_exits_2(runner, tmp_path):
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    bad = tmp_path / "bad.tsv"
    bad.write_text("no tab here\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(src), "--lexicon", str(bad)])
    assert result.exit_code == 2
    assert "expected 'spun<TAB>original'" in " ".join(result.stderr.split())
    result = runner.invoke(app, ["check", str(src), "--allow", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "She brought a bunch of flowers to the hospital.",
        "It was a sound decision by the board.",
        "The press conference started late.",
        "The stock market fell sharply on Monday.",
        "We tuned the batch size and the learning rate.",
        "Healthy individuals were recruited as controls.",
    ],
)
def test_ordinary_uses_of_spinner_words_stay_unflagged(text):
    """Words spinners like (*bunch*, *sound*) in their ordinary senses are not findings."""
    assert unspin.check(text).findings == []


def test_scan_honours_allow_and_lexicon(runner, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": TEXT + " Pupils were split by tallness bracket."}) + "\n", encoding="utf-8")
    allow = tmp_path / "allow.txt"
    allow.write_text("crude information\n", encoding="utf-8")
    lex = tmp_path / "lex.tsv"
    lex.write_text("tallness bracket\theight group\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["scan", str(src), "-o", str(out), "--workers", "1", "--allow", str(allow), "--lexicon", str(lex)])
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    texts = {f["text"]: f for f in record["findings"]}
    assert "crude information" not in texts
    assert texts["tallness bracket"]["kind"] == "lexicon"


@pytest.mark.parametrize(
    "text",
    [
        "Several randomised trials compared the two drugs in older patients.",
        "The envoy Muhammad Amin met the minister.",
        "Two randomised trials were stopped early.",
    ],
)
def test_spelling_variants_are_not_spins(text):
    """British spellings and transliterations are not thesaurus swaps, even at a low threshold."""
    assert unspin.check(text).findings == []
    variants = ("randomised", "Muhammad")
    assert not [f for f in unspin.check(text, min_confidence=0.2).findings if any(v in f.text for v in variants)]
