"""The command line, run in-process through typer's CliRunner: check, restore, scan."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import assert_restores
from unspin.cli import app

pytestmark = pytest.mark.usefixtures("kn")

SPUN = "During the Chilly Battle, analysts fed crude information into the model.\n"
#: The mechanics tests below check with a low threshold, so that they do not depend on where the
#: detection threshold is tuned to (test_api.py tests what the default settings find).
LOW = ["--min-confidence", "0.2"]
#: ``restore`` cannot go below the default restore threshold, so its tests use phrases the engine
#: is sure of.
SURE = "The steps are as pursues: first, ask the Center East.\n"
SURE_RESTORED = "The steps are as follows: first, ask the Middle East.\n"
CLEAN = "The committee approved the budget on Tuesday after a long debate.\n"


def flat(s: str) -> str:
    """Rich wraps long messages at the console width; compare with whitespace collapsed."""
    return " ".join(s.split())


def assert_clean_failure(result, *phrases: str) -> None:
    """Exit code 2, the message on stderr, nothing on stdout, and no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    message = flat(result.stderr)
    assert message.startswith("error:"), message
    for phrase in phrases:
        assert phrase in message, message
    assert result.stdout == ""


@pytest.fixture()
def files(tmp_path):
    paths = {
        "spun": tmp_path / "spun.txt",
        "clean": tmp_path / "clean.txt",
        "latin1": tmp_path / "latin1.txt",
        "binary": tmp_path / "image.png",
        "bom": tmp_path / "bom.txt",
    }
    paths["spun"].write_text(SPUN, encoding="utf-8")
    paths["clean"].write_text(CLEAN, encoding="utf-8")
    paths["latin1"].write_bytes("Caf\u00e9 owners remember the Chilly Battle.\n".encode("latin-1"))
    paths["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    paths["bom"].write_bytes(b"\xef\xbb\xbf" + SPUN.encode("utf-8"))
    return paths


def test_help_lists_commands(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("check", "restore", "scan", "build"):
        assert command in result.stdout


# --- check ----------------------------------------------------------------------------------------


def test_check_file_shows_findings(runner, files):
    result = runner.invoke(app, ["check", *LOW, str(files["spun"])])
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    assert "spun phrase(s)" in out
    assert "Chilly Battle" in out and "Cold War" in out
    assert "crude information" in out and "raw data" in out


def test_check_example_article(runner, example_path):
    result = runner.invoke(app, ["check", str(example_path)])
    assert result.exit_code == 0, result.output
    assert "spun phrase(s)" in result.stdout
    restored = [o for o in ("Cold War", "raw data", "White House", "Middle East", "as follows", "random forest") if o in result.stdout]
    assert len(restored) >= 3, f"only {restored} among the suggestions"


def test_check_clean_file(runner, files):
    result = runner.invoke(app, ["check", str(files["clean"])])
    assert result.exit_code == 0, result.output
    assert "No spun phrases found" in result.stdout


def test_check_json_from_stdin(runner, well_formed):
    result = runner.invoke(app, ["check", "--json", *LOW, "-"], input=SPUN)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) >= {"spin_score", "findings", "n_words", "warnings"}
    well_formed(SPUN, report["findings"])
    assert_restores(SPUN, report["findings"], "Chilly Battle", "Cold War")


def test_check_json_min_confidence(runner):
    loose = json.loads(runner.invoke(app, ["check", "--json", "--min-confidence", "0.0", "-"], input=SPUN).stdout)
    strict = json.loads(runner.invoke(app, ["check", "--json", "--min-confidence", "0.999", "-"], input=SPUN).stdout)
    assert len(strict["findings"]) <= len(loose["findings"])
    assert all(f["confidence"] >= 0.999 for f in strict["findings"])


def test_check_prior_weighs_one_word_evidence(runner):
    """--prior: a text the user already suspects gets its odd single word flagged."""
    text = "We are working around the clock to deliver this legislation for the American people as soon as doable."
    default = json.loads(runner.invoke(app, ["check", "--json", "-"], input=text).stdout)
    suspect = json.loads(runner.invoke(app, ["check", "--json", "--prior", "0.9", "-"], input=text).stdout)
    assert "doable" not in [f["text"] for f in default["findings"]]
    assert "doable" in [f["text"] for f in suspect["findings"]]
    assert runner.invoke(app, ["check", "--prior", "1.5", "-"], input=text).exit_code == 2


def test_check_strips_utf8_bom_and_keeps_offsets(runner, files, well_formed):
    result = runner.invoke(app, ["check", "--json", *LOW, str(files["bom"])])
    assert result.exit_code == 0, result.output
    well_formed(SPUN, json.loads(result.stdout)["findings"])


def test_check_non_english_warns(runner):
    german = (
        "Der Ausschuss hat am Dienstag nach einer langen Debatte den Haushalt genehmigt. Die Abgeordneten waren "
        "sich über die meisten Punkte einig, aber die Opposition kritisierte die hohen Ausgaben.\n"
    )
    result = runner.invoke(app, ["check", "-"], input=german)
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and "English" in flat(result.stderr)


# --- restore ---------------------------------------------------------------------------------------


def test_restore_prints_restored_text(runner, files):
    files["spun"].write_text(SURE, encoding="utf-8")
    result = runner.invoke(app, ["restore", str(files["spun"])])
    assert result.exit_code == 0, result.output
    assert result.stdout == SURE_RESTORED


def test_restore_from_stdin_leaves_clean_text_unchanged(runner):
    result = runner.invoke(app, ["restore", "-"], input=CLEAN)
    assert result.exit_code == 0, result.output
    assert result.stdout == CLEAN


def test_restore_diff(runner):
    result = runner.invoke(app, ["restore", "--diff", "-"], input=SURE)
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    # the diff is by space-separated words, so punctuation sticks to them ("[-pursues:-]")
    assert re.search(r"\[-pursues\W*-\] \{\+follows\W*\+\}", out), out
    assert re.search(r"\[-Center\W*-\] \{\+Middle\W*\+\}", out), out
    assert out.startswith("The steps are as ") and "first, ask the" in out


def test_restore_json(runner):
    result = runner.invoke(app, ["restore", "--json", "-"], input=SURE)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["text"] == SURE_RESTORED
    assert len(data["edits"]) == 2
    assert "follows" in data["edits"][0]["replacement"] and "Middle East" in data["edits"][1]["replacement"]
    for e in data["edits"]:
        assert SURE[e["start"] : e["end"]] == e["original"]
        assert e["confidence"] >= 0.5


# --- unreadable input: exit code 2, a clear message, no traceback ----------------------------------------


@pytest.mark.parametrize("command", [["check"], ["check", "--json"], ["restore"], ["restore", "--diff"]])
def test_missing_file(runner, tmp_path, command):
    result = runner.invoke(app, [*command, str(tmp_path / "nope.txt")])
    assert_clean_failure(result, "cannot read", "nope.txt", "No such file")


@pytest.mark.parametrize("command", [["check"], ["restore"]])
def test_directory_instead_of_file(runner, tmp_path, command):
    result = runner.invoke(app, [*command, str(tmp_path)])
    assert_clean_failure(result, "cannot read")


@pytest.mark.parametrize("command", [["check"], ["check", "--json"], ["restore"]])
def test_binary_file(runner, files, command):
    result = runner.invoke(app, [*command, str(files["binary"])])
    assert_clean_failure(result, "looks binary", "image.png")


@pytest.mark.parametrize("command", [["check"], ["check", "--json"], ["restore", "--diff"]])
def test_non_utf8_file(runner, files, command):
    result = runner.invoke(app, [*command, str(files["latin1"])])
    assert_clean_failure(result, "not valid UTF-8", "latin1.txt", "iconv")


def test_binary_stdin(runner):
    result = runner.invoke(app, ["check", "-"], input=b"\x00\x01\x02binary\x00")
    assert_clean_failure(result, "looks binary")


def test_control_characters_are_refused_cleanly(runner):
    result = runner.invoke(app, ["check", "-"], input="\x01\x02\x03\x04 text \x05\x06\x07\x08")
    assert_clean_failure(result, "binary")


# --- scan ------------------------------------------------------------------------------------------------

SCAN_LINES = [
    json.dumps({"id": "a1", "text": SPUN.strip(), "source": "wire"}),
    json.dumps({"id": 2, "text": CLEAN.strip()}),
    "",
    '{"id": "broken", "text": "unterminated',
    json.dumps({"id": "no-text", "body": "the text is under the wrong key"}),
    "   ",
    json.dumps({"id": "num-text", "text": 42}),
    json.dumps(["not", "an", "object"]),
    json.dumps({"id": "nul", "text": "a\x00b"}),
    json.dumps({"text": "The results are as pursues: two models beat the baseline."}),
    json.dumps({"id": "empty", "text": ""}),
    json.dumps({"id": "z9", "text": "Tensions in the Center East rose again."}),
]


def check_contract(record: dict, text: str, well_formed) -> None:
    """Output records follow the scanner contract in ../shared/README.md."""
    assert {"id", "spin_score", "findings"} <= set(record), record
    assert isinstance(record["spin_score"], (int, float)) and 0.0 <= record["spin_score"] <= 1.0
    for f in record["findings"]:
        assert {"start", "end", "text", "confidence", "kind", "suggestions", "evidence"} <= set(f), f
        assert isinstance(f["start"], int) and isinstance(f["end"], int)
        for s in f["suggestions"]:
            assert {"text", "score"} <= set(s), s
    well_formed(text, record["findings"])


def test_scan_file(runner, tmp_path, well_formed):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join(SCAN_LINES) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", *LOW, "--ordered", str(src), "-o", str(dst)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]

    non_blank = [line for line in SCAN_LINES if line.strip()]
    assert len(records) == len(non_blank), "one output line per non-blank input line"
    assert [r["id"] for r in records] == ["a1", 2, None, "no-text", "num-text", None, "nul", 10, "empty", "z9"]
    by_id = {r["id"]: r for r in records if r["id"] is not None}

    errors = [r for r in records if "error" in r]
    assert [r["id"] for r in errors] == [None, "no-text", "num-text", None, "nul"]
    assert "malformed JSON" in errors[0]["error"] and errors[0]["line"] == 4
    assert "text" in errors[1]["error"] and errors[1]["line"] == 5
    assert "text" in errors[2]["error"]
    assert "not a JSON object" in errors[3]["error"]
    assert "binary" in errors[4]["error"]

    for line, r in zip(non_blank, records):
        if "error" not in r:
            check_contract(r, json.loads(line)["text"], well_formed)
    assert_restores(SPUN.strip(), by_id["a1"]["findings"], "Chilly Battle", "Cold War")
    assert by_id["a1"]["source"] == "wire", "extra input fields are carried through"
    assert "text" not in by_id["a1"], "the text itself is not echoed"
    assert by_id[2]["n_words"] == len(CLEAN.split())
    assert_restores("The results are as pursues: two models beat the baseline.", by_id[10]["findings"], "as pursues", "as follows")
    assert by_id["empty"]["findings"] == [] and by_id["empty"]["spin_score"] == 0.0
    assert_restores("Tensions in the Center East rose again.", by_id["z9"]["findings"], "Center East", "Middle East")
    assert "scanned 10 documents" in flat(result.stderr) and "5 errors" in flat(result.stderr)


def test_scan_stdin_to_stdout(well_formed):
    lines = [json.dumps({"id": i, "text": t}) for i, t in enumerate([SPUN, CLEAN, "The Chilly Battle ended."])]
    unspin_bin = Path(sys.executable).with_name("unspin")
    proc = subprocess.run([str(unspin_bin), "scan", *LOW, "--ordered", "-"], input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["id"] for r in records] == [0, 1, 2]
    for r, line in zip(records, lines):
        check_contract(r, json.loads(line)["text"], well_formed)
    assert records[1]["n_words"] == len(CLEAN.split())
    assert_restores("The Chilly Battle ended.", records[2]["findings"], "Chilly Battle", "Cold War")
    assert "Traceback" not in proc.stderr and "scanned 3 documents" in proc.stderr


def test_scan_stdout_in_process_leaves_stdout_open(runner):
    result = runner.invoke(app, ["scan", "-"], input=json.dumps({"id": 1, "text": CLEAN}) + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == 1


def test_scan_non_utf8_line_does_not_stop_the_scan(runner, tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(
        b'{"id": "ok1", "text": "The Chilly Battle ended."}\n'
        b'{"id": "latin1", "text": "Caf\xe9 in the Center East."}\n'
        b'{"id": "ok2", "text": "Nothing to see here at all."}\n'
    )
    result = runner.invoke(app, ["scan", str(src), "-o", str(dst)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["ok1", "latin1", "ok2"]


def test_scan_missing_input(runner, tmp_path):
    result = runner.invoke(app, ["scan", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "out.jsonl")])
    assert_clean_failure(result, "cannot read", "nope.jsonl")


def test_scan_unwritable_output(runner, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": CLEAN}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(src), "-o", str(tmp_path / "no" / "such" / "dir" / "out.jsonl")])
    assert_clean_failure(result, "out.jsonl")


def test_error_messages_keep_long_paths_whole(runner, tmp_path):
    """A path longer than the console is not broken across lines (users copy it)."""
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": CLEAN}) + "\n", encoding="utf-8")
    target = tmp_path / ("x" * 90) / "out.jsonl"
    result = runner.invoke(app, ["scan", str(src), "-o", str(target)])
    assert result.exit_code == 2
    assert str(target) in result.stderr
