"""``unspin serve``: an HTTP API and a web page over the library (needs the ``serve`` extra: FastAPI, uvicorn)."""
from unspin.serve.app import create_app
from unspin.serve.server import run
from unspin.serve.settings import Settings

__all__ = ["create_app", "run", "Settings"]
