"""The public functions: :func:`check` a text for spun phrases, :func:`restore` its original wording."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import regex

from unspin import knowledge as _knowledge
from unspin.config import Config
from unspin.doc import Doc, Finding
from unspin.stages.acronyms import weigh_acronyms
from unspin.stages.candidates import find_candidates
from unspin.stages.compounds import find_compound_candidates
from unspin.stages.document import score_document
from unspin.stages.findings import select_findings
from unspin.stages.pairs import find_odd_pairs
from unspin.stages.passage import weigh_passage
from unspin.stages.reread import read_in_context
from unspin.stages.scoring import pruning_floor, score_candidates
from unspin.stages.tokenize import tokenize
from unspin.stages.user import apply_user_lists, as_lexicon

#: The stages, in order. Each takes ``(doc, knowledge, config)`` and returns the doc.
PIPELINE = ("tokenize", "candidates", "compounds", "scoring", "words", "rerank", "agreement", "re-reading", "acronyms", "user lists", "findings", "odd pairs", "document")


class InputError(ValueError):
    """The input cannot be checked (binary data, undecodable bytes, too large)."""


@dataclass(slots=True)
class Report:
    """Result of :func:`check`: a document score and the spun spans found."""

    spin_score: float
    findings: list[Finding]
    n_words: int
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "spin_score": round(self.spin_score, 4),
            "n_words": self.n_words,
            "findings": [f.to_dict() for f in self.findings],
            "warnings": list(self.warnings),
        }


@dataclass(slots=True, frozen=True)
class Edit:
    """One replacement ``text[start:end]`` → ``replacement``; edits can be replayed with :func:`apply_edits`."""

    start: int
    end: int
    original: str
    replacement: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "original": self.original, "replacement": self.replacement, "confidence": round(self.confidence, 4)}


@dataclass(slots=True)
class Restored:
    """Result of :func:`restore`: the restored text and the edits that made it."""

    text: str
    edits: list[Edit]
    report: Report

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "edits": [e.to_dict() for e in self.edits], "spin_score": round(self.report.spin_score, 4)}


def _as_text(text: str | bytes, config: Config) -> str:
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"input is not valid UTF-8 (byte {exc.start}); decode it first") from None
    if not isinstance(text, str):
        raise InputError(f"expected text, got {type(text).__name__}")
    if len(text) > config.max_chars:
        raise InputError(f"input has {len(text):,} characters; the limit is {config.max_chars:,}")
    sample = text[:100_000]
    if "\x00" in sample:
        raise InputError("input looks binary (it contains NUL bytes)")
    controls = sum(1 for ch in sample if ch < " " and ch not in "\n\r\t\f\v")
    if sample and controls / len(sample) > 0.05:
        raise InputError("input looks binary (too many control characters)")
    return text


def _english_word(word: str, kn: _knowledge.Knowledge) -> bool:
    """A known English word that is not more at home in French, German or Spanish (*le*, *und*, *los*)."""
    return kn.memo("api.english_word", partial(_compute_english_word, kn), 50_000)(word)


def _compute_english_word(kn: _knowledge.Knowledge, word: str) -> bool:
    z = kn.zipf(word)
    if z < 2.0:
        return False
    from wordfreq import zipf_frequency

    return all(zipf_frequency(word, lang) <= z for lang in ("fr", "de", "es"))


def _english_warning(doc: Doc, kn: _knowledge.Knowledge) -> str | None:
    words = [t.lower for t in doc.tokens if t.is_word][:2000]
    if len(words) < 8:
        return None
    known = sum(_english_word(w, kn) for w in words)
    if known / len(words) < 0.5:
        return f"text does not look like English ({known} of {len(words)} words known); not checked"
    return None


def _config(config: Config | None, options: dict[str, Any]) -> Config:
    """``config`` (or the defaults) with keyword ``options`` applied and the user lists normalised."""
    config = config or Config()
    if options:
        unknown = set(options) - set(Config._fields)
        if unknown:
            raise TypeError(f"unknown option(s) {sorted(unknown)}; known: {', '.join(Config._fields)}")
        config = config._replace(**options)
    if config.allow and not isinstance(config.allow, frozenset):
        config = config._replace(allow=frozenset(p.lower() for p in ([config.allow] if isinstance(config.allow, str) else config.allow)))
    if config.lexicon:
        config = config._replace(lexicon=as_lexicon(config.lexicon))
    return config


def check(text: str | bytes, config: Config | None = None, **options: Any) -> Report:
    """Find spun spans in ``text``; keyword ``options`` override :class:`~unspin.config.Config` fields.

    >>> check("We trained an irregular woodland on the crude information.", min_confidence=0.7)  # doctest: +SKIP
    """
    config = _config(config, options)
    doc, warnings = analyse(_as_text(text, config), config)
    return Report(doc.spin_score, doc.findings, doc.n_words, warnings)


def analyse(text: str, config: Config) -> tuple[Doc, list[str]]:
    """Run the pipeline over ``text`` (already decoded); the doc with every layer, and any warnings.

    The doc is left untouched past tokenising where the text is empty or does not look like English.
    """
    doc = tokenize(Doc(text))
    if not doc.tokens:
        return doc, []
    kn = _knowledge.get()
    warning = _english_warning(doc, kn)
    if warning:
        return doc, [warning]
    floor = pruning_floor(config)
    find_candidates(doc, kn, config, floor)
    find_compound_candidates(doc, kn, config, floor)
    score_candidates(doc, kn, config)
    read_in_context(doc, kn, config)  # words, rerank, agreement; again with confident restorations in place
    weigh_acronyms(doc, kn, config)
    weigh_passage(doc, config)
    apply_user_lists(doc, kn, config)
    select_findings(doc, config)
    find_odd_pairs(doc, kn, config)
    score_document(doc, config)
    return doc, []


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping ``edits`` (any order) to ``text``; a caller may pass a subset of them."""
    out, pos = [], 0
    for e in sorted(edits, key=lambda e: e.start):
        if e.start < pos:
            raise ValueError(f"edit at {e.start} overlaps the previous one")
        if text[e.start : e.end] != e.original:
            raise ValueError(f"edit at {e.start} expects {e.original!r}, text has {text[e.start:e.end]!r}")
        out.append(text[pos : e.start])
        out.append(e.replacement)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def restore(text: str | bytes, config: Config | None = None, **options: Any) -> Restored:
    """Restore the original wording: apply each finding's best suggestion above the restore threshold."""
    config = _config(config, options)
    report = check(text, config)
    source = _as_text(text, config)
    edits = [
        _with_article(source, Edit(f.start, f.end, f.text, f.suggestions[0].text, f.confidence))
        for f in report.findings
        if f.suggestions and f.confidence >= config.restore_confidence
    ]
    return Restored(apply_edits(source, edits), edits, report)


_ARTICLE = regex.compile(r"\b([Aa]n?) $")


def _with_article(text: str, edit: Edit) -> Edit:
    """Widen an edit to the indefinite article before it when the replacement needs the other one (*a* ↔ *an*)."""
    m = _ARTICLE.search(text, max(0, edit.start - 4), edit.start)
    if not m or not edit.replacement:
        return edit
    article = m.group(1)
    wanted = "an" if edit.replacement[0].lower() in "aeiou" else "a"
    if article.lower() == wanted:
        return edit
    fixed = wanted.capitalize() if article[0].isupper() else wanted
    return Edit(m.start(1), edit.end, text[m.start(1) : edit.end], f"{fixed} {edit.replacement}", edit.confidence)
