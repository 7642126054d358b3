"""Imported once by the process pool's fork server: loads the knowledge there, so workers share it.

:class:`~unspin.scan.engines.LocalEngine` starts its workers with the ``forkserver`` method and
names this module as the server's preload. The server loads the knowledge once and freezes it out of
the garbage collector's sight (``gc.freeze``), then forks each worker: the workers start at once
and share the knowledge's memory pages copy-on-write instead of each reading its own copy. Should
loading fail here, nothing breaks: each worker's initializer loads the knowledge itself and reports
the error properly.
"""
from __future__ import annotations

import gc


def load() -> bool:
    """Load the process-wide knowledge and freeze it for the garbage collector; False if it cannot be loaded."""
    from unspin import knowledge

    try:
        knowledge.get(build_if_missing=False)
    except Exception:  # a missing or damaged file: the workers' initializer builds or reports it
        return False
    gc.collect()
    gc.freeze()  # a collection would otherwise write to every object's header and unshare its page
    return True


LOADED = load()
