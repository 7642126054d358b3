"""Shared fixtures: the project paths, the knowledge (loaded once per session) and a CLI runner."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
#: The team's shared data and scorers, next to the project (absent on machines outside the team).
SHARED = ROOT.parent / "shared"
EXAMPLE = ROOT / "examples" / "spun_article.txt"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow (or set UNSPIN_RUN_SLOW=1)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than a minute; skipped unless --run-slow or UNSPIN_RUN_SLOW=1")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow") or os.environ.get("UNSPIN_RUN_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow test; run with --run-slow or UNSPIN_RUN_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def kn():
    """The process-wide Knowledge; loading it first here keeps later tests' timings honest."""
    from unspin import knowledge

    return knowledge.get()


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def assert_findings_well_formed(text: str, findings) -> None:
    """Offsets line up with the text; findings are sorted and non-overlapping; scores in range.

    Accepts :class:`unspin.Finding` objects or their ``to_dict()`` form.
    """
    as_dicts = [f if isinstance(f, dict) else f.to_dict() for f in findings]
    prev_end = -1
    for f in as_dicts:
        assert 0 <= f["start"] < f["end"] <= len(text), f
        assert text[f["start"] : f["end"]] == f["text"], f
        assert f["start"] >= prev_end, f"finding {f['text']!r} at {f['start']} overlaps or precedes the previous one"
        prev_end = f["end"]
        assert 0.0 <= f["confidence"] <= 1.0, f
        assert isinstance(f["kind"], str) and f["kind"], f
        assert isinstance(f["evidence"], list) and all(isinstance(e, str) for e in f["evidence"]), f
        scores = [s["score"] for s in f["suggestions"]]
        assert scores == sorted(scores, reverse=True), f"suggestions of {f['text']!r} are not best first"
        assert all(isinstance(s["text"], str) and s["text"] for s in f["suggestions"]), f


@pytest.fixture(scope="session")
def well_formed():
    """The :func:`assert_findings_well_formed` checker, for tests to call on their findings."""
    return assert_findings_well_formed


def _get(f, key):
    return f[key] if isinstance(f, dict) else getattr(f, key)


def finding_at(text: str, findings, phrase: str, occurrence: int = 0):
    """The finding that overlaps the ``occurrence``-th ``phrase`` in ``text`` (None if no finding does).

    Matching by overlap, not by exact span, leaves the engine free to choose the span's edges
    (*Chilly Battle* or *the Chilly Battle*); what the tests pin down is what the suggestion restores.
    """
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    end = start + len(phrase)
    hits = [f for f in findings if _get(f, "start") < end and _get(f, "end") > start]
    assert len(hits) <= 1, f"{len(hits)} findings overlap {phrase!r}"
    return hits[0] if hits else None


def restore_one(text: str, finding, k: int = 0) -> str:
    """``text`` with ``finding`` replaced by its ``k``-th suggestion."""
    suggestion = _get(finding, "suggestions")[k]
    replacement = suggestion["text"] if isinstance(suggestion, dict) else suggestion.text
    return text[: _get(finding, "start")] + replacement + text[_get(finding, "end") :]


def assert_restores(text: str, findings, phrase: str, original: str) -> None:
    """Some finding covers ``phrase`` and its best suggestion turns the text into the original wording."""
    finding = finding_at(text, findings, phrase)
    assert finding is not None, f"{phrase!r} was not found in {text!r}"
    assert _get(finding, "suggestions"), f"{phrase!r} was found without suggestions"
    assert restore_one(text, finding) == text.replace(phrase, original, 1), _get(finding, "suggestions")[:3]
