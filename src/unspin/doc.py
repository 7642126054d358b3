"""The document object that flows through the pipeline, and the results it carries.

A :class:`Doc` holds the text and its tokens with character offsets; each stage reads what
earlier stages left on it and adds its own layer (``candidates``, then ``findings``, then
``spin_score``). The result types are plain dataclasses with ``to_dict()`` for JSON.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(slots=True, frozen=True)
class Token:
    """A word or punctuation mark; ``start``/``end`` are character offsets into the text."""

    text: str
    start: int
    end: int
    is_word: bool

    @property
    def lower(self) -> str:
        """The token lower-cased, with typographic apostrophes made plain."""
        return self.text.lower().replace("\u2019", "'")


@dataclass(slots=True)
class Suggestion:
    """A candidate original for a finding, rendered in the input's case and inflection."""

    text: str
    score: float

    def to_dict(self) -> dict:
        return {"text": self.text, "score": round(self.score, 4)}


@dataclass(slots=True)
class Candidate:
    """A possible spin found by the candidate stage, before scoring and selection.

    ``first``/``last`` are token indices (inclusive) of the observed span; ``original`` is the
    lower-case base-form wording it may have replaced (kind ``word``: already inflected like the
    observed word); ``features`` and ``evidence`` are filled by the candidate and scoring stages.
    """

    first: int
    last: int
    original: tuple[str, ...]
    kind: str
    features: dict[str, float] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    score: float = 0.0


@dataclass(slots=True)
class Finding:
    """A span judged spun, with its confidence, suggestions (best first) and the reasons."""

    start: int
    end: int
    text: str
    confidence: float
    kind: str
    suggestions: list[Suggestion]
    evidence: list[str]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["confidence"] = round(self.confidence, 4)
        d["suggestions"] = [s.to_dict() for s in self.suggestions]
        return d


@dataclass(slots=True, frozen=True)
class Reading:
    """What the neural model reads in place of a doc's text: the text with its confident restorations in place.

    ``starts`` maps a word token's index to where that word, or what replaces it, starts in ``text``
    (the later words of a restoration of another length have no place and are missing); ``changed``
    holds the tokens whose word is replaced.
    """

    text: str
    starts: dict[int, int]
    changed: frozenset[int]


@dataclass(slots=True)
class Doc:
    """Text plus the layers the pipeline stages add to it."""

    text: str
    tokens: list[Token] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    spin_score: float = 0.0
    #: Set by the re-reading stage: the context the model reads (``None``: the text as it is).
    reading: Reading | None = None
    #: Set by the one-word stage's first reading: for each word it read (token index), how many of the
    #: words read around it read worse than a synonym would, and how many were read (``hits``, ``read``).
    passage: dict[int, tuple[int, int]] = field(default_factory=dict)

    def span_text(self, first: int, last: int) -> str:
        """Text covered by tokens ``first``..``last`` inclusive."""
        return self.text[self.tokens[first].start : self.tokens[last].end]

    @property
    def n_words(self) -> int:
        """Number of word tokens."""
        return sum(t.is_word for t in self.tokens)
