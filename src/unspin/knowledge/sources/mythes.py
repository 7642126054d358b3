"""MyThes English thesaurus (OpenOffice ``th_en_US_v2``, WordNet-derived), from Debian ``mythes-en-us``.

File format: ``word|n`` followed by ``n`` lines ``(pos)|syn|syn|...``; a synonym may carry a
``(generic term)``, ``(similar term)``, ``(related term)`` or ``(antonym)`` note. Antonyms are dropped.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

NAME = "mythes"
LICENCE = "MyThes th_en_US_v2 (WordNet 3 derived, BSD-style WordNet licence) from Debian mythes-en-us"
DEFAULT_PATH = Path("/usr/share/mythes/th_en_US_v2.dat")

#: Notes kept, and the relation each stands for.
_NOTES = {"": "syn", "similar term": "syn", "generic term": "hyper", "related term": "rel"}


def entries(path: Path = DEFAULT_PATH) -> Iterator[tuple[str, str, list[tuple[str, str]]]]:
    """Yield ``(headword, pos, [(synonym, relation), ...])`` for every sense, lower-cased."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        fh.readline()  # encoding line
        for line in fh:
            head, _, count = line.rstrip("\n").partition("|")
            if not count.isdigit():
                continue
            head = head.strip().lower()
            for _ in range(int(count)):
                sense = fh.readline().rstrip("\n").split("|")
                pos = sense[0].strip("()")
                syns: list[tuple[str, str]] = []
                for item in sense[1:]:
                    word, _, note = item.partition(" (")
                    note = note.rstrip(")")
                    rel = _NOTES.get(note)
                    word = word.strip().lower()
                    if rel and word and word != head:
                        syns.append((word, rel))
                if syns:
                    yield head, pos, syns
