"""Options of a check, as one immutable object (like ftfy's ``TextFixerConfig``)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple


class Config(NamedTuple):
    """Settings that shape a check; pass overrides as keyword arguments to :func:`unspin.check`."""

    #: Findings below this confidence are dropped.
    min_confidence: float = 0.55
    #: :func:`unspin.restore` applies a finding's best suggestion from this confidence up.
    restore_confidence: float = 0.55
    #: How many suggestions a finding carries.
    top_k: int = 5
    #: Words at least this frequent (Zipf scale) are function words a spinner leaves alone.
    function_word_zipf: float = 6.0
    #: Look for one-word spins with the neural model (needs it installed).
    word_spins: bool = True
    #: Report neighbouring words that both read like swaps in a pairing English never uses, even
    #: where no lexicon holds their original (findings of kind ``pair``, without suggestions).
    odd_pairs: bool = True
    #: How likely a text is to be spun before it is read: weighs the evidence for one-word spins
    #: (a crawl is mostly clean; an editor checking a suspect paper may raise it).
    spun_prior: float = 0.05
    #: Spans whose best cheap score reaches this are read by the neural language model.
    rerank_floor: float = 0.1
    #: How many originals per span the neural model reads.
    rerank_top: int = 4
    #: Spans at least this confident are restored, and the text read again with them in place
    #: (:mod:`unspin.stages.reread`); ``None`` reads it once.
    reread_confidence: float | None = 0.5
    #: Phrases never flagged (lower-case); a finding touching one is dropped.
    allow: frozenset[str] = frozenset()
    #: The user's own spun -> original(s) pairs (lower-case keys), always reported where they occur.
    lexicon: Mapping[str, tuple[str, ...]] | None = None
    #: Texts longer than this many characters are refused (split them first).
    max_chars: int = 20_000_000
