"""Trace a spun document to its source: a spin-robust index of source documents and an aligned view.

>>> from unspin.tracing import create_index, trace
>>> index = create_index("sources.db")                   # doctest: +SKIP
>>> index.add([("bbc-1", source_text, {})])               # doctest: +SKIP
>>> trace(spun_text, index).best.name                     # doctest: +SKIP
'bbc-1'
"""
from unspin.tracing.align import Alignment
from unspin.tracing.index import DEFAULT_SETTINGS, MIN_SCORE, Match, TraceIndex, create_index, open_index
from unspin.tracing.lookup import Trace, trace
from unspin.tracing.store import SqliteStore, Store, StoreError

__all__ = [
    "trace", "Trace", "TraceIndex", "Match", "Alignment", "Store", "SqliteStore", "StoreError",
    "create_index", "open_index", "DEFAULT_SETTINGS", "MIN_SCORE",
]
