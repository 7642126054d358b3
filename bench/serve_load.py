"""Load and fault test of ``unspin serve``, on loopback only, bounded in time.

    .venv/bin/python bench/serve_load.py [--mode both|full|fast] [--clients 200] [--duration 30] [--json]

For each mode (``full``: the default pipeline; ``fast``: ``unspin serve --fast``, no neural one-word
stage) it starts a server in a subprocess on a free 127.0.0.1 port, then:

1. times ``--solo`` 1,000-word documents one after another on the idle server;
2. runs ``--clients`` concurrent clients for ``--duration`` seconds against ``POST /v1/check`` with
   documents of 50 to 1,000 words (clean text from ``../shared/data/clean`` or the example article,
   spun at 10 % by ``unspin.synth.spin``, each document distinct). A client that gets 503 waits the
   ``Retry-After`` it was given (with jitter), as a well-behaved client does; requests still in flight
   at the end are waited for (the server's own time limit bounds them);
3. meanwhile sends faults: malformed JSON, invalid UTF-8, binary text, an oversized body (declared
   and chunked), slowloris clients that send their headers a byte at a time, and slow bodies;
4. checks the server is healthy afterwards (``/healthz`` and a small check answer 200).

It prints throughput, p50/p99 latency of the answered checks, the 1,000-word documents' p99 under
load and alone, and the errors: 5xx, connection errors and client time-outs, apart from the 503s
that are the server's intended back-pressure. ``--json`` prints one JSON line instead.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
CLEAN = ROOT.parent / "shared" / "data" / "clean"
SIZES = (50, 100, 200, 500, 1000)
HOST = "127.0.0.1"  # loopback only
SERVER = (
    "import sys; from unspin.serve.settings import Settings; from unspin.serve.server import make_server; "
    "make_server(Settings(fast=sys.argv[2] == 'fast', workers=int(sys.argv[3])), port=int(sys.argv[1]), access_log=False, log_level='error').run()"
)


# --- documents -------------------------------------------------------------------------------------


def documents(per_size: int, seed: int = 0) -> dict[int, list[str]]:
    """``per_size`` distinct spun documents of each size in :data:`SIZES` (words)."""
    from unspin.synth import spin

    texts = []
    if CLEAN.is_dir():
        for path in sorted(CLEAN.glob("*.jsonl")):
            texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        texts = [(ROOT / "examples" / "spun_article.txt").read_text(encoding="utf-8")]
    words = " ".join(texts).split()
    rng = random.Random(seed)
    docs: dict[int, list[str]] = {}
    for size in SIZES:
        docs[size] = []
        for k in range(per_size):
            start = rng.randrange(max(1, len(words) - size))
            chunk = " ".join(words[start : start + size])
            docs[size].append(spin(chunk, rate=0.1, seed=seed + 1000 * size + k).text)
    return docs


# --- the server --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(mode: str, workers: int) -> tuple[subprocess.Popen, str]:
    """A server process in ``mode`` and its base URL, once ``/healthz`` answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), mode, str(workers)], stdout=subprocess.DEVNULL)
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not start within 180 s")


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident memory (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def descendants(pid: int) -> list[int]:
    """The process's children, their children, and so on (the fork server and the workers)."""
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return children + [d for c in children for d in descendants(c)]


# --- load ---------------------------------------------------------------------------------------------------


@dataclass
class Load:
    """What the clients saw."""

    latencies: list[tuple[int, float, float]] = field(default_factory=list)  # (words, seconds, finished at)
    busy: int = 0
    busy_seconds: list[float] = field(default_factory=list)  # how long a 503 took to come
    errors_5xx: Counter = field(default_factory=Counter)
    other_4xx: Counter = field(default_factory=Counter)
    connection_errors: int = 0
    timeouts: int = 0


async def client(n: int, http: httpx.AsyncClient, docs: dict[int, list[str]], stop: float, load: Load) -> None:
    """One client: random documents until ``stop``; honours Retry-After."""
    rng = random.Random(n)
    while time.monotonic() < stop:
        size = rng.choice(SIZES)
        start = time.monotonic()
        try:
            r = await http.post("/v1/check", json={"text": rng.choice(docs[size])})
        except httpx.TimeoutException:
            load.timeouts += 1
            continue
        except httpx.TransportError:
            load.connection_errors += 1
            await asyncio.sleep(0.5)
            continue
        if r.status_code == 200:
            load.latencies.append((size, time.monotonic() - start, time.monotonic()))
        elif r.status_code == 503:
            load.busy += 1
            load.busy_seconds.append(time.monotonic() - start)
            pause = float(r.headers.get("retry-after", "1")) * rng.uniform(0.5, 1.5)
            await asyncio.sleep(max(0.0, min(pause, stop - time.monotonic())))
        elif r.status_code >= 500:
            load.errors_5xx[r.status_code] += 1
        else:
            load.other_4xx[r.status_code] += 1


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (0..1), nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


# --- faults ---------------------------------------------------------------------------------------------------


async def raw_exchange(url: str, chunks: list[bytes], gap: float, limit: float) -> tuple[bytes, float]:
    """Send ``chunks`` over a raw connection, ``gap`` seconds apart, until the server answers; (answer, seconds)."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    start = time.monotonic()
    reader, writer = await asyncio.open_connection(host, int(port))
    answer = asyncio.create_task(reader.read(4096))
    try:
        for chunk in chunks:
            if answer.done() or time.monotonic() - start > limit:
                break
            try:
                writer.write(chunk)
                await writer.drain()
            except (ConnectionError, OSError):
                break
            await asyncio.sleep(gap)
        try:
            data = await asyncio.wait_for(answer, max(0.1, limit - (time.monotonic() - start)))
        except (asyncio.TimeoutError, ConnectionError):
            data = b""
    finally:
        writer.close()
    return data, time.monotonic() - start


async def faults(url: str, http: httpx.AsyncClient, slow_clients: int) -> dict[str, Any]:
    """Bad and slow requests during the load; how many got the answer they should."""

    async def chunked_3mb():  # no Content-Length: the server must stop reading at its limit
        yield b'{"text": "'
        for _ in range(3000):
            yield b"x" * 1000
        yield b'"}'

    expected = [
        ("malformed JSON", b'{"text": oops', None, 400),
        ("invalid UTF-8", b'{"text": "caf\xe9"}', None, 400),
        ("binary text", b'{"text": "\\u0000\\u0001 binary"}', None, 422),
        ("wrong field", b'{"txt": "hello"}', None, 422),
        ("oversized, declared", b"{" + b" " * 3_000_000 + b"}", None, 413),
        ("oversized, chunked", None, chunked_3mb, 413),
    ]
    answered = {}
    for name, body, stream, want in expected:
        try:
            r = await http.post("/v1/check", content=body if body is not None else stream(), headers={"content-type": "application/json"})
            answered[name] = r.status_code == want and "error" in r.json()
        except (httpx.HTTPError, ValueError):
            answered[name] = False
    header = b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    slowloris = [raw_exchange(url, [bytes([b]) for b in header], gap=0.5, limit=20) for _ in range(slow_clients)]
    slow_body = [raw_exchange(url, [header + b"{", *[b" "] * 60], gap=1.0, limit=45) for _ in range(max(1, slow_clients // 2))]
    loris = await asyncio.gather(*slowloris)
    bodies = await asyncio.gather(*slow_body)
    return {
        "bad_requests": {"answered_as_expected": sum(answered.values()), "sent": len(answered), "failed": [k for k, ok in answered.items() if not ok]},
        "slowloris": {"cut_off": sum(a.startswith(b"HTTP/1.1 408") for a, _ in loris), "sent": len(loris), "max_seconds": round(max(s for _, s in loris), 1)},
        "slow_body": {"got_408": sum(a.startswith(b"HTTP/1.1 408") for a, _ in bodies), "sent": len(bodies), "max_seconds": round(max(s for _, s in bodies), 1)},
    }


async def healthy(http: httpx.AsyncClient, text: str) -> bool:
    """``/healthz`` answers and a small check succeeds (retrying while the queue drains, up to 90 s)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if (await http.get("/healthz")).status_code == 200 and (await http.post("/v1/check", json={"text": text})).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        await asyncio.sleep(1)
    return False


# --- one mode ---------------------------------------------------------------------------------------------------


async def measure(url: str, docs: dict[int, list[str]], args: argparse.Namespace) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=args.clients + 50, max_keepalive_connections=args.clients + 50)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=httpx.Timeout(90.0)) as http:
        solo = []
        for text in docs[1000][-args.solo :] if args.solo else []:  # documents the load does not use
            start = time.monotonic()
            r = await http.post("/v1/check", json={"text": text})
            solo.append(round(time.monotonic() - start, 2) if r.status_code == 200 else f"HTTP {r.status_code}")
        load_docs = {size: texts[: -args.solo] if size == 1000 and args.solo else texts for size, texts in docs.items()}
        load = Load()
        begin = time.monotonic()
        stop = begin + args.duration
        fault_task = asyncio.create_task(faults(url, http, args.slow_clients))
        await asyncio.gather(*(client(n, http, load_docs, stop, load) for n in range(args.clients)))
        drained = time.monotonic() - begin
        fault_report = await fault_task
        ok_after = await healthy(http, docs[50][0])
    window = [(w, s) for w, s, done in load.latencies if done <= stop]
    seconds = [s for _, s, _ in load.latencies]
    big = [s for w, s, _ in load.latencies if w == 1000]
    r2 = lambda x: None if x is None else round(x, 2)  # noqa: E731
    return {
        "requests": len(load.latencies) + load.busy + sum(load.errors_5xx.values()) + sum(load.other_4xx.values()) + load.connection_errors + load.timeouts,
        "ok": len(load.latencies),
        "busy_503": load.busy,
        "errors": {"5xx": dict(load.errors_5xx), "connection": load.connection_errors, "client_timeouts": load.timeouts, "other_4xx": dict(load.other_4xx)},
        "error_count": sum(load.errors_5xx.values()) + load.connection_errors + load.timeouts + sum(load.other_4xx.values()),
        "throughput_rps": round(len(window) / args.duration, 2),
        "words_per_s": round(sum(w for w, _ in window) / args.duration, 1),
        "p50_s": r2(percentile(seconds, 0.5)),
        "p99_s": r2(percentile(seconds, 0.99)),
        "p99_1000w_under_load_s": r2(percentile(big, 0.99)),
        "n_1000w_under_load": len(big),
        "p99_1000w_alone_s": max((s for s in solo if isinstance(s, float)), default=None),
        "p99_503_s": r2(percentile(load.busy_seconds, 0.99)),
        "alone_1000w_s": solo,
        "run_s": round(drained, 1),
        "faults": fault_report,
        "healthy_after": ok_after,
    }


def run_mode(mode: str, docs: dict[int, list[str]], args: argparse.Namespace) -> dict[str, Any]:
    proc, url = start_server(mode, args.workers)
    load_before = os.getloadavg()[0]
    try:
        result = asyncio.run(measure(url, docs, args))
        result["load_average_1min"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
        result["server_peak_rss_mb"] = peak_rss_mb(proc.pid)
        result["worker_peak_rss_mb"] = [rss for pid in descendants(proc.pid) if (rss := peak_rss_mb(pid)) and rss > 500]
        result["server_alive"] = proc.poll() is None
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {"mode": mode, "clients": args.clients, "duration_s": args.duration, "workers": args.workers, **result}


def show(r: dict[str, Any]) -> None:
    e, f = r["errors"], r["faults"]
    print(f"mode {r['mode']}: {r['clients']} clients for {r['duration_s']} s, {r['workers']} workers (ran {r['run_s']} s with the drain)")
    print(f"  requests {r['requests']}: answered {r['ok']}, busy 503 (back-pressure) {r['busy_503']}")
    print(f"  errors {r['error_count']}: 5xx {e['5xx'] or 0}, connection {e['connection']}, client time-outs {e['client_timeouts']}, other 4xx {e['other_4xx'] or 0}")
    print(f"  throughput {r['throughput_rps']} checks/s, {r['words_per_s']} words/s")
    print(f"  latency of answered checks: p50 {r['p50_s']} s, p99 {r['p99_s']} s; a 503 came within {r['p99_503_s']} s (p99)")
    print(f"  1,000-word documents: p99 {r['p99_1000w_under_load_s']} s under load (n={r['n_1000w_under_load']}), {r['p99_1000w_alone_s']} s alone (runs: {r['alone_1000w_s']})")
    b, lo, sb = f["bad_requests"], f["slowloris"], f["slow_body"]
    print(f"  faults: bad requests {b['answered_as_expected']}/{b['sent']} answered as expected{' (failed: ' + ', '.join(b['failed']) + ')' if b['failed'] else ''}; "
          f"slowloris {lo['cut_off']}/{lo['sent']} cut off with 408 (≤ {lo['max_seconds']} s); slow bodies {sb['got_408']}/{sb['sent']} got 408 (≤ {sb['max_seconds']} s)")
    print(f"  afterwards: {'healthy' if r['healthy_after'] else 'NOT healthy'}, server {'alive' if r['server_alive'] else 'DEAD'}; "
          f"peak RSS: server {r['server_peak_rss_mb']} MB, workers {r['worker_peak_rss_mb']} MB; load average {r['load_average_1min'][0]} -> {r['load_average_1min'][1]} on {os.cpu_count()} cores")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=["both", "full", "fast"], default="both")
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of load per mode")
    ap.add_argument("--workers", type=int, default=2, help="the server's workers")
    ap.add_argument("--solo", type=int, default=3, help="1,000-word documents timed alone before the load")
    ap.add_argument("--slow-clients", type=int, default=10, help="slowloris connections (half as many slow bodies)")
    ap.add_argument("--per-size", type=int, default=12, help="distinct documents of each size")
    ap.add_argument("--json", action="store_true", help="print one JSON line of the figures")
    args = ap.parse_args()
    if not 1 <= args.clients <= 1000 or not 1 <= args.duration <= 300:
        ap.error("--clients must be 1..1000 and --duration 1..300 s (the run is bounded)")
    docs = documents(args.per_size + args.solo)
    modes = ["full", "fast"] if args.mode == "both" else [args.mode]
    results = [run_mode(m, docs, args) for m in modes]
    if args.json:
        print(json.dumps({r["mode"]: r for r in results}))
    else:
        for r in results:
            show(r)


if __name__ == "__main__":
    main()
