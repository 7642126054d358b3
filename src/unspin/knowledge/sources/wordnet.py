"""Princeton WordNet 3.0 database files, from Debian ``wordnet-base`` (read directly, no NLTK).

Gives synsets (lemmas that share a sense), hypernym and similar-to links, and the
multiword lemmas that serve as an inventory of established expressions.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NAME = "wordnet"
LICENCE = "WordNet 3.0, Princeton University, WordNet licence (BSD-like), from Debian wordnet-base"
DEFAULT_DIR = Path("/usr/share/wordnet")
POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}


@dataclass(frozen=True, slots=True)
class Synset:
    """One WordNet sense: its lemmas (lower-case, spaces not underscores) and linked synset offsets."""

    key: str
    pos: str
    lemmas: tuple[str, ...]
    hypernyms: tuple[str, ...]
    similar: tuple[str, ...]


def synsets(directory: Path = DEFAULT_DIR) -> Iterator[Synset]:
    """Yield every synset of the four parts of speech."""
    for pos, name in POS_FILES.items():
        with open(directory / f"data.{name}", encoding="latin-1") as fh:
            for line in fh:
                if line.startswith("  "):
                    continue  # licence header
                data = line.split(" | ")[0].split()
                offset, ss_type = data[0], data[2]
                n_words = int(data[3], 16)
                words = data[4 : 4 + 2 * n_words : 2]
                i = 4 + 2 * n_words
                n_ptr = int(data[i])
                hyper, similar = [], []
                for j in range(n_ptr):
                    sym, target, tpos = data[i + 1 + 4 * j : i + 4 + 4 * j]
                    tpos = "a" if tpos == "s" else tpos
                    if sym in ("@", "@i"):
                        hyper.append(f"{tpos}{target}")
                    elif sym == "&":
                        similar.append(f"{tpos}{target}")
                lemmas = tuple(_clean(w) for w in words)
                yield Synset(f"{'a' if ss_type == 's' else ss_type}{offset}", pos, lemmas, tuple(hyper), tuple(similar))


def _clean(word: str) -> str:
    # adjective markers such as "(a)", "(p)", "(ip)"
    if word.endswith(")") and "(" in word:
        word = word[: word.index("(")]
    return word.replace("_", " ").lower()
