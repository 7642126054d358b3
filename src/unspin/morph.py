"""Inflection and letter case: find base forms, and give an original the form of the word it replaced.

Built on lemminflect (MIT). *woodlands* → lemma *woodland*, tag NNS; the original *forest* then
becomes *forests*. Case follows the observed word: *Chilly Battle* → *Cold War*.
"""
from __future__ import annotations

from functools import lru_cache

from lemminflect import getAllInflections, getAllLemmas, getInflection


@lru_cache(maxsize=200_000)
def lemmas(word: str) -> tuple[str, ...]:
    """The word itself (lower-case) followed by its base forms under any part of speech."""
    word = word.lower()
    out = [word]
    for forms in getAllLemmas(word).values():
        for lemma in forms:
            if lemma not in out:
                out.append(lemma)
    if word.endswith("'s") and word[:-2] not in out:
        out.append(word[:-2])
    return tuple(out)


@lru_cache(maxsize=200_000)
def is_base_form(word: str) -> bool:
    """True when ``word`` (lower-case) is a base form under some part of speech: the noun *undertaking*,
    the noun *funds*; not *appeared* or *woodlands*."""
    return any(word in forms for forms in getAllLemmas(word).values())


@lru_cache(maxsize=100_000)
def _inflections(lemma: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """lemminflect's ``(Penn tag, forms)`` of a lemma, kept (lemminflect deep-copies its tables on every call)."""
    return tuple(getAllInflections(lemma).items())


@lru_cache(maxsize=100_000)
def _base_form(word: str, pos: str) -> str | None:
    """The first base form of ``word`` as part of speech ``pos`` (NOUN, VERB), or None if it is not one."""
    analyses = getAllLemmas(word, upos=pos)
    return analyses[pos][0] if analyses else None


@lru_cache(maxsize=100_000)
def _inflection(base: str, tag: str) -> str | None:
    """The first form of ``base`` under the Penn ``tag``, or None."""
    forms = getInflection(base, tag)
    return forms[0] if forms else None


@lru_cache(maxsize=200_000)
def inflection_tag(word: str) -> tuple[str, str] | None:
    """``(lemma, Penn tag)`` of an inflected word (*woodlands* → (*woodland*, NNS)); None for base forms."""
    tags = inflection_tags(word)
    return tags[0] if tags else None


@lru_cache(maxsize=200_000)
def inflection_tags(word: str) -> tuple[tuple[str, str], ...]:
    """Every ``(lemma, Penn tag)`` an inflected word can be (*picked* → (*pick*, VBD), (*pick*, VBN))."""
    word = word.lower()
    out = []
    for lemma in lemmas(word)[1:]:
        for tag, forms in _inflections(lemma):
            if word in forms and tag not in ("VB", "VBP", "NN", "JJ", "RB") and (lemma, tag) not in out:
                out.append((lemma, tag))
                if tag == "VBD" and _inflection(lemma, "VBN") == word:  # lemminflect lists a regular VBN once, as VBD
                    out.append((lemma, "VBN"))
    return tuple(out)


#: Inflection tags re-applied to an original, and the part of speech each needs.
_TAG_POS = {"NNS": "NOUN", "VBD": "VERB", "VBN": "VERB", "VBG": "VERB", "VBZ": "VERB"}
#: Degrees of comparison, re-applied only where the form is a word people write (*smaller*, not *majorer*).
_DEGREE_POS = {"JJR": "ADJ", "JJS": "ADJ", "RBR": "ADV", "RBS": "ADV"}
#: A comparative or superlative must be at least this frequent (wordfreq's Zipf scale) to be used.
DEGREE_MIN_ZIPF = 2.0
#: A plural this much rarer than its singular (Zipf) marks a mass noun, which stays singular
#: (*facts* → *information*, not *informations*).
MASS_NOUN_GAP = 1.5


def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


@lru_cache(maxsize=20_000)
def _attested(word: str) -> bool:
    return _zipf(word) >= DEGREE_MIN_ZIPF


@lru_cache(maxsize=20_000)
def mass_noun(noun: str) -> bool:
    """True where ``noun`` is rarely counted: its plural is far rarer than it (*information*, *advice*)."""
    plural = _inflection(noun, "NNS")
    return plural is not None and plural != noun and _zipf(noun) - _zipf(plural) >= MASS_NOUN_GAP


@lru_cache(maxsize=200_000)
def inflect_like(original: str, observed: str) -> str:
    """Give the one-word ``original`` the inflection ``observed`` has (*forest*, *woodlands* → *forests*)."""
    found = inflection_tags(observed)
    if not found:
        return original
    own = {t for _, t in inflection_tags(original)}
    if any(tag in own for _, tag in found):
        return original  # already in a form the observed word can have: *picked* → *chosen*, not *chose*
    return _inflect_as(original, found[0][1])


def inflections_like(original: str, observed: str) -> tuple[str, ...]:
    """Every form of the one-word ``original`` that matches an inflection ``observed`` can have, the one
    :func:`inflect_like` gives first (*appeared* is past tense or participle: *show* → *showed*, *shown*)."""
    first = inflect_like(original, observed)
    out = [first]
    if first != original or not inflection_tags(original):  # else the original already has a form that fits
        for _, tag in inflection_tags(observed)[1:]:
            form = _inflect_as(original, tag)
            if form != original and form not in out:  # no bare *movie* for *films* as a verb
                out.append(form)
    return tuple(out)


def _inflect_as(original: str, tag: str) -> str:
    """``original`` under the Penn ``tag`` where it has that form, else ``original`` unchanged."""
    if tag in _DEGREE_POS:  # *littler* -> *smaller*; lemminflect would also invent *majorer*
        base = _base_form(original, _DEGREE_POS[tag])
        form = _inflection(base, tag) if base else None
        return form if form and _attested(form) else original
    if tag not in _TAG_POS:
        return original
    base = _base_form(original, _TAG_POS[tag])  # an already inflected original (*obligated*) goes back to its base
    if base is None:
        return original  # not a word of that part of speech: no *managementing*
    if tag == "NNS" and mass_noun(base):
        return base
    form = _inflection(base, tag)
    return original if form is None else form


_VOWELS = str.maketrans("", "", "aeiouy")


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """The word's consonants, doubled letters merged and *z* read as *s*: equal skeletons mark spelling
    variants (*randomised*/*randomized*, *Muhammad*/*Mohammed*, *colour*/*color*), not synonyms."""
    out = []
    for ch in word.lower().replace("z", "s").translate(_VOWELS):
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def spelling_variant(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are two spellings of one word (British/American, transliteration)."""
    return a != b and len(skeleton(a)) >= 3 and skeleton(a) == skeleton(b)


def match_case(original: str, observed: str) -> str:
    """Write ``original`` in the letter case of ``observed`` (UPPER, Title or lower)."""
    if observed.isupper() and len(observed) > 1:
        return original.upper()
    if observed[:1].isupper():
        return original[:1].upper() + original[1:]
    return original


def possessive(observed: str) -> str:
    """The possessive ending of ``observed`` (``'s`` or ``’s``), or ''."""
    low = observed.lower()
    for end in ("'s", "\u2019s"):
        if low.endswith(end) and len(low) > 2:
            return observed[-2:]
    return ""
