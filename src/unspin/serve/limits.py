"""Back-pressure and limits: a bounded work queue for the CPU-bound library, and a capped body reader."""
from __future__ import annotations

import asyncio
import math
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from starlette.requests import ClientDisconnect, Request

T = TypeVar("T")


class ApiError(Exception):
    """An error answered as JSON ``{"error": message, "status": status}`` with optional extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def timed_call(func: Callable[..., T], *args: Any) -> tuple[T, float]:
    """``func(*args)`` and the seconds it took (run in a worker; picklable for worker processes)."""
    start = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - start


def make_executor(workers: int, processes: bool) -> Executor:
    """``workers`` threads, or worker processes forked from a fork server that holds the knowledge.

    Threads share this process's knowledge but not its cores (the pipeline is pure Python under the
    GIL); processes use every core, share the knowledge's pages copy-on-write and load the neural model
    once each (as ``unspin scan`` does).
    """
    if not processes:
        return ThreadPoolExecutor(max_workers=workers, thread_name_prefix="unspin-serve")
    from unspin.scan.engines import ensure_knowledge
    from unspin.scan.process import init_worker

    ensure_knowledge()
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["unspin.scan.preload"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker)


class WorkQueue:
    """Runs blocking calls on ``workers`` threads or processes, admitting work by its estimated cost.

    Each call states its size (characters of text). The queue keeps a moving estimate of the speed
    (characters per second per worker) and refuses at once, with 503 and a ``Retry-After``, a call that
    would wait more than ``max_wait`` seconds behind the work already admitted, or not finish within the
    time limit, or that finds ``capacity`` calls in progress: a burst costs the late-comers a retry
    rather than everyone a time-out. A call estimated to take over three times the time limit even
    alone is refused with 413: a running check cannot be stopped and would hold its worker long after
    its client gave up.
    """

    #: Calls smaller than this (characters) are dominated by fixed costs and do not update the speed estimate.
    MIN_SAMPLE = 500

    def __init__(self, workers: int, queue: int, max_wait: float, speed: float, processes: bool = False) -> None:
        if workers < 1 or queue < 0 or max_wait <= 0 or speed <= 0:
            raise ValueError("workers must be >= 1, queue >= 0, max_wait and speed > 0")
        self.workers = workers
        self.capacity = workers + queue
        self.max_wait = max_wait
        self.processes = processes
        self._speed = speed  # characters per second per worker, a moving estimate
        self._executor = make_executor(workers, processes)
        self._lock = threading.Lock()
        self._pending = 0
        self._backlog = 0  # characters admitted and not yet done

    @property
    def pending(self) -> int:
        """Calls running or waiting."""
        return self._pending

    @property
    def speed(self) -> float:
        """Estimated characters per second per worker."""
        return self._speed

    def wait_estimate(self) -> float:
        """Seconds until the work admitted so far is done, by the current speed estimate."""
        return self._backlog / (self._speed * self.workers)

    async def run(self, func: Callable[..., T], *args: Any, size: int, timeout: float) -> T:
        """``func(*args)`` on a worker; 503 when busy, 413 when hopelessly big, 504 past ``timeout`` seconds (queue wait included).

        With worker processes, ``func`` and ``args`` must pickle (module-level functions, plain data).
        """
        alone = size / self._speed
        if alone > 3 * timeout:
            raise ApiError(413, f"this text would take about {alone:,.0f} s here ({self._speed:,.0f} characters/s); the limit is {timeout:g} s: split it, or check it with `unspin scan`")
        with self._lock:
            wait = self.wait_estimate()
            if self._pending and (self._pending >= self.capacity or wait > self.max_wait or wait + alone > timeout):
                retry = max(1, min(300, math.ceil(wait - self.max_wait / 2)))
                raise ApiError(503, f"server busy ({self._pending} requests, about {wait:.0f} s of work, in progress); retry in {retry} s", {"Retry-After": str(retry)})
            self._pending += 1
            self._backlog += size
        try:
            future = self._executor.submit(timed_call, func, *args)
        except BrokenProcessPool:
            self._release(size, None)
            self._replace_broken_pool()
            raise ApiError(503, "a worker process died; retry", {"Retry-After": "5"}) from None
        future.add_done_callback(lambda f: self._release(size, f))
        try:
            result, _seconds = await asyncio.wait_for(asyncio.wrap_future(future), timeout)
            return result
        except asyncio.TimeoutError:
            # a call still waiting is cancelled; one that started runs on and keeps its share of the backlog until it ends
            if not future.cancelled():
                self._observe(size, timeout)  # it ran (part of) that long: the speed is at most this
            raise ApiError(504, f"the request took longer than {timeout:g} s; send a shorter text") from None
        except BrokenProcessPool:
            self._replace_broken_pool()
            raise ApiError(503, "a worker process died while checking this text; retry", {"Retry-After": "5"}) from None

    def _release(self, size: int, future: Future | None) -> None:
        """Free a finished call's share; learn the speed from its run time."""
        with self._lock:
            self._pending -= 1
            self._backlog -= size
        if future is not None and not future.cancelled() and future.exception() is None:
            self._observe(size, future.result()[1])

    def _observe(self, size: int, seconds: float) -> None:
        """Move the speed estimate halfway towards ``size`` characters in ``seconds``."""
        if size >= self.MIN_SAMPLE:
            with self._lock:
                self._speed = 0.5 * self._speed + 0.5 * (size / max(seconds, 1e-3))

    def _replace_broken_pool(self) -> None:
        with self._lock:
            if getattr(self._executor, "_broken", False):
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = make_executor(self.workers, self.processes)

    async def warm_up(self, func: Callable[..., Any], *args: Any) -> None:
        """Run ``func(*args)`` once on every worker (each loads the knowledge and the model)."""
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._executor, timed_call, func, *args) for _ in range(self.workers)))

    def shutdown(self) -> None:
        """Stop the workers once the running calls end; waiting calls are dropped."""
        self._executor.shutdown(wait=False, cancel_futures=True)


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The request body, refused with 413 past ``limit`` bytes and 408 if it takes over ``timeout`` seconds."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, "Content-Length is not a number")
        if int(declared) > limit:
            raise ApiError(413, f"request body is {int(declared):,} bytes; the limit is {limit:,}")

    async def collect() -> bytes:
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ApiError(413, f"request body is over the limit of {limit:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    try:
        return await asyncio.wait_for(collect(), timeout)
    except asyncio.TimeoutError:
        raise ApiError(408, f"the request body took longer than {timeout:g} s to arrive") from None
    except ClientDisconnect:
        raise ApiError(400, "the client disconnected before sending the whole body") from None
