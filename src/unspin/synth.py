"""A synthetic spinner: spin clean English the way article spinners do, for tests and evaluation.

>>> spun = spin("We trained a random forest on the raw data.", rate=1.0)  # doctest: +SKIP
>>> spun.text  # doctest: +SKIP
'We saddled a erratic sylvan on the gauche lemma.'

A spinner looks each content word up in a thesaurus and swaps in one of the words its entry
lists, keeping the inflection (*forests* → *woodlands*) and the letter case. This one uses
unspin's own compiled thesaurus (Moby, MyThes, WordNet), so every edit it makes is one the
detector could in principle undo; each edit is recorded with its offsets in the spun text.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from lemminflect import getInflection

from unspin import morph
from unspin.doc import Doc, Token
from unspin.knowledge import Knowledge, Link, get
from unspin.stages.tokenize import tokenize

__all__ = ["SpinEdit", "Spun", "spin", "synonyms"]

#: Words at least this frequent (Zipf scale) are left alone, as a spinner leaves *the* and *of*.
MAX_ZIPF = 6.0
#: Synonyms rarer than this (Zipf scale, every word) are not offered; 0 would allow unknown words.
MIN_SYNONYM_ZIPF = 1.5
#: Weight of a multi-word synonym relative to a one-word synonym held by as many sources.
MULTIWORD_WEIGHT = 0.1
#: Synonyms at least this frequent (Zipf scale) get full weight; rarer ones proportionally less.
COMMON_ZIPF = 4.0
#: A two-word thesaurus entry is replaced whole with probability ``rate * PHRASE_SHARE``.
PHRASE_SHARE = 0.5

#: Function words under :data:`MAX_ZIPF` that spinners still leave alone.
STOPWORDS = frozenset(
    """about above across after again against along also although among amongst another any
    anyone anything are around because been before behind being below beneath beside besides
    between beyond both but cannot could did does doing done down during each either else
    even ever every few for from further had has have having her here hers herself him
    himself his how however into its itself just many may might more most much must near
    neither nor not off once only onto other others our ours ourselves out over own per
    rather same shall she should since some such than that the their theirs them themselves
    then there these they this those though through thus till too toward towards under
    unless until upon very via was were what whatever when where whereas whether which
    while who whom whose why will with within without would yet you your yours""".split()
)

_SYNONYM = re.compile(r"[a-z]+(?:[ -][a-z]+){0,2}")
_SENTENCE_END = frozenset(".!?")
_OPENERS = frozenset("\"'\u201c\u2018([{\u00ab")
_VERB_TAGS = frozenset({"VBD", "VBG", "VBN", "VBZ"})


@dataclass(slots=True, frozen=True)
class SpinEdit:
    """One replacement: ``text[start:end]`` of the spun text is ``spun``, where the clean text had ``original``."""

    start: int
    end: int
    spun: str
    original: str


@dataclass(slots=True, frozen=True)
class Spun:
    """Result of :func:`spin`: the spun text and its edits, in text order."""

    text: str
    edits: list[SpinEdit]


def _sources(link: Link) -> int:
    """How many lexicons hold the edge."""
    return bin(link.forward | link.reverse).count("1")


def _commonness(phrase: str, kn: Knowledge) -> float:
    """0 if a word of ``phrase`` is too rare to offer, up to 1 if all its words are common."""
    rarest = min(kn.zipf(part) for part in re.split(r"[ -]", phrase))
    if rarest < MIN_SYNONYM_ZIPF:
        return 0.0
    return min(1.0, (rarest - 1.0) / (COMMON_ZIPF - 1.0))


def _entry(base: str, kn: Knowledge) -> list[tuple[str, float]]:
    """``(synonym, weight)`` pairs from the thesaurus entry of ``base``, a lower-case word or phrase.

    The weight favours synonyms held by more lexicons (squared count), common words, and one word.
    """
    out = []
    for link in kn.links(base):
        word = link.original
        if not link.reverse or word == base or not _SYNONYM.fullmatch(word):
            continue
        if set(re.split(r"[ -]", word)) & set(base.split()):
            continue  # *big* → *big boy* is no disguise
        weight = _sources(link) ** 2 * _commonness(word, kn)
        if weight <= 0:
            continue
        if " " in word or "-" in word:
            weight *= MULTIWORD_WEIGHT
        out.append((word, weight))
    return out


def _inflect(synonym: str, tag: str | None) -> str:
    """Give ``synonym`` the Penn ``tag`` (on its last word for nouns, its first word for verbs).

    Returns '' when that form does not exist, so that an adjective is not made a plural noun.
    """
    if tag is None:
        return synonym
    words = synonym.split(" ")
    head = 0 if tag in _VERB_TAGS else len(words) - 1
    if len(words) > 1 and tag not in _VERB_TAGS and tag != "NNS":
        return ""  # *more big cheese* — leave comparatives to one-word synonyms
    already = morph.inflection_tag(words[head])
    if already:
        return synonym if already[1] == tag else ""  # no *grantinged*
    forms = getInflection(words[head], tag, inflect_oov=False)
    if not forms:
        return ""  # no such form in the lexicon: *happied*, *bushies*
    words[head] = forms[0]
    return " ".join(words)


def synonyms(word: str, knowledge: Knowledge) -> list[tuple[str, float]]:
    """What a spinner could put for ``word``, inflected like it, each with a choice weight.

    The word's own thesaurus entry is used as it is; the entries of its base forms are inflected
    to match (*networks* → entry *network* → *webs*). Case is not applied here.
    """
    low = word.lower()
    found = morph.inflection_tag(low)
    tag = found[1] if found else None
    best: dict[str, float] = {}
    for base in morph.lemmas(low):
        for synonym, weight in _entry(base, knowledge):
            form = synonym if base == low else _inflect(synonym, tag)
            if form and form != low and weight > best.get(form, 0.0):
                best[form] = weight
    return sorted(best.items())


def _sentence_initial(tokens: list[Token], i: int, text: str) -> bool:
    """Whether token ``i`` starts a sentence (or paragraph), looking back past quotes and brackets."""
    j = i - 1
    while j >= 0 and tokens[j].text in _OPENERS:
        j -= 1
    if j < 0:
        return True
    if "\n" in text[tokens[j].end : tokens[i].start]:
        return True
    return tokens[j].text in _SENTENCE_END or tokens[j].text == ":"


def _eligible(tokens: list[Token], i: int, text: str, kn: Knowledge, names: bool = False) -> bool:
    """Whether token ``i`` is a content word a spinner would look up (``names``: capitalised words too)."""
    tok = tokens[i]
    word = tok.text
    if not tok.is_word or not word.isalpha() or len(word) <= 2:
        return False
    low = word.lower()
    if low in STOPWORDS or kn.zipf(low) >= MAX_ZIPF:
        return False
    if word.isupper():
        return False  # acronym
    if word[0].isupper():
        if word[1:] != word[1:].lower():
            return False  # CamelCase
        if names:
            return True  # a careless spinner swaps *House* for *Home* in *the White House*
        if not _sentence_initial(tokens, i, text):
            return False  # a name
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if following and following.is_word and following.text[0].isupper():
            return False  # *Major General Smith*: the start of a name
    return True


def _pick(options: list[tuple[str, float]], rng: random.Random) -> str:
    """One option, drawn with probability proportional to its weight."""
    words = [o for o, _ in options]
    return rng.choices(words, weights=[w for _, w in options], k=1)[0]


def _phrase_options(tokens: list[Token], i: int, text: str, kn: Knowledge) -> list[tuple[str, float]]:
    """Synonyms of the two-word thesaurus entry starting at token ``i``, or [] if there is none."""
    if i + 1 >= len(tokens) or not _eligible(tokens, i, text, kn):
        return []
    second = tokens[i + 1]
    if not second.is_word or not second.text.isalpha() or text[tokens[i].end : second.start] != " ":
        return []
    if second.text[0].isupper() or second.text.lower() in STOPWORDS:
        return []
    first, last = tokens[i].text.lower(), second.text.lower()
    found = morph.inflection_tag(last)
    best: dict[str, float] = {}
    for base_last in morph.lemmas(last):
        base = f"{first} {base_last}"
        for synonym, weight in _entry(base, kn):
            form = synonym if base_last == last else _inflect(synonym, found[1] if found else None)
            if form and form != f"{first} {last}" and weight > best.get(form, 0.0):
                best[form] = weight
    return sorted(best.items())


def _choose(
    tokens: list[Token], i: int, text: str, rate: float, kn: Knowledge, rng: random.Random, names: bool = False
) -> tuple[int, str | None]:
    """Decide what to do at token ``i``: ``(2, synonym)`` for a phrase, ``(1, synonym)`` for a word, or ``(1, None)``."""
    if rate <= 0:
        return 1, None
    options = _phrase_options(tokens, i, text, kn)
    if options and rng.random() < rate * PHRASE_SHARE:
        return 2, _pick(options, rng)
    options = synonyms(tokens[i].text, kn) if _eligible(tokens, i, text, kn, names) else []
    if options and rng.random() < rate:
        return 1, _pick(options, rng)
    return 1, None


def spin(text: str, rate: float = 0.3, seed: int = 0, knowledge: Knowledge | None = None, names: bool = False) -> Spun:
    """Spin ``text``: replace about ``rate`` of its content words by thesaurus synonyms.

    Only words the thesaurus has synonyms for count; two-word entries (*take care*) are now and
    then replaced whole. Capitalised words inside a sentence (names) are left alone unless
    ``names`` is set, as careful spinners do; careless ones (``names=True``) swap them too (*White
    Home*). Acronyms are always kept. The same ``seed`` gives the same result.
    """
    knowledge = knowledge or get()
    rng = random.Random(seed)
    tokens = tokenize(Doc(text)).tokens
    out: list[str] = []
    edits: list[SpinEdit] = []
    pos = length = 0  # pos: in the clean text; length: of the spun text so far
    i = 0
    while i < len(tokens):
        span, choice = _choose(tokens, i, text, rate, knowledge, rng, names)
        if choice is None:
            i += 1
            continue
        start, end = tokens[i].start, tokens[i + span - 1].end
        original = text[start:end]
        replacement = morph.match_case(choice, original)
        out.append(text[pos:start])
        length += start - pos
        edits.append(SpinEdit(length, length + len(replacement), replacement, original))
        out.append(replacement)
        length += len(replacement)
        pos = end
        i += span
    out.append(text[pos:])
    return Spun("".join(out), edits)
