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
    """Runs blocking calls on ``workers`` threads with at most ``queue`` more waiting.

    A call that finds the queue full is refused at once with 503 and a ``Retry-After`` estimated from
    recent service times, so a burst costs the late-comers a retry rather than everyone a time-out.
    """

    def __init__(self, workers: int, queue: int) -> None:
        if workers < 1 or queue < 0:
            raise ValueError("workers must be >= 1 and queue >= 0")
        self.workers = workers
        self.capacity = workers + queue
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="unspin-serve")
        self._lock = threading.Lock()
        self._pending = 0
        self._mean_seconds = 1.0  # moving average of one call's run time

    @property
    def pending(self) -> int:
        """Calls running or waiting."""
        return self._pending

    def retry_after(self) -> int:
        """Seconds until a slot is likely free (1..60)."""
        return max(1, min(60, math.ceil(self._mean_seconds * self._pending / self.workers)))

    async def run(self, func: Callable[..., T], *args: Any, timeout: float) -> T:
        """``func(*args)`` on a worker thread; 503 when full, 504 past ``timeout`` seconds (queue wait included)."""
        with self._lock:
            if self._pending >= self.capacity:
                raise ApiError(503, f"server busy ({self._pending} requests in progress); retry later", {"Retry-After": str(self.retry_after())})
            self._pending += 1
        future = self._executor.submit(self._timed, func, *args)
        future.add_done_callback(self._release)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except asyncio.TimeoutError:
            # a call still waiting is cancelled; one that started runs on and keeps its slot until it ends
            raise ApiError(504, f"the request took longer than {timeout:g} s; send a shorter text") from None

    def _timed(self, func: Callable[..., T], *args: Any) -> T:
        start = time.perf_counter()
        try:
            return func(*args)
        finally:
            self._mean_seconds = 0.8 * self._mean_seconds + 0.2 * (time.perf_counter() - start)

    def _release(self, _future: Future) -> None:
        with self._lock:
            self._pending -= 1

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
