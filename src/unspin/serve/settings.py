"""The server's settings: limits, concurrency and mode, as one immutable object."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    """How ``unspin serve`` runs; every limit has a sane default."""

    #: Largest request body accepted, in bytes (larger ones get 413).
    max_body_bytes: int = 2_000_000
    #: Longest a check may take, queue wait included, in seconds (then 504).
    request_timeout: float = 60.0
    #: Longest a client may take to send its request body, in seconds (then 408).
    body_timeout: float = 30.0
    #: Longest a client may take to send its request line and headers, in seconds (then the connection is closed).
    header_timeout: float = 10.0
    #: Open connections beyond which uvicorn answers 503 at once.
    max_connections: int = 1000
    #: Library calls running at once; the pipeline is CPU-bound, so about the number of cores.
    workers: int = 2
    #: Run them in worker processes (every core; about 1.3 GB each) rather than threads of this process (one core).
    processes: bool = True
    #: Requests waiting for a worker before new ones get 503 with Retry-After.
    queue: int = 64
    #: Longest estimated wait behind admitted work before new requests get 503 with Retry-After, in seconds.
    max_wait: float = 20.0
    #: First guess of the speed, in characters per second per worker (then measured); None: by mode.
    speed: float | None = None
    #: The fast path: no neural one-word stage (``word_spins=False``), several times quicker.
    fast: bool = False
    #: A trace index for ``POST /v1/trace`` (None: the endpoint answers 404).
    index: Path | None = None
    #: Run one check at start-up so the first request does not pay for loading the knowledge.
    warm_up: bool = True

    def initial_speed(self) -> float:
        """The speed guess the work queue starts from: measured on this kind of machine, per mode."""
        return self.speed or (FAST_SPEED if self.fast else FULL_SPEED)


#: Characters per second of one worker on a busy 2-core machine, full pipeline and without the one-word stage:
#: low guesses, so that the first burst does not outrun the time limit before real run times are known.
FULL_SPEED = 150.0
FAST_SPEED = 300.0
