"""``unspin serve``: an HTTP API and a web page over the library (needs the ``serve`` extra: FastAPI, uvicorn).

``unspin.serve.settings`` imports without FastAPI; the names below load the app on first use.
"""
from __future__ import annotations

from typing import Any

__all__ = ["create_app", "run", "serving", "Settings"]


def __getattr__(name: str) -> Any:
    """Import the app, the server or the settings when first asked for."""
    if name == "create_app":
        from unspin.serve.app import create_app

        return create_app
    if name in ("run", "serving"):
        from unspin.serve import server

        return getattr(server, name)
    if name == "Settings":
        from unspin.serve.settings import Settings

        return Settings
    raise AttributeError(f"module 'unspin.serve' has no attribute {name!r}")
