"""A scan survives being killed: re-running the same command continues, with one record per document.

Also: a worker process that dies takes only its document down (the engine runs in spawned
processes, so the batch functions below live at module level where the workers can import them).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import unspin
from scan_fixtures import CLEAN, SPUN
from unspin.config import Config
from unspin.scan.documents import open_source
from unspin.scan.engines import LocalEngine
from unspin.scan.output import Output, ResumeError
from unspin.scan.parquet import read_records
from unspin.scan.run import ScanOptions, scan

pytestmark = pytest.mark.usefixtures("kn")
TEXTS = [SPUN, CLEAN, "The results are as pursues: two models beat the baseline.", "Tensions in the Center East rose again.", "Nothing to see here at all."]
LOW = Config(min_confidence=0.2, restore_confidence=0.2)


def write_input(path: Path, n: int, distinct: bool = False) -> list[dict]:
    """``n`` documents cycling through TEXTS; ``distinct`` numbers each text, so no result is served from a cache."""
    docs = [{"id": f"d{i}", "text": TEXTS[i % len(TEXTS)] + (f" This is note {i}." if distinct else ""), "n": i} for i in range(n)]
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return docs


def records_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def expected_record(doc: dict, lineno: int) -> dict:
    return {"id": doc["id"], "line": lineno, "n": doc["n"], **unspin.check(doc["text"], LOW).to_dict()}


class Interrupted:
    """A source that stops (as Ctrl-C would) after ``after`` documents."""

    def __init__(self, source, after: int) -> None:
        self.source, self.after = source, after
        self.total_bytes = source.total_bytes

    def fingerprint(self):
        return self.source.fingerprint()

    def __iter__(self):
        for i, doc in enumerate(self.source):
            if i == self.after:
                raise KeyboardInterrupt
            yield doc


def run(src: Path, dst: Path, fmt: str = "jsonl", after: int | None = None, **options) -> object:
    source = open_source(str(src), 10**6)
    if after is not None:
        source = Interrupted(source, after)
    opts = ScanOptions(workers=1, batch_docs=2, **options)
    return scan(source, Output(str(dst), fmt, source.fingerprint(), opts.min_score), LOW, opts)


def test_interrupted_scan_resumes_and_cuts_a_torn_line(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    docs = write_input(src, 9)
    with pytest.raises(KeyboardInterrupt):
        run(src, dst, after=5)
    assert len(records_of(dst)) == 4, "finished batches are on disk"
    assert (tmp_path / "out.jsonl.resume.json").exists()
    with open(dst, "a", encoding="utf-8") as fh:  # a write torn by the kill
        fh.write('{"id": "d4", "line": 5, "spin_sc')
    stats = run(src, dst)
    recs = records_of(dst)
    assert sorted(r["line"] for r in recs) == list(range(1, 10)), "one record per input line"
    assert recs == [expected_record(d, i) for i, d in enumerate(docs, 1)]
    assert stats.resumed == 4 and stats.documents == 9
    assert not (tmp_path / "out.jsonl.resume.json").exists()
    # a finished output is not resumed: the same command starts over
    stats = run(src, dst)
    assert stats.resumed == 0 and len(records_of(dst)) == 9


def test_resume_with_min_score_and_parquet(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.parquet"
    docs = write_input(src, 10)
    with pytest.raises(KeyboardInterrupt):
        run(src, dst, "parquet", after=6, min_score=0.5)
    assert not dst.exists() and (tmp_path / "out.parquet.partial.jsonl").exists()
    stats = run(src, dst, "parquet", min_score=0.5)
    got = sorted(read_records(dst), key=lambda r: r["line"])
    want = [r for r in (expected_record(d, i) for i, d in enumerate(docs, 1)) if r["spin_score"] >= 0.5]
    for r in want:
        r["id"] = str(r["id"])
    assert got == want and 0 < len(got) < 10
    assert stats.documents == 10 and stats.filtered_out == 10 - len(want)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.parquet"]


def test_other_scan_in_the_way_is_refused_unless_fresh(tmp_path):
    src, other, dst = tmp_path / "in.jsonl", tmp_path / "other.jsonl", tmp_path / "out.jsonl"
    write_input(src, 6)
    write_input(other, 3)
    with pytest.raises(KeyboardInterrupt):
        run(src, dst, after=3)
    with pytest.raises(ResumeError, match="--fresh"):
        run(other, dst)
    with pytest.raises(ResumeError):
        run(src, dst, min_score=0.9)  # other options: not the same scan
    stats = run(other, dst, fresh=True)
    assert stats.resumed == 0 and [r["line"] for r in records_of(dst)] == [1, 2, 3]


def test_kill_9_then_same_command_finishes_losslessly(tmp_path):
    """A real ``kill -9`` of the whole process group (parent and pool workers) in the middle of a scan."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    docs = write_input(src, 120)
    cmd = [str(Path(sys.executable).with_name("unspin")), "scan", "--min-confidence", "0.2", "--workers", "2", str(src), "-o", str(dst)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if dst.exists() and dst.read_bytes().count(b"\n") >= 16:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the scan ended before it could be killed: " + proc.stderr.read().decode()[-500:]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    done_before = dst.read_bytes().count(b"\n")
    assert 16 <= done_before < len(docs)
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    recs = records_of(dst)
    counts = Counter(r["line"] for r in recs)
    assert sorted(counts) == list(range(1, len(docs) + 1)) and set(counts.values()) == {1}, "exactly one record per document"
    want = {t: unspin.check(t, LOW).to_dict() for t in TEXTS}
    for r in recs:
        doc = docs[r["line"] - 1]
        assert r == {"id": doc["id"], "line": r["line"], "n": doc["n"], **want[doc["text"]]}
    assert "resumed from the earlier run" in " ".join(again.stderr.split())
    assert not (tmp_path / "out.jsonl.resume.json").exists()


# --- a worker that dies ------------------------------------------------------------------------


def quiet_init() -> None:
    """Pool initializer for the engine tests: nothing to load."""


def double_or_die(batch: list, config: Config) -> tuple[list, float]:
    """Doubles each item; the item ``"die"`` kills the worker process outright."""
    if "die" in batch:
        os._exit(3)
    return [x * 2 for x in batch], 0.0


@pytest.mark.parametrize("ordered", [True, False])
def test_a_worker_that_dies_costs_only_its_document(ordered):
    batches = [[1, 2], [3, "die", 4], [5], [6, 7]]
    with LocalEngine(2, initializer=quiet_init) as engine:
        got = list(engine.map(double_or_die, batches, Config(), lambda item, msg: ("crashed", item, msg), ordered=ordered))
        assert engine.restarts >= 1
    results = {tuple(b): r for b, r in got}
    assert results[(3, "die", 4)][0] == 6 and results[(3, "die", 4)][2] == 8
    assert results[(3, "die", 4)][1][:2] == ("crashed", "die") and "worker died" in results[(3, "die", 4)][1][2]
    assert results[(1, 2)] == [2, 4] and results[(5,)] == [10] and results[(6, 7)] == [12, 14]
    if ordered:
        assert [b for b, _ in got] == batches


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_at_once_and_the_same_command_continues(tmp_path):
    """SIGINT to the process group, as Ctrl-C in a terminal sends it: the workers ignore it, the scan stops them."""
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    docs = write_input(src, 120, distinct=True)  # repeated texts come from the model's cache and can end the scan before the signal
    cmd = [str(Path(sys.executable).with_name("unspin")), "scan", "--min-confidence", "0.2", "--workers", "2", "--ordered", str(src), "-o", str(dst)]
    # A terminal's foreground job has Ctrl-C's default action; a test run started in the background of a
    # script (``cmd &``) ignores SIGINT, and children inherit that, so give the scan the terminal's default.
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_default_sigint)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not (dst.exists() and dst.read_bytes().count(b"\n") >= 8):
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "run the same command again" in " ".join(stderr.split()) and "Traceback" not in stderr
    assert (tmp_path / "out.jsonl.resume.json").exists()
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert [r["line"] for r in records_of(dst)] == list(range(1, len(docs) + 1)), "in order, each document once"


def preloaded(batch: list, config: Config) -> tuple[list, float]:
    """Whether this worker was forked with the knowledge already loaded (by the fork server's preload)."""
    preload = sys.modules.get("unspin.scan.preload")
    return [bool(preload and preload.LOADED) for _ in batch], 0.0


def test_workers_are_forked_with_the_knowledge_loaded():
    with LocalEngine(2, initializer=quiet_init) as engine:
        got = list(engine.map(preloaded, [[1], [2], [3]], Config(), lambda item, msg: None))
    assert [r for _, rs in got for r in rs] == [True, True, True]
