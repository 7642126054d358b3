"""Stage 2: propose candidate originals for short spans of words.

A span of 2–3 words is a candidate when it is *not* an established expression itself while
replacing some of its words by what they could have stood for (the inverted thesaurus) yields one:
*irregular woodland* → *random forest*. Spans of 2–4 words that a thesaurus lists as a whole
propose their headword too (*malignant growth* → *cancer*).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from unspin import morph
from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import Knowledge, Link
from unspin.knowledge.build import PHRASE_THESAURUS, PHRASE_WORDNET
from unspin.stages.tokenize import runs

#: Longest span, in words, that the phrase search looks at.
MAX_SPAN = 3
#: Longest span a whole-phrase thesaurus entry may cover.
MAX_PHRASE_ENTRY = 4
#: Entries of the per-process caches: words' options, spans' originals, word→original edges.
WORD_CACHE = 100_000
SPAN_CACHE = 50_000
LINK_CACHE = 200_000


@dataclass(slots=True, frozen=True)
class WordOptions:
    """What one observed word could have been: itself (and its base forms) or a linked original."""

    word: str
    keep: frozenset[str]  # the word and its base forms: choosing one of these changes nothing
    links: dict[str, Link]  # original (base form, or inflected like the word) -> strongest edge
    changeable: bool
    every: frozenset[str]  # keep | links

    def all(self) -> frozenset[str]:
        """Everything the word may have been, itself included."""
        return self.every


def word_options(word: str, knowledge: Knowledge, config: Config) -> WordOptions:
    """The options for one lower-case observed word (kept per process, see :meth:`Knowledge.memo`)."""
    return _word_options(knowledge)(word, config.function_word_zipf)


def _word_options(knowledge: Knowledge) -> Callable[[str, float], WordOptions]:
    return knowledge.memo("candidates.word_options", partial(_compute_word_options, knowledge), WORD_CACHE)


def _compute_word_options(knowledge: Knowledge, word: str, function_zipf: float) -> WordOptions:
    forms = morph.lemmas(word)
    keep = frozenset(forms)
    changeable = knowledge.zipf(word) < function_zipf and len(word) > 1
    links: dict[str, Link] = {}
    if changeable:
        for form in forms:
            for link in knowledge.links(form):
                if " " in link.original or link.original in keep or morph.spelling_variant(link.original, form):
                    continue  # a spelling variant (*randomised* for *randomized*) is not a spin
                for variant in {link.original, morph.inflect_like(link.original, word)}:
                    best = links.get(variant)
                    if best is None or link.strength > best.strength:
                        links[variant] = link
    return WordOptions(word, keep, links, changeable, keep | links.keys())


def _phrase_matches(options: list[WordOptions], knowledge: Knowledge, function_zipf: float) -> list[tuple[str, ...]]:
    """Every established phrase that picks one option per word and changes at least one word."""
    prefixes: list[tuple[str, ...]] = [(c,) for c in options[0].all()]
    for opt in options[1:]:
        nxt: list[tuple[str, ...]] = []
        wanted = opt.all()
        for prefix in prefixes:
            follow = knowledge.continuations(" ".join(prefix))
            if not follow:
                continue
            hits = follow & wanted if len(follow) > len(wanted) else wanted & follow
            nxt.extend((*prefix, w) for w in hits)
        prefixes = nxt
        if not prefixes:
            return []
    out = []
    for phrase in prefixes:
        changed = [w for w, o in zip(phrase, options) if w not in o.keep]
        if not changed or any(knowledge.zipf(w) >= function_zipf for w in changed):
            continue
        bits = knowledge.phrase_bits(" ".join(phrase))
        if not bits:
            continue
        content = sum(knowledge.zipf(w) < function_zipf for w in phrase)
        if content < 2 and not bits & (PHRASE_WORDNET | PHRASE_THESAURUS):
            continue  # a content word plus function words: only lexicon entries (*as follows*) count
        out.append(phrase)
    return out


def _compute_span_originals(knowledge: Knowledge, words: tuple[str, ...], function_zipf: float) -> tuple[tuple[str, ...], ...]:
    """The originals a phrase span of ``words`` may have had, or () when the span is not looked at."""
    options = _word_options(knowledge)
    opts = [options(w, function_zipf) for w in words]
    if len(words) > 2 and not (opts[0].changeable and opts[-1].changeable):
        return ()  # longer spans are bounded by content words: *the X Y* is found as *X Y*
    if not any(o.changeable and o.links for o in opts):
        return ()
    if knowledge.attested(" ".join(words))[0]:
        return ()
    return tuple(_phrase_matches(opts, knowledge, function_zipf))


def _compute_word_link(knowledge: Knowledge, word: str, original: str, function_zipf: float) -> tuple[float, float, float, str]:
    """``(strength, similarity, channel, evidence)`` of the edge that lets ``word`` stand for ``original``."""
    opt = _word_options(knowledge)(word, function_zipf)
    link = opt.links[original]
    sim = max(knowledge.similarity(form, link.original) for form in opt.keep)
    channel = max(knowledge.channel(form, link.original) for form in opt.keep)
    return link.strength, sim, channel, f"'{word}' can stand for '{original}' ({', '.join(link.sources())})"


def _phrase_candidate(
    first: int, last: int, observed: tuple[str, ...], original: tuple[str, ...], keeps: list[frozenset[str]],
    word_link: Callable[[str, str, float], tuple[float, float, float, str]], function_zipf: float,
) -> Candidate:
    cand = Candidate(first, last, original, "phrase")
    strengths, sims, channel = [], [], []
    for obs, orig, keep in zip(observed, original, keeps):
        if orig in keep:
            continue
        strength, sim, chan, evidence = word_link(obs, orig, function_zipf)
        strengths.append(strength)
        sims.append(sim)
        channel.append(chan)
        cand.evidence.append(evidence)
    f = cand.features
    f["link_min"] = min(strengths)
    f["link_mean"] = sum(strengths) / len(strengths)
    f["sim_min"] = min(sims)
    f["sim_mean"] = sum(sims) / len(sims)
    f["changed"] = len(strengths)
    f["unchanged"] = len(observed) - len(strengths)
    f["channel"] = sum(channel)
    f["channel_min"] = min(channel)
    return cand


def _entry_candidates(first: int, last: int, observed_text: str, n: int, knowledge: Knowledge) -> list[Candidate]:
    """Candidates from thesaurus entries that list the whole span ``observed_text`` (``n`` words)."""
    out = []
    for link in knowledge.links(observed_text):
        if len(link.original.split()) >= n or link.original.replace("-", " ") == observed_text.replace("-", " "):
            continue
        cand = Candidate(first, last, tuple(link.original.split()), "phrase-entry")
        sim = knowledge.similarity(observed_text, link.original)
        chan = knowledge.channel(observed_text, link.original)
        cand.features.update(link_min=link.strength, link_mean=link.strength, sim_min=sim, sim_mean=sim, changed=n, unchanged=0, channel=chan, channel_min=chan)
        cand.evidence.append(f"'{observed_text}' is a thesaurus synonym of '{link.original}' ({', '.join(link.sources())})")
        out.append(cand)
    return out


def find_candidates(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Fill ``doc.candidates`` with every span→original proposal (unscored)."""
    fz = config.function_word_zipf
    options = _word_options(knowledge)
    span_originals = knowledge.memo("candidates.span_originals", partial(_compute_span_originals, knowledge), SPAN_CACHE)
    word_link = knowledge.memo("candidates.word_link", partial(_compute_word_link, knowledge), LINK_CACHE)
    phrase_bits, has_links = knowledge.phrase_bits, knowledge.has_links
    toks, text, out = doc.tokens, doc.text, doc.candidates
    for run in runs(doc):
        words = [toks[i].lower for i in run]
        opts = [options(w, fz) for w in words]
        hyphen_after = [text[toks[i].end : toks[i].end + 1] == "-" for i in run]
        any_links = any(o.links for o in opts)  # else no phrase span of this run can change a word
        size = len(run)
        for a in range(size):
            if a and hyphen_after[a - 1]:
                continue  # a window never starts inside a hyphenated compound (*state-of-the-art*)
            for b in range(a + 2, min(a + MAX_SPAN, size) + 1) if any_links else ():
                if hyphen_after[b - 1]:
                    continue  # nor ends inside one
                observed = tuple(words[a:b])
                found = span_originals(observed, fz)
                if found:
                    keeps = [o.keep for o in opts[a:b]]
                    for original in found:
                        out.append(_phrase_candidate(run[a], run[b - 1], observed, original, keeps, word_link, fz))
            for b in range(a + 2, min(a + MAX_PHRASE_ENTRY, size) + 1):
                observed_text = " ".join(words[a:b])
                if not has_links(observed_text) or phrase_bits(observed_text) & ~PHRASE_THESAURUS:
                    continue  # no thesaurus entry, or the phrase is established in its own right
                out.extend(_entry_candidates(run[a], run[b - 1], observed_text, b - a, knowledge))
    return doc
