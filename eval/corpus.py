"""Synthetic English documents for trace evaluation and benchmarks: many, fast, none of them a source.

A first-order Markov chain over the words of WordNet's glosses and example sentences (the Debian
``wordnet-base`` package, WordNet 3.0 licence, Princeton University) strings together sentences with
real English function-word patterns; names and numbers are sprinkled in as news and papers have
them. The chain is sampled with numpy for many documents at once, so a million documents of ~200
words take about a minute. Used by ``eval/trace_eval.py`` (distractors) and ``bench/trace_scale.py``.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

WORDNET = Path("/usr/share/wordnet")
_TOKEN = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|[0-9]+")
#: Successor slots per word: each word's successors are resampled into this many slots by frequency.
SLOTS = 16
_END = 0  # index of the sentence boundary


@lru_cache(maxsize=1)
def chain() -> tuple[list[str], np.ndarray]:
    """The vocabulary and a ``(len(vocab), SLOTS)`` table of successor indices (0 = end of sentence)."""
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    for part in ("noun", "verb", "adj", "adv"):
        with open(WORDNET / f"data.{part}", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(" ") or "|" not in line:
                    continue
                gloss = line.split("|", 1)[1]
                for sentence in re.split(r'[;"]', gloss):
                    words = _TOKEN.findall(sentence)
                    if len(words) < 4:
                        continue
                    prev = ""
                    for w in words:
                        pairs[prev][w] += 1
                        prev = w
                    pairs[prev][""] += 1
    vocab = [""] + sorted({w for c in pairs.values() for w in c if w} | {w for w in pairs if w})
    index = {w: i for i, w in enumerate(vocab)}
    table = np.zeros((len(vocab), SLOTS), dtype=np.int32)
    rng = np.random.default_rng(0)
    for w, following in pairs.items():
        words = list(following)
        p = np.array([following[x] for x in words], dtype=float)
        table[index[w]] = [index[x] for x in rng.choice(words, size=SLOTS, p=p / p.sum())]
    return vocab, table


def documents(n: int, seed: int = 0, words: int = 200, batch: int = 20000) -> Iterator[str]:
    """``n`` generated documents of about ``words`` words each (same seed, same documents)."""
    vocab, table = chain()
    rng = np.random.default_rng(seed)
    names = [w for w in vocab if w[:1].isupper() and len(w) > 3]
    made = 0
    while made < n:
        size = min(batch, n - made)
        length = rng.integers(words // 2, words * 3 // 2, size=size)
        steps = int(length.max())
        state = np.zeros(size, dtype=np.int32)
        grid = np.empty((size, steps), dtype=np.int32)
        picks = rng.integers(0, SLOTS, size=(size, steps))
        for t in range(steps):
            state = table[state, picks[:, t]]
            grid[:, t] = state
        extras = rng.integers(0, 1 << 30, size=(size, 4))
        for row, cut, extra in zip(grid, length, extras):
            yield _render(vocab, row[:cut], names, extra)
        made += size


def _render(vocab: list[str], row: np.ndarray, names: list[str], extra: np.ndarray) -> str:
    out: list[str] = []
    sentence: list[str] = []
    for k, i in enumerate(row.tolist()):
        if i == _END:
            if len(sentence) >= 3:
                if k % 3 == 0:
                    sentence.insert(len(sentence) // 2, names[int(extra[0] + k) % len(names)])
                if k % 5 == 0:
                    sentence.append(f"in {1900 + int(extra[1] + k) % 125}")
                out.append(sentence[0].capitalize() + " " + " ".join(sentence[1:]) + ".")
            sentence = []
        else:
            sentence.append(vocab[i])
    if sentence:
        out.append(sentence[0].capitalize() + " " + " ".join(sentence[1:]) + ".")
    return " ".join(out)
