"""One scan from start to end: read, batch, check on an engine, write, show progress, sum up."""
from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from unspin import __version__
from unspin.config import Config
from unspin.scan.documents import Document, Source
from unspin.scan.engines import DaskEngine, Engine, InlineEngine, LocalEngine, default_workers
from unspin.scan.output import Output
from unspin.scan.process import _error, process_batch
from unspin.scan.summary import Stats


@dataclass(frozen=True)
class ScanOptions:
    """How a scan runs (what it finds is set by :class:`~unspin.config.Config`)."""

    workers: int | None = None  # None: all cores
    ordered: bool = False
    engine: str = "local"  # "local" or "dask"
    scheduler: Any = None  # "tcp://host:port" or a distributed.Client, for engine="dask"
    min_score: float | None = None
    fresh: bool = False
    batch_docs: int = 8
    batch_bytes: int = 1 << 20
    index: str | None = None  # a trace index: each record gets its document's likely source


def batches(docs: Iterable[Document], max_docs: int, max_bytes: int) -> Iterator[list[Document]]:
    """Group documents into batches of at most ``max_docs`` documents or about ``max_bytes`` bytes."""
    batch: list[Document] = []
    size = 0
    for doc in docs:
        batch.append(doc)
        size += doc.size or len(doc.payload or "")
        if len(batch) >= max_docs or size >= max_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def crashed_record(doc: Document, message: str) -> dict[str, Any]:
    """The error record of a document whose worker died."""
    return _error(doc.doc_id, doc.locator, message)


def make_engine(options: ScanOptions, first: list[list[Any]]) -> Engine:
    """The engine for ``options``; a local scan whose input fits in one batch runs in this process."""
    if options.engine == "dask":
        if not options.scheduler:
            raise ValueError("--engine dask needs --scheduler tcp://HOST:PORT")
        return DaskEngine(options.scheduler)
    if options.engine != "local":
        raise ValueError(f"unknown engine {options.engine!r}; use local or dask")
    workers = options.workers or default_workers()
    if workers < 1:
        raise ValueError("--workers must be at least 1")
    if workers == 1 or len(first) < 2:
        return InlineEngine()
    return LocalEngine(workers)


def _progress(console: Console, total: int | None) -> Progress:
    return Progress(
        TextColumn("[bold]scan[/bold]"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[docs]} docs, {task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA") if total else TextColumn(""),
        TimeRemainingColumn() if total else TextColumn(""),
        console=console,
        disable=not console.is_terminal,
        transient=False,
    )


def scan(source: Source, output: Output, config: Config, options: ScanOptions, console: Console | None = None) -> Stats:
    """Scan ``source`` into ``output``; resumes an unfinished scan of the same input and options.

    Raises :class:`~unspin.scan.output.ResumeError` when the output holds another scan's progress,
    and ``KeyboardInterrupt`` through (the output is left resumable).
    """
    console = console or Console(stderr=True, highlight=False)
    stats = Stats()
    opts = {"config": config._asdict(), "min_score": options.min_score, "ordered": options.ordered, "unspin": __version__}
    if options.index:
        opts["index"] = str(options.index)
    add_source = _source_finder(options.index)
    output.open(opts, fresh=options.fresh, on_record=lambda r: stats.add(r, resumed=True))
    skipped_bytes = 0

    def todo() -> Iterator[Document]:
        nonlocal skipped_bytes
        for doc in source:
            if output.done and doc.key in output.done:
                skipped_bytes += doc.size
                continue
            yield doc

    finished = False
    try:
        stream = batches(todo(), options.batch_docs, options.batch_bytes)
        first = list(itertools.islice(stream, 2))
        engine = make_engine(options, first)
        stats.workers = engine.workers
        stats.started = time.monotonic()
        with engine, _progress(console, source.total_bytes) as bar:
            task = bar.add_task("scan", total=source.total_bytes, docs=stats.documents, rate="")
            done_bytes = 0
            for batch, records in engine.map(process_batch, itertools.chain(first, stream), config, crashed_record, ordered=options.ordered):
                if add_source:
                    for doc, rec in zip(batch, records):
                        add_source(doc, rec)
                output.write(records)
                for rec in records:
                    stats.add(rec, filtered=not output.keeps(rec))
                done_bytes += sum(d.size for d in batch)
                secs = max(stats.elapsed, 1e-9)
                bar.update(task, completed=done_bytes + skipped_bytes, docs=stats.documents,
                           rate=f"{stats.new_documents / secs:.1f} docs/s, {stats.new_words / secs:,.0f} words/s")
        stats.peak_rss_mb = max(engine.peak_rss_mb, _self_rss() if isinstance(engine, InlineEngine) else 0.0)
        finished = True
    finally:
        output.close(finished)
    return stats


def _source_finder(path: str | None) -> Callable[[Document, dict[str, Any]], None] | None:
    """A function that sets ``record["source"]`` from the trace index at ``path`` (None without an index).

    Tracing runs here, in the parent, on the documents the workers just checked: a lookup costs
    milliseconds where a check costs seconds, and every engine (local or Dask) gets it for free.
    """
    if not path:
        return None
    from unspin.tracing import open_index, trace
    from unspin.tracing.corpus import read_document

    index = open_index(path)

    def add_source(doc: Document, record: dict[str, Any]) -> None:
        if "error" in record:
            return
        try:
            _, text, _ = read_document(doc)
        except ValueError:
            return
        best = trace(text, index, k=1, aligned=False).best
        record["source"] = {"source": best.name, "score": round(best.score, 4)} if best else None

    return add_source


def _self_rss() -> float:
    from unspin.scan.process import peak_rss_mb

    return peak_rss_mb()

