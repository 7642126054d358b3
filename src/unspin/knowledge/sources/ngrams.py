"""Word and bigram frequencies: ``symspellpy``'s lists (derived from Google Books n-grams, MIT) and ``wordfreq``."""
from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

NAME = "symspellpy"
LICENCE = "symspellpy 6.10.1 frequency dictionaries (MIT; counts derived from Google Books n-grams)"


def _file(name: str) -> Path:
    return Path(str(resources.files("symspellpy") / name))


def bigrams() -> Iterator[tuple[str, str, int]]:
    """Yield ``(w1, w2, count)`` for the 242k most frequent English bigrams."""
    with open(_file("frequency_bigramdictionary_en_243_342.txt"), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and parts[2].isdigit():
                yield parts[0].lower(), parts[1].lower(), int(parts[2])


def unigrams() -> Iterator[tuple[str, int]]:
    """Yield ``(word, count)`` for the 83k most frequent English words."""
    with open(_file("frequency_dictionary_en_82_765.txt"), encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                yield parts[0].lower(), int(parts[1])
