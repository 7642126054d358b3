"""Back-pressure and limits: a bounded work queue for the CPU-bound library, and a capped body reader."""
from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
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


class WorkQueue:
    """Runs blocking calls on ``workers`` threads, admitting work by its estimated cost.

    Each call states its size (characters of text). The queue keeps a moving estimate of the speed
    (characters per second per worker) and refuses at once, with 503 and a ``Retry-After``, a call that
    would wait more than ``max_wait`` seconds behind the work already admitted, or that finds ``capacity``
    calls in progress: a burst costs the late-comers a retry rather than everyone a time-out. A call
    estimated to take longer than the request time limit on its own is refused with 413, since a
    running check cannot be stopped and would hold its worker long after its client gave up.
    """

    #: Calls smaller than this (characters) are dominated by fixed costs and do not update the speed estimate.
    MIN_SAMPLE = 500

    def __init__(self, workers: int, queue: int, max_wait: float, speed: float) -> None:
        if workers < 1 or queue < 0 or max_wait <= 0 or speed <= 0:
            raise ValueError("workers must be >= 1, queue >= 0, max_wait and speed > 0")
        self.workers = workers
        self.capacity = workers + queue
        self.max_wait = max_wait
        self._speed = speed  # characters per second per worker, a moving estimate
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="unspin-serve")
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
        """``func(*args)`` on a worker thread; 503 when busy, 413 when too big, 504 past ``timeout`` seconds (queue wait included)."""
        alone = size / self._speed
        if alone > timeout:
            raise ApiError(413, f"this text would take about {alone:,.0f} s here ({self._speed:,.0f} characters/s); the limit is {timeout:g} s: split it, or check it with `unspin scan`")
        with self._lock:
            wait = self.wait_estimate()
            if self._pending and (self._pending >= self.capacity or wait > self.max_wait):
                retry = max(1, min(300, math.ceil(wait - self.max_wait / 2)))
                raise ApiError(503, f"server busy ({self._pending} requests, about {wait:.0f} s of work, in progress); retry in {retry} s", {"Retry-After": str(retry)})
            self._pending += 1
            self._backlog += size
        future = self._executor.submit(self._timed, func, size, *args)
        future.add_done_callback(lambda _f: self._release(size))
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except asyncio.TimeoutError:
            # a call still waiting is cancelled; one that started runs on and keeps its share of the backlog until it ends
            raise ApiError(504, f"the request took longer than {timeout:g} s; send a shorter text") from None

    def _timed(self, func: Callable[..., T], size: int, *args: Any) -> T:
        start = time.perf_counter()
        result = func(*args)
        if size >= self.MIN_SAMPLE:
            seconds = max(time.perf_counter() - start, 1e-3)
            self._speed = 0.7 * self._speed + 0.3 * (size / seconds)
        return result

    def _release(self, size: int) -> None:
        with self._lock:
            self._pending -= 1
            self._backlog -= size

    def shutdown(self) -> None:
        """Stop the threads once the running calls end; waiting calls are dropped."""
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
