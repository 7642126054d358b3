"""Where batches run: in this process, in a local process pool, or on a Dask cluster.

Every engine maps a batch function (``fn(batch, config) -> (results, peak_rss_mb)``, see
:mod:`unspin.scan.process`) over a stream of batches with a bounded number in flight, so memory does
not grow with the input. ``ordered=True`` yields batches in input order, otherwise as they finish.
A worker that dies (a segfault in a parser, the OOM killer) does not end the scan: its batch is
re-run one document at a time in a fresh worker, and a document that kills a worker again gets the
``crashed(item)`` result.
"""
from __future__ import annotations

import collections
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from unspin.config import Config

BatchFn = Callable[[list[Any], Config], tuple[list[Any], float]]
Crashed = Callable[[Any, str], Any]


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class EngineError(RuntimeError):
    """The engine cannot start (e.g. the Dask scheduler cannot be reached)."""


class Engine:
    """Base: bounded, optionally ordered mapping of a batch function; subclasses say how to submit."""

    workers: int = 1
    peak_rss_mb: float = 0.0
    #: Batches in flight: enough to keep every worker busy, few enough to bound memory.
    window_per_worker: int = 2

    @property
    def window(self) -> int:
        """How many batches may be in flight at once."""
        return self.window_per_worker * self.workers + 1 if self.window_per_worker else 1
    restarts: int = 0

    def map(self, fn: BatchFn, batches: Iterable[list[Any]], config: Config, crashed: Crashed, ordered: bool = True) -> Iterator[tuple[list[Any], list[Any]]]:
        """Yield ``(batch, results)`` for every batch; at most ``window`` batches are in flight."""
        window = self.window
        pending: collections.OrderedDict[Any, list[Any]] = collections.OrderedDict()
        for batch in batches:
            pending[self._submit(fn, batch, config)] = batch
            while len(pending) >= window:
                yield from self._drain(fn, pending, config, crashed, ordered)
        while pending:
            yield from self._drain(fn, pending, config, crashed, ordered)

    def _drain(self, fn: BatchFn, pending: collections.OrderedDict, config: Config, crashed: Crashed, ordered: bool) -> Iterator[tuple[list[Any], list[Any]]]:
        done = [next(iter(pending))] if ordered else self._wait_any(list(pending))
        for fut in done:
            batch = pending.pop(fut)
            yield batch, self._collect(fn, fut, batch, config, crashed)

    def _collect(self, fn: BatchFn, fut: Any, batch: list[Any], config: Config, crashed: Crashed) -> list[Any]:
        try:
            results, rss = fut.result()
        except Exception as exc:
            if not self._is_crash(exc):
                raise
            return self._one_by_one(fn, batch, config, crashed, exc)  # the worker died: isolate the culprit
        self.peak_rss_mb = max(self.peak_rss_mb, rss)
        return results

    def _one_by_one(self, fn: BatchFn, batch: list[Any], config: Config, crashed: Crashed, first: BaseException) -> list[Any]:
        self._recover(first)
        out = []
        for item in batch:
            try:
                results, rss = self._submit(fn, [item], config).result()
                self.peak_rss_mb = max(self.peak_rss_mb, rss)
                out.extend(results)
            except Exception as exc:
                if not self._is_crash(exc):
                    raise
                self._recover(exc)
                out.append(crashed(item, f"the worker died while checking this document ({type(exc).__name__})"))
        return out

    def _submit(self, fn: BatchFn, batch: list[Any], config: Config) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def _wait_any(self, futures: list[Any]) -> list[Any]:  # pragma: no cover - interface
        raise NotImplementedError

    def _is_crash(self, exc: BaseException) -> bool:
        """Whether ``exc`` means a worker died (rather than the batch function raising)."""
        return False

    def _recover(self, exc: BaseException) -> None:
        """Make the engine usable again after a worker failure."""

    def close(self, abort: bool = False) -> None:
        """Release the workers; ``abort`` stops them without waiting for running batches."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        self.close(abort=exc_type is not None)


class _Done:
    """An already computed result, shaped like a future."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    def result(self) -> Any:
        """The value."""
        return self._value


class InlineEngine(Engine):
    """Runs each batch in this process, when it is submitted (one worker, no start-up cost)."""

    window_per_worker = 0  # write each batch as soon as it is done

    def _submit(self, fn: BatchFn, batch: list[Any], config: Config) -> Any:
        return _Done(fn(batch, config))

    def _wait_any(self, futures: list[Any]) -> list[Any]:
        return futures[:1]


def ensure_knowledge() -> None:
    """Build the knowledge file here, once, if it is missing or outdated (rather than in every worker at once)."""
    from unspin.knowledge.artefact import FORMAT_VERSION, ArtefactError, default_path, read_manifest

    try:
        current = read_manifest(default_path()).get("format") == FORMAT_VERSION
    except ArtefactError:
        current = False
    if not current:
        from unspin import knowledge

        knowledge.get()


class LocalEngine(Engine):
    """A pool of ``workers`` processes, forked from a fork server that holds the knowledge (see :mod:`unspin.scan.preload`).

    Workers share the knowledge's pages copy-on-write and each loads the reranker once; nothing of
    this process (threads, locks, open files) is inherited.
    """

    def __init__(self, workers: int, initializer: Callable[[], None] | None = None) -> None:
        from unspin.scan.process import init_worker

        if initializer is None:
            ensure_knowledge()
        self.workers = workers
        self._initializer = initializer or init_worker
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=self._context(), initializer=self._initializer)

    @staticmethod
    def _context() -> multiprocessing.context.BaseContext:
        """Fork server (clean, single-threaded) preloaded with the knowledge; spawn where there is none."""
        if "forkserver" not in multiprocessing.get_all_start_methods():
            return multiprocessing.get_context("spawn")
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["unspin.scan.preload"])  # no effect once this process's fork server runs
        return ctx

    def _submit(self, fn: BatchFn, batch: list[Any], config: Config) -> Future:
        try:
            return self._pool.submit(fn, batch, config)
        except BrokenProcessPool as exc:
            self._recover(exc)
            return self._pool.submit(fn, batch, config)

    def _wait_any(self, futures: list[Any]) -> list[Any]:
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        return [f for f in futures if f in done]

    def _is_crash(self, exc: BaseException) -> bool:
        return isinstance(exc, BrokenProcessPool)

    def _recover(self, exc: BaseException) -> None:
        # a broken pool sets ``_broken``; futures of an earlier, replaced pool leave the current one alone
        if getattr(self._pool, "_broken", isinstance(exc, BrokenProcessPool)):
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            self.restarts += 1

    def close(self, abort: bool = False) -> None:
        """Shut the pool down; ``abort`` terminates the workers first."""
        if abort:  # Ctrl-C or an error: do not wait for the batches being checked (they are redone on resume)
            for proc in list((getattr(self._pool, "_processes", None) or {}).values()):
                proc.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)


def warm_worker() -> float:
    """Load the knowledge and the reranker in a Dask worker; return its peak RSS in MB."""
    from unspin import knowledge
    from unspin.knowledge import neural
    from unspin.scan.process import peak_rss_mb

    knowledge.get()
    neural.get()
    return peak_rss_mb()


class DaskEngine(Engine):
    """Batches as tasks on a Dask distributed cluster; each worker process loads the knowledge once, lazily."""

    def __init__(self, scheduler: Any, warm: bool = True) -> None:
        from distributed import Client

        self._own = isinstance(scheduler, str)
        try:
            self.client = Client(scheduler, timeout="20s") if self._own else scheduler
        except (OSError, ValueError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        self.workers = max(1, sum(self.client.nthreads().values()))
        if warm:
            self.peak_rss_mb = max(self.client.run(warm_worker).values(), default=0.0)

    def _submit(self, fn: BatchFn, batch: list[Any], config: Config) -> Any:
        return self.client.submit(fn, batch, config, pure=False)

    def _wait_any(self, futures: list[Any]) -> list[Any]:
        from distributed import wait as dask_wait

        done, _ = dask_wait(futures, return_when="FIRST_COMPLETED")
        return [f for f in futures if f in done]

    def _is_crash(self, exc: BaseException) -> bool:
        from distributed import KilledWorker
        from distributed.comm.core import CommClosedError

        return isinstance(exc, (KilledWorker, CommClosedError))

    def close(self, abort: bool = False) -> None:
        """Close the client if this engine opened it (a client passed in stays open)."""
        if self._own:
            self.client.close()
