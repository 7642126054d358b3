"""Trigram language model: the CMU PocketSphinx US-English model (BSD), shipped in ``pocketsphinx``.

72.5k words, 2.05M bigrams, 1.67M trigrams, trained on news-like text. Log-probabilities are
returned in base 10. Words outside the model's vocabulary get :data:`OOV_LOGPROB`.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path

NAME = "pocketsphinx"
LICENCE = "CMU PocketSphinx en-us trigram model (BSD-style), pocketsphinx 5.1.1"
#: log10 probability charged to a word the model does not know.
OOV_LOGPROB = -7.0
_TO_LOG10 = math.log10(1.0001)  # sphinx's logmath base
#: Rare words used to probe back-off weights (a bigram ending in one of them is almost never stored).
_SENTINELS = ("quasar", "xylophone", "kumquat")


def model_path() -> Path:
    """Location of ``en-us.lm.bin`` inside the installed ``pocketsphinx`` package."""
    return Path(str(resources.files("pocketsphinx") / "model" / "en-us" / "en-us.lm.bin"))


class TrigramModel:
    """log10 P(word | two previous words), with the model loaded on first use."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path or model_path()
        self._lm = None
        self.logprob = lru_cache(maxsize=500_000)(self._logprob)
        self._backoff = lru_cache(maxsize=100_000)(self.backoff)

    def _model(self):
        if self._lm is None:
            from pocketsphinx import NGramModel

            self._lm = NGramModel.readfile(str(self._path))
        return self._lm

    def _logprob(self, word: str, prev1: str = "", prev2: str = "") -> float:
        """log10 P(word | prev2 prev1); empty history words mean no history."""
        lm = self._model()
        history = [w for w in (prev1, prev2) if w]
        raw = lm.prob([word, *history]) if history else lm.prob([word])
        if raw <= -(1 << 28):
            # the word itself is unknown
            return OOV_LOGPROB
        value = raw * _TO_LOG10
        return max(value, OOV_LOGPROB)

    def score(self, words: Sequence[str], left: Sequence[str], right: Sequence[str]) -> float:
        """log10 P of ``words`` followed by ``right``, given ``left`` (up to two words each)."""
        seq = [*left[-2:], *words, *right[:2]]
        start = len(left[-2:])
        total = 0.0
        for i in range(start, len(seq)):
            total += self.logprob(seq[i], seq[i - 1] if i >= 1 else "", seq[i - 2] if i >= 2 else "")
        return total

    def backoff(self, word: str) -> int:
        """Raw back-off weight of ``word`` as a history (found by probing words that never follow it)."""
        lm = self._model()
        votes = [lm.prob([s, word]) - lm.prob([s]) for s in _SENTINELS]
        return max(set(votes), key=votes.count)

    def bigram_seen(self, prev: str, word: str) -> bool:
        """True when the model holds the bigram ``prev word`` itself rather than backing off."""
        if not (self.known(prev) and self.known(word)):
            return False
        lm = self._model()
        return abs(lm.prob([word, prev]) - (self._backoff(prev) + lm.prob([word]))) > 2

    def known(self, word: str) -> bool:
        """True when the word is in the model's vocabulary."""
        return self._model().prob([word]) > -(1 << 28)
