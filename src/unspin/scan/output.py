"""Where records go: JSONL (default) or Parquet, with what a killed scan needs to resume.

A scan into a file keeps a small state file beside it, ``OUT.resume.json`` (the input and options
it was started with), until it ends. Records are appended and flushed batch by batch: after a crash
or ``kill -9`` the output holds every finished record plus at most one torn line, which
:meth:`Output.open` cuts off before the scan goes on. Records that ``--min-score`` leaves out are
remembered in ``OUT.resume.skipped`` (their locators only), so they are not checked twice. Parquet
cannot be appended to safely, so a Parquet scan collects its records in ``OUT.partial.jsonl`` and
writes the Parquet file from it, in bounded batches, at the end.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from unspin.scan.documents import locator_key

STATE_VERSION = 1


class ResumeError(ValueError):
    """The output path holds an unfinished scan of another input or with other options."""


def format_of(path: str | None, fmt: str | None) -> str:
    """``jsonl`` or ``parquet``: as asked, else by the output's suffix."""
    if fmt:
        fmt = fmt.lower()
        if fmt not in ("jsonl", "parquet"):
            raise ValueError(f"unknown output format {fmt!r}; use jsonl or parquet")
        return fmt
    return "parquet" if path and path.lower().endswith((".parquet", ".pq")) else "jsonl"


def _good_lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """``(end_offset, record)`` for each complete JSON line; a torn or unreadable line yields ``record=None`` and stops."""
    with open(path, "rb") as fh:
        pos = 0
        for line in fh:
            if not line.endswith(b"\n"):
                yield pos, None
                return
            try:
                record = json.loads(line)
            except ValueError:
                yield pos, None
                return
            pos += len(line)
            yield pos, record if isinstance(record, dict) else {}


def _repair(path: Path, done: set[tuple], on_record: Callable[[dict[str, Any]], None] | None) -> int:
    """Add the keys of ``path``'s complete records to ``done`` (and pass each to ``on_record``); cut a torn tail."""
    if not path.exists():
        return 0
    count, end = 0, 0
    for pos, record in _good_lines(path):
        if record is None:
            break
        end = pos
        done.add(locator_key(record))
        if on_record is not None:
            on_record(record)
        count += 1
    if path.stat().st_size != end:
        with open(path, "r+b") as fh:
            fh.truncate(end)
    return count


def _plain(value: Any) -> Any:
    """``value`` as JSON would give it back (sets sorted, other objects by ``repr``), so states compare equal."""
    def default(o: Any) -> Any:
        return sorted(map(repr, o)) if isinstance(o, (set, frozenset)) else repr(o)

    return json.loads(json.dumps(value, sort_keys=True, default=default))


class Output:
    """The records file of a scan (or standard output) and its resume state."""

    def __init__(self, path: str | None, fmt: str, fingerprint: dict[str, Any] | None, min_score: float | None = None) -> None:
        self.path = Path(path) if path not in (None, "-") else None
        self.fmt = fmt
        self.min_score = min_score
        if self.path is None and fmt == "parquet":
            raise ValueError("Parquet output needs a file: give -o OUT.parquet")
        self.resumable = self.path is not None and fingerprint is not None
        self.state = {"version": STATE_VERSION, "input": fingerprint, "format": fmt}
        self.done: set[tuple] = set()
        self.resumed = 0
        self._records: IO[str] | None = None
        self._skipped: IO[str] | None = None
        self.written = 0

    # --- the files beside the output --------------------------------------------------------------
    def _side(self, suffix: str) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + suffix)

    @property
    def state_path(self) -> Path:
        """``OUT.resume.json``: the input and options of the unfinished scan."""
        return self._side(".resume.json")

    @property
    def skipped_path(self) -> Path:
        """``OUT.resume.skipped``: locators of the records ``--min-score`` left out."""
        return self._side(".resume.skipped")

    @property
    def records_path(self) -> Path:
        """Where records are appended: the output itself, or ``OUT.partial.jsonl`` for Parquet."""
        assert self.path is not None
        return self._side(".partial.jsonl") if self.fmt == "parquet" else self.path

    def open(self, options: dict[str, Any], fresh: bool = False, on_record: Callable[[dict[str, Any]], None] | None = None) -> None:
        """Start, or resume when this output holds an unfinished scan of the same input and options.

        On resume, every record already written is passed to ``on_record`` (for the scan's totals).
        """
        self.state["options"] = _plain(options)
        if self.path is None:
            self._records = sys.stdout
            return
        resume = False
        if self.resumable and self.state_path.exists() and not fresh:
            try:
                old = json.loads(self.state_path.read_text(encoding="utf-8"))
            except ValueError:
                old = None
            if old != self.state:
                raise ResumeError(
                    f"{self.path} holds an unfinished scan of another input or with other options "
                    f"({self.state_path.name}); run the same command as before, or add --fresh to start over"
                )
            resume = True
        if resume:
            self.resumed = _repair(self.records_path, self.done, on_record) + _repair(self.skipped_path, self.done, on_record)
            mode = "a"
        else:
            for p in (self.state_path, self.skipped_path):
                p.unlink(missing_ok=True)
            mode = "w"
        self._records = open(self.records_path, mode, encoding="utf-8")
        if self.resumable:
            self._skipped = open(self.skipped_path, mode, encoding="utf-8")
            if not resume:
                self.state_path.write_text(json.dumps(self.state), encoding="utf-8")

    def keeps(self, record: dict[str, Any]) -> bool:
        """Whether ``record`` passes ``--min-score`` (error records always do)."""
        return self.min_score is None or "error" in record or record.get("spin_score", 0.0) >= self.min_score

    def write(self, records: list[dict[str, Any]]) -> None:
        """Write a batch of records (those below ``min_score`` are only remembered) and flush."""
        assert self._records is not None
        for rec in records:
            if self.keeps(rec):
                self._records.write(json.dumps(rec, ensure_ascii=False) + "\n")
                self.written += 1
            elif self._skipped is not None:
                kept = {k: rec[k] for k in ("line", "path", "offset", "n_words") if k in rec}
                self._skipped.write(json.dumps({**kept, "skipped": True}) + "\n")
        self._records.flush()
        if self._skipped is not None:
            self._skipped.flush()

    def close(self, finished: bool) -> None:
        """Close the files; when the scan ``finished``, write Parquet and drop the resume state."""
        if self._records is not None and self._records is not sys.stdout:
            self._records.close()
        if self._skipped is not None:
            self._skipped.close()
        self._records = self._skipped = None
        if not finished or self.path is None:
            return
        if self.fmt == "parquet":
            from unspin.scan.parquet import jsonl_to_parquet

            tmp = self._side(".tmp")
            jsonl_to_parquet(self.records_path, tmp)
            os.replace(tmp, self.path)
            self.records_path.unlink()
        self.state_path.unlink(missing_ok=True)
        self.skipped_path.unlink(missing_ok=True)
