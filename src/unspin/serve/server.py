"""Running the app under uvicorn, with a deadline for request headers (slow-client protection)."""
from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from unspin.serve.app import create_app
from unspin.serve.settings import Settings


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose next request's headers are not in after :attr:`header_timeout`.

    uvicorn bounds only idle keep-alive time, and any byte resets that, so a client sending its headers a
    byte at a time (slowloris) could hold a connection forever.
    """

    header_timeout: float = 10.0
    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._header_deadline_passed)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _header_deadline_passed(self) -> None:
        self._header_deadline = None
        waiting_for_request = self.cycle is None or self.cycle.response_complete
        if waiting_for_request and not self.transport.is_closing():
            if self.cycle is None:  # nothing answered on this connection yet: say why it closes
                self.transport.write(b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain\r\ncontent-length: 31\r\nconnection: close\r\n\r\nrequest headers came too slowly")
            self.transport.close()


def make_server(settings: Settings, host: str = "127.0.0.1", port: int = 8000, access_log: bool = True, log_level: str = "info") -> uvicorn.Server:
    """A uvicorn server for the app (call ``.run()``, or ``.serve()`` in an event loop)."""
    protocol = type("HeaderDeadline", (HeaderDeadlineProtocol,), {"header_timeout": settings.header_timeout})
    config = uvicorn.Config(
        create_app(settings), host=host, port=port, http=protocol, access_log=access_log, log_level=log_level,
        limit_concurrency=settings.max_connections, timeout_keep_alive=5, timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)


def run(settings: Settings | None = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve until interrupted."""
    make_server(settings or Settings(), host, port).run()


@contextmanager
def serving(settings: Settings, host: str = "127.0.0.1", port: int = 0, start_timeout: float = 120.0) -> Iterator[str]:
    """Run a server in a background thread (port 0: any free one) and yield its base URL; it stops on exit."""
    server = make_server(settings, host, port, access_log=False, log_level="warning")
    thread = threading.Thread(target=server.run, name="unspin-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield f"http://{bound[0]}:{bound[1]}"
    finally:
        server.should_exit = True
        thread.join(15)
