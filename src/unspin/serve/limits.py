"""Errors answered as JSON, and a request-body reader with a size cap and a deadline."""
from __future__ import annotations

import asyncio

from starlette.requests import ClientDisconnect, Request


class ApiError(Exception):
    """An error answered as JSON ``{"error": message, "status": status}`` with optional extra headers."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


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
