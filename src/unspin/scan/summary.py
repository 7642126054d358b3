"""Running totals of a scan and its end-of-scan summary: counts, the most frequent spun phrases and (with an index) sources."""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

#: Distinct phrases (or sources) kept before the rarest are dropped (keeps memory bounded on huge crawls).
MAX_PHRASES = 100_000


def _bounded(counts: Counter) -> Counter:
    """``counts``, or its most common half once it holds more than :data:`MAX_PHRASES` keys."""
    return Counter(dict(counts.most_common(MAX_PHRASES // 2))) if len(counts) > MAX_PHRASES else counts


@dataclass
class Stats:
    """Totals over every document of a scan, those of a resumed earlier run included."""

    documents: int = 0
    words: int = 0
    flagged: int = 0
    errors: int = 0
    resumed: int = 0
    filtered_out: int = 0
    peak_rss_mb: float = 0.0
    workers: int = 1
    started: float = field(default_factory=time.monotonic)
    new_documents: int = 0
    new_words: int = 0
    phrases: Counter = field(default_factory=Counter)
    sources: Counter = field(default_factory=Counter)  # with --index: documents traced to each source

    def add(self, record: dict[str, Any], resumed: bool = False, filtered: bool = False) -> None:
        """Count one record (``filtered``: left out by ``--min-score``; a resumed ``skipped`` stub is too)."""
        self.documents += 1
        words = int(record.get("n_words") or 0)
        self.words += words
        if resumed:
            self.resumed += 1
        else:
            self.new_documents += 1
            self.new_words += words
        if filtered or record.get("skipped"):
            self.filtered_out += 1
        if record.get("skipped"):
            return
        if "error" in record:
            self.errors += 1
            return
        findings = record.get("findings") or []
        self.flagged += bool(findings)
        for f in findings:
            best = f["suggestions"][0]["text"] if f.get("suggestions") else ""
            self.phrases[(f["text"].lower(), best.lower())] += 1
        self.phrases = _bounded(self.phrases)
        source = record.get("source")
        if isinstance(source, dict) and source.get("source") is not None:
            self.sources[str(source["source"])] += 1
            self.sources = _bounded(self.sources)

    @property
    def elapsed(self) -> float:
        """Seconds since this run started."""
        return time.monotonic() - self.started

    def to_dict(self) -> dict[str, Any]:
        """The totals as JSON-ready numbers."""
        secs = max(self.elapsed, 1e-9)
        return {
            "documents": self.documents, "words": self.words, "flagged": self.flagged, "errors": self.errors,
            "resumed": self.resumed, "filtered_out": self.filtered_out, "seconds": round(secs, 2),
            "docs_per_s": round(self.new_documents / secs, 2), "words_per_s": round(self.new_words / secs, 1),
            "workers": self.workers, "peak_rss_mb_per_worker": round(self.peak_rss_mb, 1),
            "top_phrases": [{"found": p, "restored": r, "count": n} for (p, r), n in self.phrases.most_common(10)],
            "top_sources": [{"source": name, "count": n} for name, n in self.sources.most_common(10)],
        }

    def print(self, console: Console, top: int = 10) -> None:
        """The end-of-scan summary on ``console``."""
        d = self.to_dict()
        console.print(
            f"scanned {self.documents} documents ({self.words} words): {self.flagged} flagged, {self.errors} errors"
            + (f"; {self.resumed} resumed from the earlier run" if self.resumed else "")
            + (f"; {self.filtered_out} below --min-score left out" if self.filtered_out else "")
        )
        console.print(
            f"[dim]{d['seconds']:.1f} s, {d['docs_per_s']:.2f} docs/s, {d['words_per_s']:.0f} words/s on {self.workers} worker(s); "
            f"peak RSS per worker {d['peak_rss_mb_per_worker']:.0f} MB[/dim]"
        )
        if self.phrases:
            table = Table(title="most frequent spun phrases", title_justify="left")
            table.add_column("found")
            table.add_column("likely original", style="green")
            table.add_column("times", justify="right")
            for (phrase, restored), n in self.phrases.most_common(top):
                table.add_row(phrase, restored or "-", str(n))
            console.print(table)
        if self.sources:
            table = Table(title=f"most copied sources ({sum(self.sources.values())} documents traced to one)", title_justify="left")
            table.add_column("source")
            table.add_column("documents", justify="right")
            for name, n in self.sources.most_common(top):
                table.add_row(name, str(n))
            console.print(table)
