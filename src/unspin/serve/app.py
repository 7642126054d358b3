"""The FastAPI application: ``/v1/check``, ``/v1/restore``, ``/v1/trace``, ``/healthz`` and the page at ``/``."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import unspin
from unspin.api import InputError
from unspin.config import Config
from unspin.serve.limits import ApiError, read_body
from unspin.serve.queue import WorkQueue
from unspin.serve.schemas import CheckRequest, TextRequest, TraceRequest, parse
from unspin.serve.settings import Settings

log = logging.getLogger("unspin.serve")
STATIC = Path(__file__).parent / "static"
#: The page loads only its own files and talks only to this server.
PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
#: First guess of tracing's speed, characters per second (then measured).
TRACE_SPEED = 20_000.0
WARM_UP_TEXT = "The results are as pursues: crude information from the Center East shows the White Home was right."


@lru_cache(maxsize=1)
def page_html() -> str:
    """The page, its confidence slider starting at the library's default threshold (not a copy that can drift)."""
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    return html.replace("{{min_confidence}}", f"{Config().min_confidence:.2f}")


class ErrorBody(BaseModel):
    """Every error answer: a message for people and the HTTP status."""

    error: str
    status: int


_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": what}
    for code, what in {
        400: "body is not JSON or not UTF-8", 408: "body sent too slowly", 413: "body over the size limit, or text too long for the time limit",
        422: "fields missing, unknown or invalid; text binary or empty", 503: "busy: retry after Retry-After seconds",
        504: "took longer than the time limit",
    }.items()
}


def _body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI ``requestBody`` for an endpoint that parses its JSON body itself."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)


class SecurityHeaders:
    """ASGI middleware: ``nosniff`` and ``no-referrer`` on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def open_trace_index(path: Path) -> Any:
    """The trace index at ``path`` via :func:`unspin.tracing.open_index`; ``RuntimeError`` if tracing is unavailable."""
    try:
        from unspin.tracing import open_index
    except ImportError as exc:
        raise RuntimeError(f"tracing is not available in this installation ({exc})") from None
    return open_index(path)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for ``settings``; a configured trace index is opened here, so a bad one fails early."""
    settings = settings or Settings()
    index = open_trace_index(settings.index) if settings.index is not None else None
    queue = WorkQueue(settings.workers, settings.queue, settings.max_wait, settings.initial_speed(), settings.processes)
    # tracing reads an index held in this process: its own queue, one thread
    trace_queue = WorkQueue(1, settings.queue, settings.max_wait, TRACE_SPEED) if index is not None else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if settings.warm_up:
            await queue.warm_up(unspin.check, WARM_UP_TEXT, CheckRequest(text=WARM_UP_TEXT).config(settings.fast))
        yield
        queue.shutdown()
        if trace_queue is not None:
            trace_queue.shutdown()

    app = FastAPIOffline(  # /docs and /redoc with their scripts served from here, not from a CDN
        title="unspin",
        version=unspin.__version__,
        summary="Find article spinning (tortured phrases) and restore the original wording.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.queue = queue
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.message, exc.headers)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        message = {404: f"no such page or endpoint: {request.url.path}", 405: f"{request.method} is not allowed on {request.url.path}"}.get(exc.status_code, str(exc.detail))
        return _error(exc.status_code, message, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, "; ".join(str(e.get("msg")) for e in exc.errors()))

    @app.exception_handler(Exception)
    async def internal_error(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _error(500, f"internal error ({type(exc).__name__}); please report it")

    async def handle(request: Request, model: type[TextRequest], func: Callable[..., Any], options: Callable[[Any], tuple], on: WorkQueue | None = None) -> JSONResponse:
        """Read and validate the body, run ``func(text, *options(parsed))`` on a worker, answer its ``to_dict()``."""
        body = await read_body(request, settings.max_body_bytes, settings.body_timeout)
        parsed = parse(body, model)
        try:
            result = await (on or queue).run(func, parsed.text, *options(parsed), size=len(parsed.text), timeout=settings.request_timeout)
        except InputError as exc:
            raise ApiError(422, str(exc)) from None
        return JSONResponse(result.to_dict())

    @app.post("/v1/check", openapi_extra=_body_doc(CheckRequest), responses=_ERRORS, tags=["api"])
    async def check(request: Request) -> JSONResponse:
        """Find spun spans: ``{spin_score, n_words, findings: [{start, end, text, confidence, kind, suggestions, evidence}], warnings}``.

        Offsets count Unicode code points of ``text``.
        """
        return await handle(request, CheckRequest, unspin.check, lambda r: (r.config(settings.fast),))

    @app.post("/v1/restore", openapi_extra=_body_doc(CheckRequest), responses=_ERRORS, tags=["api"])
    async def restore(request: Request) -> JSONResponse:
        """Restore the original wording: ``{text, edits: [{start, end, original, replacement, confidence}], spin_score}``."""
        return await handle(request, CheckRequest, unspin.restore, lambda r: (r.config(settings.fast),))

    @app.post("/v1/trace", openapi_extra=_body_doc(TraceRequest), responses={**_ERRORS, 404: {"model": ErrorBody, "description": "no index configured"}}, tags=["api"])
    async def trace(request: Request) -> JSONResponse:
        """The likely sources of a text in the configured index (404 when the server has none)."""
        if index is None:
            raise ApiError(404, "no index configured; start the server with --index PATH to trace texts")
        from unspin.tracing import trace as trace_text

        return await handle(request, TraceRequest, trace_text, lambda r: (index, r.k), on=trace_queue)

    @app.get("/healthz", tags=["status"])
    async def healthz() -> dict[str, Any]:
        """Liveness and load: requests in progress against capacity, the mode, whether tracing is on."""
        return {"status": "ok", "version": unspin.__version__, "mode": "fast" if settings.fast else "full", "workers": f"{settings.workers} {'processes' if settings.processes else 'threads'}", "in_progress": queue.pending, "capacity": queue.capacity,
                "wait_estimate_s": round(queue.wait_estimate(), 1), "speed_chars_per_s": round(queue.speed), "trace": index is not None}

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def page() -> HTMLResponse:
        """The web page (its script and style are under ``/static``)."""
        return HTMLResponse(page_html(), headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
