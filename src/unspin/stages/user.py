"""Stage 3f: the user's own lists — phrases never flagged, and spun → original pairs to always report.

``Config.allow`` holds phrases a user vouches for (a house style, a product name): a candidate
touching one is dropped. ``Config.lexicon`` maps spun phrases to originals the user knows
(a publisher's screening list): each occurrence becomes a candidate of kind ``lexicon`` with
the confidence :data:`LEXICON_SCORE`. Phrases are matched on tokens, case-insensitively.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import Knowledge
from unspin.stages.tokenize import tokenize

#: Confidence of a span the user's lexicon names.
LEXICON_SCORE = 0.99


@lru_cache(maxsize=4096)
def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """A phrase as the lower-case token sequence the tokenizer makes of it."""
    return tuple(t.lower for t in tokenize(Doc(phrase)).tokens)


def _occurrences(doc: Doc, phrases: Iterable[str]) -> list[tuple[int, int, str]]:
    """``(first, last, phrase)`` token spans where one of ``phrases`` occurs in ``doc``."""
    wanted: dict[tuple[str, ...], str] = {}
    for p in phrases:
        toks = phrase_tokens(p)
        if toks:
            wanted[toks] = p
    if not wanted:
        return []
    lengths = sorted({len(k) for k in wanted})
    lows = [t.lower for t in doc.tokens]
    found = []
    for i in range(len(lows)):
        for n in lengths:
            key = tuple(lows[i : i + n])
            if len(key) == n and key in wanted:
                found.append((i, i + n - 1, wanted[key]))
    return found


def apply_user_lists(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Drop candidates on allowed phrases; add the user lexicon's pairs as sure candidates."""
    if config.allow:
        allowed = _occurrences(doc, config.allow)
        doc.candidates = [c for c in doc.candidates if not any(c.first <= b and c.last >= a for a, b, _ in allowed)]
    if config.lexicon:
        for first, last, spun in _occurrences(doc, config.lexicon):
            for rank, original in enumerate(config.lexicon[spun]):
                cand = Candidate(first, last, tuple(original.split()), "lexicon")
                cand.score = LEXICON_SCORE - 0.01 * rank
                cand.evidence.append(f"'{spun}' → '{original}' is in the user's lexicon")
                doc.candidates.append(cand)
    return doc


def read_allow(path: str | Path) -> frozenset[str]:
    """Read an allow list: one phrase per line; blank lines and ``#`` comments are skipped."""
    phrases = set()
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            phrases.add(line.lower())
    return frozenset(phrases)


def read_lexicon(path: str | Path) -> dict[str, tuple[str, ...]]:
    """Read a lexicon TSV: ``spun<TAB>original`` per line (a spun phrase may repeat with other originals).

    Raises ``ValueError`` naming the line when a line has no tab or an empty side.
    """
    lexicon: dict[str, list[str]] = {}
    for no, raw in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        spun, sep, original = line.partition("\t")
        spun, original = spun.strip(), original.strip()
        if not sep or not spun or not original:
            raise ValueError(f"{path}:{no}: expected 'spun<TAB>original', got {raw!r}")
        if spun.lower().startswith("spun") and original.lower().startswith("original") and no == 1:
            continue  # a header line
        lexicon.setdefault(spun.lower(), []).append(original)
    return {k: tuple(v) for k, v in lexicon.items()}


def as_lexicon(pairs: Mapping[str, str | Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Normalise a user mapping ``spun -> original(s)`` to lower-case keys and tuples of originals."""
    return {k.lower(): ((v,) if isinstance(v, str) else tuple(v)) for k, v in pairs.items()}
