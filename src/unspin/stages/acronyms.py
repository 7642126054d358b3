"""Stage 3d: an acronym in brackets says what the words before it were.

A paper defines its terms once, *machine learning (ML)*, and a spinner swaps the words but keeps
the letters: *vehicle learning (ML)*, *condition of health (SOH)*. So where a candidate's span lies in the
words just before a bracketed acronym, the acronym is evidence about the original:

* the candidate's original spells the acronym out and the observed words do not: the candidate
  gains (its odds times :data:`ACRONYM_ODDS`);
* the observed words spell it out and the candidate's original does not: it loses as much, since
  the text already agrees with its own acronym (*knowledge base (KB)* is no spin of *knowledge store*).

Where both or neither spell it out, the acronym says nothing. Its evidence goes first: it outweighs
the rest. "Spells out" is strict: each letter is the initial of one word of the long form, in order,
ending at the word before the bracket; function words (*of*, *and*) and the later parts of a
hyphenated word may be passed over, and a final *s* of the acronym may mark a plural (*DNNs*).
Looser matches (letters inside words, as in Schwartz and Hearst's 2003 algorithm) would let a wrong
candidate match by chance too often.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

from unspin.config import Config
from unspin.doc import Doc
from unspin.knowledge import Knowledge
from unspin.stages.scoring import shift_log_odds

#: Likelihood ratio of the evidence (odds multiplied or divided). Measured on the PPS dev pairs that
#: end in a bracketed acronym, over every candidate in the acronym's reach: where the observed words
#: do not spell it, 23 of 25 right originals spell it and 47 of 9,142 wrong ones do; a one-parameter
#: fit over the cheap scores (``logit = logit(score) + beta * evidence``) peaks at beta 3.2-3.5.
#: On clean dev science text no candidate spelled an acronym the words as written did not.
ACRONYM_ODDS = 25.0
ACRONYM_LOGODDS = math.log(ACRONYM_ODDS)
#: Words of long form read back from the bracket (the longest acronym read has as many letters).
MAX_LONG_FORM = 10
#: Words a long form may pass over without giving a letter (*Court of Justice of the European Union*).
FUNCTION_WORDS = frozenset("a an and at by for from in of on or the to with".split())


def acronym_letters(word: str) -> list[str]:
    """The ways ``word`` reads as an acronym (lower case; with and without a plural *s*), or [] if it is none."""
    if not (2 <= len(word) <= MAX_LONG_FORM and word.isalpha()):
        return []
    letters = word.lower()
    forms = [letters]
    if len(letters) >= 3 and letters.endswith("s") and not word[-1].isupper():
        forms.append(letters[:-1])
    return forms


def spells(words: Sequence[tuple[str, bool]], letters: str) -> bool:
    """True when ``letters`` are the initials of a long form ending with the last of ``words``.

    ``words`` are ``(word, attached)`` pairs in text order, ``attached`` where the word follows a hyphen
    (*term* in *short-term*); attached words and :data:`FUNCTION_WORDS` may give no letter. The last word
    must give the last letter.
    """

    @cache  # each (letters left, words left) once: a run of function words cannot blow the search up
    def match(i: int, j: int) -> bool:
        if i == 0:
            return True
        if j == 0:
            return False
        word, attached = words[j - 1]
        if word[:1].lower() == letters[i - 1] and match(i - 1, j - 1):
            return True
        skippable = attached or word.lower() in FUNCTION_WORDS
        return skippable and j < len(words) and match(i, j - 1)

    return bool(letters) and match(len(letters), len(words))


def _pieces(words: Sequence[str]) -> list[tuple[str, bool]]:
    """``(word, attached)`` for each hyphen-separated part of ``words`` (a lone ``-`` joins its neighbours)."""
    out: list[tuple[str, bool]] = []
    attached = False
    for word in words:
        if word == "-":
            attached = True
            continue
        for k, part in enumerate(word.split("-")):
            if part:
                out.append((part, attached or k > 0))
                attached = False
    return out


def acronym_after(doc: Doc, last: int) -> tuple[int, str] | None:
    """``(index of the "(", its acronym)`` where a bracketed acronym follows token ``last`` within the long-form reach."""
    toks = doc.tokens
    words = 0
    for i in range(last + 1, min(len(toks), last + 2 * MAX_LONG_FORM)):
        tok = toks[i]
        if tok.text == "(":
            if i + 2 < len(toks) and toks[i + 2].text == ")" and toks[i + 1].is_word and acronym_letters(toks[i + 1].text):
                return i, toks[i + 1].text
            return None
        if tok.is_word:
            words += 1
            if words >= MAX_LONG_FORM:
                return None
        elif tok.text != "-":
            return None
    return None


def _start(doc: Doc, first: int) -> int:
    """The first token of the stretch of words and hyphens that ends at ``first`` (at most :data:`MAX_LONG_FORM` words)."""
    toks, words, i = doc.tokens, 0, first
    while i > 0 and (toks[i - 1].is_word or toks[i - 1].text == "-") and words < MAX_LONG_FORM:
        i -= 1
        words += toks[i].is_word
    return i


def _texts(doc: Doc, lo: int, hi: int) -> list[str]:
    """The texts of tokens ``lo``..``hi - 1``."""
    return [tok.text for tok in doc.tokens[lo:hi]]


class _Reach(NamedTuple):
    """A span in reach of a bracketed acronym: the words around it, and whether they spell it as written."""

    acronym: str
    before: list[str]
    after: list[str]
    written: bool

    def spelled_by(self, middle: Sequence[str]) -> bool:
        """True when the long form with ``middle`` in the span's place spells the acronym out."""
        pieces = _pieces(self.before + list(middle) + self.after)
        return any(spells(pieces, form) for form in acronym_letters(self.acronym))


def _reach(doc: Doc, first: int, last: int) -> _Reach | None:
    """The span ``first``..``last``'s :class:`_Reach`, or None where no bracketed acronym follows it."""
    found = acronym_after(doc, last)
    if found is None:
        return None
    paren, acronym = found
    reach = _Reach(acronym, _texts(doc, _start(doc, first), first), _texts(doc, last + 1, paren), False)
    return reach._replace(written=reach.spelled_by(_texts(doc, first, last + 1)))


def weigh_acronyms(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Raise candidates whose original spells out a bracketed acronym after them; lower those that break one."""
    reaches: dict[tuple[int, int], _Reach | None] = {}  # per span: its candidates share it
    for cand in doc.candidates:
        span = (cand.first, cand.last)
        if span not in reaches:
            reaches[span] = _reach(doc, *span)
        reach = reaches[span]
        if reach is None:
            continue
        orig_spells = reach.spelled_by(cand.original)
        if orig_spells == reach.written:
            continue
        shift = ACRONYM_LOGODDS if orig_spells else -ACRONYM_LOGODDS
        cand.score = shift_log_odds(cand.score, shift)
        if "order" in cand.features:
            cand.features["order"] = shift_log_odds(cand.features["order"], shift)
        original_text = " ".join(cand.original)
        if orig_spells:
            cand.evidence.insert(0, f"the acronym ({reach.acronym}) after it spells out '{original_text}', not the words as written")
        else:
            cand.evidence.insert(0, f"the acronym ({reach.acronym}) after it spells out the words as written, not '{original_text}'")
    return doc

