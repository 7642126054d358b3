"""Trace a spun document to its source: a spin-robust index of source documents and an aligned view.

>>> index = unspin.trace.create_index("sources.db")                        # doctest: +SKIP
>>> index.add([("bbc-1", source_text, {})])                                # doctest: +SKIP
>>> unspin.trace.trace(spun_text, index).best.name                         # doctest: +SKIP
'bbc-1'
"""
from unspin.trace.index import DEFAULT_SETTINGS, Match, TraceIndex, create_index, open_index
from unspin.trace.store import SqliteStore, Store, StoreError

__all__ = ["TraceIndex", "Match", "Store", "SqliteStore", "StoreError", "create_index", "open_index", "DEFAULT_SETTINGS"]
