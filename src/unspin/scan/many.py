""":func:`check_many`: :func:`unspin.check` over many texts, on several cores, results in input order."""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from unspin.api import InputError, Report
from unspin.config import Config
from unspin.scan.engines import Engine, InlineEngine, LocalEngine, default_workers
from unspin.scan.process import check_batch


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _crashed(item: Any, message: str) -> InputError:
    return InputError(message)


def check_many(
    texts: Iterable[str | bytes],
    config: Config | None = None,
    *,
    workers: int | None = None,
    errors: Literal["raise", "return"] = "raise",
    batch_size: int = 8,
    **options: Any,
) -> Iterator[Report | InputError]:
    """Yield a :class:`~unspin.api.Report` per text, in input order, checking on ``workers`` processes.

    ``workers`` defaults to all cores (each worker loads the knowledge once; an input of a single
    batch is checked in this process). ``texts`` is read lazily, a bounded number of batches ahead.
    A text that cannot be checked raises its :class:`~unspin.api.InputError` when its turn comes, or
    with ``errors="return"`` is yielded in place of its report.
    """
    if errors not in ("raise", "return"):
        raise ValueError("errors must be 'raise' or 'return'")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    config = (config or Config())._replace(**options) if options else (config or Config())
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError("workers must be at least 1")
    stream = _chunks(texts, batch_size)
    first = list(itertools.islice(stream, 2))
    engine: Engine = InlineEngine() if workers == 1 or len(first) < 2 else LocalEngine(workers)
    with engine:
        for _, results in engine.map(check_batch, itertools.chain(first, stream), config, _crashed, ordered=True):
            for result in results:
                if isinstance(result, InputError) and errors == "raise":
                    raise result
                yield result
