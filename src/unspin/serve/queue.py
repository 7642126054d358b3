"""The work queue: CPU-bound library calls on worker processes or threads, admitted by their estimated cost."""
from __future__ import annotations

import asyncio
import collections
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from unspin.serve.limits import ApiError

T = TypeVar("T")


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

    ensure_knowledge()
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["unspin.scan.preload"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_server_worker, initargs=(os.getpid(),))


def init_server_worker(server_pid: int) -> None:
    """Worker-process initializer: load the knowledge and the model, and end when the server process is gone.

    The workers are children of the fork server, not of the server: without this, a server that is killed
    leaves them behind, each holding its memory (and finishing whatever check it had).
    """
    from unspin.scan.process import init_worker

    init_worker()

    def watch() -> None:
        while True:
            time.sleep(2)
            try:
                os.kill(server_pid, 0)
            except (ProcessLookupError, PermissionError):  # gone (or its pid already reused by someone else's)
                os._exit(1)

    threading.Thread(target=watch, name="unspin-serve-watchdog", daemon=True).start()


class WorkQueue:
    """Runs blocking calls on ``workers`` threads or processes, admitting work by its estimated cost.

    A call's cost is estimated as ``overhead + size / speed`` seconds (``size`` in characters), both
    learnt from the calls that finish. Calls wait in this queue, not the executor's, for a free worker.
    A call is refused at once with 503 and a ``Retry-After`` when the queued work would keep it waiting
    over ``max_wait`` seconds or past the time limit, or ``capacity`` calls are in; one still waiting after
    ``max_wait`` seconds (the estimate was wrong) leaves with 503 too, never having started. So a burst
    costs the late-comers a retry rather than everyone a time-out. A call estimated to take over three
    times the time limit even alone is refused with 413: a running check cannot be stopped.
    """

    #: Calls smaller than this (characters) teach the overhead; larger ones the speed.
    MIN_SAMPLE = 500

    def __init__(self, workers: int, queue: int, max_wait: float, speed: float, processes: bool = False, overhead: float = 1.0) -> None:
        if workers < 1 or queue < 0 or max_wait <= 0 or speed <= 0 or overhead < 0:
            raise ValueError("workers must be >= 1, queue >= 0, max_wait and speed > 0, overhead >= 0")
        self.workers = workers
        self.capacity = workers + queue
        self.max_wait = max_wait
        self.processes = processes
        self._speed = speed  # characters per second per worker, a moving estimate
        self._overhead = overhead  # seconds a call costs whatever its size, a moving estimate
        self._executor = make_executor(workers, processes)
        self._lock = threading.Lock()
        self._free = workers  # workers not running a call
        self._waiters: collections.deque[asyncio.Future] = collections.deque()
        self._pending = 0
        self._backlog = 0.0  # estimated seconds of work admitted and not yet done

    @property
    def pending(self) -> int:
        """Calls running or waiting."""
        return self._pending

    @property
    def speed(self) -> float:
        """Estimated characters per second per worker."""
        return self._speed

    def cost(self, size: int) -> float:
        """Estimated seconds one call of ``size`` characters takes."""
        return self._overhead + size / self._speed

    def wait_estimate(self) -> float:
        """Seconds until the work admitted so far is done, by the current estimates."""
        return self._backlog / self.workers

    def _busy(self, why: str, retry: float) -> ApiError:
        seconds = max(1, min(300, math.ceil(retry)))
        return ApiError(503, f"server busy: {why}; retry in {seconds} s", {"Retry-After": str(seconds)})

    async def run(self, func: Callable[..., T], *args: Any, size: int, timeout: float) -> T:
        """``func(*args)`` on a worker; 503 when busy, 413 when hopelessly big, 504 past ``timeout`` seconds (queue wait included).

        With worker processes, ``func`` and ``args`` must pickle (module-level functions, plain data).
        """
        cost = self.cost(size)
        if cost > 3 * timeout:
            raise ApiError(413, f"this text would take about {cost:,.0f} s here ({self._speed:,.0f} characters/s); the limit is {timeout:g} s: split it, or check it with `unspin scan`")
        with self._lock:
            wait = self.wait_estimate()
            if self._pending and (self._pending >= self.capacity or wait > self.max_wait or wait + cost > timeout):
                raise self._busy(f"{self._pending} requests, about {wait:.0f} s of work, in progress", wait - self.max_wait / 2)
            self._pending += 1
            self._backlog += cost
        started = time.monotonic()
        try:
            await self._take_worker(timeout=self.max_wait)
        except asyncio.TimeoutError:
            self._done(cost)
            raise self._busy(f"no worker came free within {self.max_wait:g} s", self.max_wait / 2) from None
        except BaseException:
            self._done(cost)
            raise
        try:
            future = self._executor.submit(timed_call, func, *args)
        except BrokenProcessPool:
            self._done(cost)
            self._give_worker_back()
            self._replace_broken_pool()
            raise self._busy("a worker process died", 5) from None
        loop = asyncio.get_running_loop()
        future.add_done_callback(lambda f: (self._done(cost, size, f), loop.call_soon_threadsafe(self._give_worker_back)))
        try:
            result, _seconds = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), timeout - (time.monotonic() - started))
            return result
        except asyncio.TimeoutError:
            # it runs on, holding its worker and its share of the backlog until it ends
            self._learn(size, timeout)  # it ran about that long at least: the estimate was too low
            raise ApiError(504, f"the request took longer than {timeout:g} s; send a shorter text") from None
        except BrokenProcessPool:
            self._replace_broken_pool()
            raise self._busy("a worker process died while checking this text", 5) from None

    async def _take_worker(self, timeout: float) -> None:
        """Wait, first come first served, until a worker is free, and claim it."""
        if self._free and not self._waiters:
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self._give_worker_back()  # handed a worker just as we gave up: pass it on
            elif waiter in self._waiters:
                self._waiters.remove(waiter)
            raise

    def _give_worker_back(self) -> None:
        """A worker is free: hand it to the first caller still waiting, or keep it."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1

    def _done(self, cost: float, size: int | None = None, future: Future | None = None) -> None:
        """A call left the queue: free its share of the backlog; learn from its run time if it ran."""
        with self._lock:
            self._pending -= 1
            self._backlog -= cost
        if future is not None and not future.cancelled() and future.exception() is None:
            self._learn(size or 0, future.result()[1])

    def _learn(self, size: int, seconds: float) -> None:
        """Move the estimates halfway towards a call of ``size`` characters taking ``seconds``."""
        with self._lock:
            if size < self.MIN_SAMPLE:
                self._overhead = 0.5 * self._overhead + 0.5 * max(0.0, seconds - size / self._speed)
            else:
                self._speed = 0.5 * self._speed + 0.5 * size / max(seconds - self._overhead, seconds / 2, 1e-3)

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
        """Stop the workers: waiting calls are dropped, worker processes terminated (threads end with their call)."""
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        for proc in processes:
            proc.terminate()
        # terminated workers end at once: waiting for them lets the pool clean up after itself
        self._executor.shutdown(wait=bool(processes), cancel_futures=True)
