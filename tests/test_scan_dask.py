"""``unspin scan --engine dask`` on a small LocalCluster gives exactly the local engine's records."""
from __future__ import annotations

import json

import pytest

from scan_fixtures import CLEAN, SPUN, make_pdf
from unspin.cli import app

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.usefixtures("kn")
LOW = ["--min-confidence", "0.2"]


@pytest.fixture(scope="module")
def cluster():
    """One worker process with one thread: the smallest real cluster."""
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50) as c:
        yield c


def test_dask_engine_matches_local(runner, tmp_path, cluster):
    src = tmp_path / "in.jsonl"
    texts = [SPUN, CLEAN, "The results are as pursues: two models beat the baseline.", "Tensions in the Center East rose again."]
    src.write_text("".join(json.dumps({"id": i, "text": texts[i % 4], "tag": "x"}) + "\n" for i in range(12)) + "{broken\n", encoding="utf-8")
    local, remote = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    assert runner.invoke(app, ["scan", *LOW, "--workers", "1", str(src), "-o", str(local)]).exit_code == 0
    result = runner.invoke(app, ["scan", *LOW, "--engine", "dask", "--scheduler", cluster.scheduler_address, "--ordered", str(src), "-o", str(remote)])
    assert result.exit_code == 0, result.output
    assert remote.read_text(encoding="utf-8") == local.read_text(encoding="utf-8")
    assert "on 1 worker(s)" in " ".join(result.stderr.split())
    assert "peak RSS per worker 0 MB" not in result.stderr, "the workers report their memory"


def test_dask_engine_reads_folders_and_refuses_a_stale_state(runner, tmp_path, cluster):
    root = tmp_path / "docs"
    root.mkdir()
    (root / "a.txt").write_text(SPUN, encoding="utf-8")
    (root / "b.txt").write_bytes(b"\xff not utf-8")
    make_pdf(root / "c.pdf", ["The results are as pursues: two", "models beat the baseline."])
    out = tmp_path / "out.jsonl"
    # an output with the resume state of some other scan beside it
    assert runner.invoke(app, ["scan", *LOW, "--workers", "1", "--ordered", str(root), "-o", str(out)]).exit_code == 0
    full = out.read_text(encoding="utf-8").splitlines()
    out.write_text(full[0] + "\n", encoding="utf-8")
    (tmp_path / "out.jsonl.resume.json").write_text(json.dumps({"stale": True}), encoding="utf-8")
    result = runner.invoke(app, ["scan", *LOW, "--engine", "dask", "--scheduler", cluster.scheduler_address, str(root), "-o", str(out)])
    assert result.exit_code == 2 and "--fresh" in result.stderr
    result = runner.invoke(app, ["scan", *LOW, "--engine", "dask", "--scheduler", cluster.scheduler_address, "--fresh", "--ordered", str(root), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines() == full


def test_dask_engine_needs_a_scheduler(runner, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": CLEAN}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", "--engine", "dask", str(src), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 2 and "--scheduler" in result.stderr
