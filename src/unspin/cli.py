"""Command line: ``unspin check | restore | scan | build | index | trace | serve`` — thin layers over the library."""
from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path
from collections.abc import Callable
from typing import Annotated, Any, Optional, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from unspin.api import InputError, Report, check, restore
from unspin.config import Config
from unspin.serve.settings import Settings as ServeSettings

T = TypeVar("T")
app = typer.Typer(help="Find and undo article spinning.", no_args_is_help=True, add_completion=False)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)  # messages keep file paths whole

FileArg = Annotated[str, typer.Argument(help="A text file, or - for standard input.")]
MinConf = Annotated[float, typer.Option("--min-confidence", help="Drop findings below this confidence.")]
AllowOpt = Annotated[Optional[Path], typer.Option("--allow", help="File of phrases never flagged, one per line.")]
PriorOpt = Annotated[float, typer.Option("--prior", min=0.0, max=1.0,
                                          help="How likely a text is to be spun before it is read: weighs one-word evidence (0.05 suits a crawl; raise it for a suspect paper).")]
LexiconOpt = Annotated[Optional[Path], typer.Option("--lexicon", help="TSV of your own spun<TAB>original pairs, always reported.")]
_SERVE = ServeSettings()


def _read(source: str) -> str:
    """The text of a file (PDF and HTML are converted), or of standard input; unreadable input exits with code 2."""
    from unspin.scan.extract import ExtractError, kind_of, to_text

    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot read {source}: {exc.strerror}")
        raise typer.Exit(2) from None
    kind = kind_of(source, data)
    if kind in ("pdf", "html"):
        try:
            return to_text(data, kind)
        except ExtractError as exc:
            err.print(f"[red]error:[/red] {source}: {exc}")
            raise typer.Exit(2) from None
    if b"\x00" in data[:100_000]:
        err.print(f"[red]error:[/red] {source} looks binary (NUL bytes); give a text file")
        raise typer.Exit(2)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        err.print(f"[red]error:[/red] {source} is not valid UTF-8 (byte {exc.start}); convert it first, e.g. iconv -f latin1 -t utf-8")
        raise typer.Exit(2) from None


def _config(min_confidence: float, allow: Optional[Path] = None, lexicon: Optional[Path] = None, prior: float = Config().spun_prior) -> Config:
    """Settings from the command line; an unreadable or malformed list file ends with exit code 2."""
    from unspin.stages.user import read_allow, read_lexicon

    config = Config(min_confidence=min_confidence, restore_confidence=min_confidence, spun_prior=prior)
    try:
        if allow is not None:
            config = config._replace(allow=read_allow(allow))
        if lexicon is not None:
            config = config._replace(lexicon=read_lexicon(lexicon))
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot read {exc.filename}: {exc.strerror}")
        raise typer.Exit(2) from None
    except (ValueError, UnicodeDecodeError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    return config


def _run(func: Callable[[str, Config], T], text: str, config: Config) -> T:
    """Call the library; input it refuses ends the command with exit code 2 and its message."""
    try:
        return func(text, config)
    except InputError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def _show(text: str, report: Report) -> None:
    body = Text(text)
    for f in report.findings:
        style = "bold red" if f.confidence >= 0.8 else "yellow"
        body.stylize(f"{style} underline", f.start, f.end)
    out.print(body)
    out.print()
    if not report.findings:
        out.print(f"[green]No spun phrases found[/green] ({report.n_words} words).")
    else:
        table = Table(title=f"{len(report.findings)} spun phrase(s), spin score {report.spin_score:.2f}")
        table.add_column("at", justify="right")
        table.add_column("found")
        table.add_column("original", style="green")
        table.add_column("conf.", justify="right")
        table.add_column("why")
        for f in report.findings:
            table.add_row(str(f.start), f.text, " / ".join(s.text for s in f.suggestions[:3]) or "[dim]unknown[/dim]", f"{f.confidence:.2f}", "; ".join(f.evidence[:3]))
        out.print(table)
    for w in report.warnings:
        err.print(f"[yellow]warning:[/yellow] {w}")


@app.command("check")
def check_cmd(
    file: FileArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    min_confidence: MinConf = Config().min_confidence,
    allow: AllowOpt = None,
    lexicon: LexiconOpt = None,
    prior: PriorOpt = Config().spun_prior,
) -> None:
    """Find spun phrases in a text and show them with their likely originals."""
    config = _config(min_confidence, allow, lexicon, prior)
    text = _read(file)
    report = _run(check, text, config)
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _show(text, report)


@app.command("restore")
def restore_cmd(
    file: FileArg,
    diff: Annotated[bool, typer.Option("--diff", help="Show a word diff instead of the restored text.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the restored text and its edits as JSON.")] = False,
    min_confidence: MinConf = Config().min_confidence,
    allow: AllowOpt = None,
    lexicon: LexiconOpt = None,
    prior: PriorOpt = Config().spun_prior,
) -> None:
    """Print the text with its original wording restored."""
    config = _config(min_confidence, allow, lexicon, prior)
    text = _read(file)
    result = _run(restore, text, config)
    if as_json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif diff:
        out.print(word_diff(text, result.text))
    else:
        sys.stdout.write(result.text)


def word_diff(before: str, after: str) -> Text:
    """A rich Text marking removed words red and struck through, inserted words green."""
    a, b = before.split(" "), after.split(" ")
    shown = Text()
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            shown.append(" ".join(a[i1:i2]) + " ")
            continue
        if i2 > i1:
            shown.append("[-" + " ".join(a[i1:i2]) + "-]", style="red strike")
            shown.append(" ")
        if j2 > j1:
            shown.append("{+" + " ".join(b[j1:j2]) + "+}", style="green")
            shown.append(" ")
    return shown


@app.command("scan")
def scan_cmd(
    src: Annotated[str, typer.Argument(help="JSONL (one {\"id\", \"text\"} per line; .gz too; - for stdin), a WARC/WARC.gz file, or a folder of .txt/.md/.html/.pdf/.warc.gz files.")],
    output: Annotated[Optional[str], typer.Option("-o", "--output", help="Output file, JSONL or .parquet (default: JSONL on stdout).")] = None,
    fmt: Annotated[Optional[str], typer.Option("--format", help="jsonl or parquet (default: by the output's suffix).")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", "-w", help="Worker processes (default: all cores).")] = None,
    ordered: Annotated[bool, typer.Option("--ordered", help="Write records in input order (default: as they finish).")] = False,
    engine: Annotated[str, typer.Option("--engine", help="local (process pool) or dask.")] = "local",
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Dask scheduler address, tcp://HOST:PORT (with --engine dask).")] = None,
    min_score: Annotated[Optional[float], typer.Option("--min-score", help="Write only documents with at least this spin score (and errors).")] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Start over instead of resuming an unfinished scan into the same output.")] = False,
    index: Annotated[Optional[Path], typer.Option("--index", help="A trace index: each record gets its document's likely source.")] = None,
    min_confidence: MinConf = Config().min_confidence,
    allow: AllowOpt = None,
    lexicon: LexiconOpt = None,
    prior: PriorOpt = Config().spun_prior,
) -> None:
    """Scan many documents: one JSON result per document; bad documents become error records.

    Re-running the same command after a crash or kill continues where it stopped.
    """
    from unspin.scan.documents import open_source
    from unspin.scan.engines import EngineError
    from unspin.scan.output import Output, ResumeError, format_of
    from unspin.scan.run import ScanOptions, scan
    from unspin.tracing.store import StoreError

    config = _config(min_confidence, allow, lexicon, prior)
    options = ScanOptions(workers=workers, ordered=ordered, engine=engine, scheduler=scheduler, min_score=min_score, fresh=fresh,
                          index=str(index) if index else None)
    try:
        source = open_source(src, max_bytes=4 * config.max_chars)
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot read {src}: {exc.strerror}")
        raise typer.Exit(2) from None
    try:
        sink = Output(output, format_of(output, fmt), source.fingerprint(), min_score)
        stats = scan(source, sink, config, options, console=err)
    except OSError as exc:
        where = exc.filename or output or "the output"
        err.print(f"[red]error:[/red] cannot write {where}: {exc.strerror or exc}")
        raise typer.Exit(2) from None
    except (ValueError, ResumeError, EngineError, StoreError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted; run the same command again to continue where it stopped")
        raise typer.Exit(130) from None
    stats.print(err)


@app.command("build")
def build_cmd(
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Where to write the knowledge (default: the cache).")] = None,
) -> None:
    """Compile the lexical resources into unspin's knowledge file."""
    from unspin.knowledge.build import build

    try:
        manifest = build(output, log=lambda m: err.print(f"[dim]{m}[/dim]"))
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot write the knowledge: {exc}")
        raise typer.Exit(2) from None
    out.print(f"knowledge format {manifest['format']}, sha256 {manifest['sha256'][:16]}…, {manifest['bytes'] / 1e6:.0f} MB")
    from unspin.knowledge import neural

    if neural.available():  # the language model's 8-bit copy, made now rather than by the first check
        out.print(f"language model read from {neural.runtime_path()}")


index_app = typer.Typer(help="Build and extend a trace index of source documents (one SQLite file).", no_args_is_help=True)
app.add_typer(index_app, name="index")
IndexOpt = Annotated[Path, typer.Option("--index", "-i", help="The trace index made by `unspin index build` (a SQLite file, or a folder of shards).")]


def _index_corpus(corpus: str, path: Path, workers: Optional[int], create: bool, shards: int = 1, scheduler: Optional[str] = None) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from unspin.scan.engines import default_workers
    from unspin.tracing import StoreError, create_index, open_index
    from unspin.tracing.corpus import CorpusReader
    from unspin.tracing.shards import build_sharded

    reader = CorpusReader(corpus)
    columns = (TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TextColumn("docs"), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, disable=not err.is_terminal, transient=True) as bar:
            task = bar.add_task("index", total=None)
            advance = lambda n: bar.advance(task, n)  # noqa: E731
            if create and (shards > 1 or scheduler):
                added = build_sharded(reader, path, max(shards, 1), workers=workers or default_workers(), scheduler=scheduler, progress=advance)
                index = open_index(path)
            else:
                index = create_index(path) if create else open_index(path, readonly=False)
                added = index.add(reader, workers=workers or default_workers(), progress=advance)
    except StoreError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot read {corpus}: {exc.strerror or exc}")
        raise typer.Exit(2) from None
    for where, why in reader.errors[:10]:
        err.print(f"[yellow]skipped[/yellow] {where}: {why}")
    more = f" ({len(reader.errors)} unreadable, skipped)" if reader.errors else ""
    err.print(f"{path}: {added} document(s) added, {len(index)} in the index{more}")


@index_app.command("build")
def index_build_cmd(
    corpus: Annotated[str, typer.Argument(help="Source documents: JSONL ({\"id\", \"text\"}), a folder of .txt/.md/.html/.pdf files, or WARC.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The index file to write (must not exist).")],
    workers: Annotated[Optional[int], typer.Option("--workers", "-w", help="Fingerprinting processes (default: all cores).")] = None,
    shards: Annotated[int, typer.Option("--shards", help="Split the index into this many SQLite files in the folder OUTPUT, built side by side.")] = 1,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", help="Build the shards on a Dask cluster, tcp://HOST:PORT (OUTPUT on a shared file system).")] = None,
) -> None:
    """Index a corpus of source documents so that spun copies of them can be traced."""
    if output.exists():
        err.print(f"[red]error:[/red] {output} exists; use `unspin index add` to extend it")
        raise typer.Exit(2)
    if corpus != "-" and not Path(corpus).exists():
        err.print(f"[red]error:[/red] cannot read {corpus}: no such file or folder")
        raise typer.Exit(2)
    _index_corpus(corpus, output, workers, create=True, shards=shards, scheduler=scheduler)


@index_app.command("add")
def index_add_cmd(
    corpus: Annotated[str, typer.Argument(help="More source documents (as for `index build`); names already indexed are skipped.")],
    index: IndexOpt,
    workers: Annotated[Optional[int], typer.Option("--workers", "-w", help="Fingerprinting processes (default: all cores).")] = None,
) -> None:
    """Add documents to an existing trace index."""
    _index_corpus(corpus, index, workers, create=False)


def _show_trace(result: Any) -> None:
    table = Table(title="likely sources", title_justify="left")
    for col in ("source", "aligned", "fingerprint held"):
        table.add_column(col, justify="left" if col == "source" else "right")
    for m in result.matches:
        table.add_row(m.name, f"{m.score:.0%}", f"{m.containment:.0%}")
    out.print(table)
    if result.alignment is None:
        out.print("[yellow]no indexed document holds enough of this text to be its source[/yellow]")
        return
    al = result.alignment
    side = Table(title=f"aligned with {result.matches[0].name} ({al.substitutions} substitutions)", title_justify="left", show_lines=True)
    side.add_column("spun text", ratio=1)
    side.add_column("source", ratio=1)
    for pair in al.pairs:
        changed = [(seg.spun, "bold red") for seg in pair.segments if seg.kind in ("replace", "insert")]
        left = _styled(al.spun_text, pair.spun, changed, "dim" if pair.source is None else "")
        right = Text()
        if pair.source is not None:
            changed = [(seg.source, "bold green") for seg in pair.segments if seg.kind in ("replace", "delete")]
            right = _styled(al.source_text, pair.source, changed, "")
        side.add_row(left, right)
    out.print(side)


def _styled(text: str, span: tuple[int, int], marks: list[tuple[tuple[int, int], str]], style: str) -> Text:
    """``text[span]`` with the marked sub-spans styled."""
    shown = Text(text[span[0] : span[1]], style=style)
    for (start, end), mark in marks:
        shown.stylize(mark, start - span[0], end - span[0])
    return shown


@app.command("trace")
def trace_cmd(
    file: FileArg,
    index: IndexOpt,
    k: Annotated[int, typer.Option("-k", "--top", min=1, help="How many candidate sources to list.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Find the source of a spun document in a trace index, and show them side by side."""
    from unspin.tracing import StoreError, trace

    text = _read(file)
    try:
        result = trace(text, index, k=k)
    except StoreError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        _show_trace(result)


@app.command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    index: Annotated[Optional[Path], typer.Option("--index", help="Trace index for POST /v1/trace.")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Skip the neural one-word stage: quicker, finds fewer one-word spins.")] = False,
    workers: Annotated[int, typer.Option("--workers", help="Checks running at once, each in a worker process (about 1.3 GB each).")] = _SERVE.workers,
    threads: Annotated[bool, typer.Option("--threads", help="Check on threads of the server process instead: less memory, one core.")] = False,
    queue: Annotated[int, typer.Option("--queue", help="Requests waiting at most before new ones get 503.")] = _SERVE.queue,
    max_wait: Annotated[float, typer.Option("--max-wait", help="Seconds of estimated queued work before new requests get 503.")] = _SERVE.max_wait,
    max_body: Annotated[int, typer.Option("--max-body", help="Largest request body in bytes.")] = _SERVE.max_body_bytes,
    timeout: Annotated[float, typer.Option("--timeout", help="Longest a request may take, in seconds.")] = _SERVE.request_timeout,
) -> None:
    """Serve the HTTP API and the web page (needs the serve extra: FastAPI and uvicorn)."""
    try:
        from unspin.serve.server import run
    except ImportError as exc:
        err.print(f"[red]error:[/red] {exc.name} is missing; install the serve extra: pip install 'unspin\\[serve]'")
        raise typer.Exit(2) from None
    settings = ServeSettings(index=index, fast=fast, workers=workers, processes=not threads, queue=queue, max_wait=max_wait, max_body_bytes=max_body, request_timeout=timeout)
    try:
        run(settings, host, port)
    except (RuntimeError, OSError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


if __name__ == "__main__":
    app()
