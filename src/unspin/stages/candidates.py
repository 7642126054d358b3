"""Stage 2: propose candidate originals for short spans of words.

A span of 2–3 words is a candidate when it is *not* an established expression itself while
replacing some of its words by what they could have stood for (the inverted thesaurus) yields one:
*irregular woodland* → *random forest*. Spans of 2–4 words that a thesaurus lists as a whole
propose their headword too (*malignant growth* → *cancer*).
"""
from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from unspin import morph
from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import Knowledge, Link
from unspin.knowledge.build import PHRASE_THESAURUS, PHRASE_WORDNET
from unspin.stages.acronyms import ACRONYM_LOGODDS, acronym_after
from unspin.stages.scoring import reaches, span_context, static_logit
from unspin.stages.tokenize import compound_words, runs

#: Longest span, in words, that the phrase search looks at.
MAX_SPAN = 3
#: Longest span a whole-phrase thesaurus entry may cover.
MAX_PHRASE_ENTRY = 4
#: Entries of the per-process caches (bounded by memory: a common word's options take ~25 kB): words' options,
#: spans' originals (and their context-free logits), word→original edges.
WORD_CACHE = 20_000
SPAN_CACHE = 50_000
LINK_CACHE = 200_000


@dataclass(slots=True, frozen=True)
class WordOptions:
    """What one observed word could have been: itself (and its base forms) or a linked original."""

    word: str
    keep: frozenset[str]  # the word and its base forms: choosing one of these changes nothing
    links: dict[str, tuple[str, int, int]]  # original (base form, or inflected like the word) -> strongest edge as a
    # plain tuple (``Link(*t)``): plain tuples of strings and ints leave the garbage collector's sight, Links do not
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
    return WordOptions(word, keep, {k: tuple(v) for k, v in links.items()}, changeable, keep | links.keys())


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
    link = Link(*opt.links[original])
    sim = max(knowledge.similarity(form, link.original) for form in opt.keep)
    channel = max(knowledge.channel(form, link.original) for form in opt.keep)
    return link.strength, sim, channel, f"'{word}' can stand for '{original}' ({', '.join(link.sources())})"


def _link_features(
    observed: tuple[str, ...], original: tuple[str, ...], keeps: list[frozenset[str]],
    word_link: Callable[[str, str, float], tuple[float, float, float, str]], function_zipf: float,
) -> tuple[dict[str, float], list[str]]:
    """The candidate-stage features and evidence of a phrase candidate ``observed`` → ``original``."""
    strengths, sims, channel, evidence = [], [], [], []
    for obs, orig, keep in zip(observed, original, keeps):
        if orig in keep:
            continue
        strength, sim, chan, why = word_link(obs, orig, function_zipf)
        strengths.append(strength)
        sims.append(sim)
        channel.append(chan)
        evidence.append(why)
    f = {
        "link_min": min(strengths),
        "link_mean": sum(strengths) / len(strengths),
        "sim_min": min(sims),
        "sim_mean": sum(sims) / len(sims),
        "changed": len(strengths),
        "unchanged": len(observed) - len(strengths),
        "channel": sum(channel),
        "channel_min": min(channel),
    }
    return f, evidence


def _entry_links(observed_text: str, knowledge: Knowledge) -> list[tuple[tuple[str, ...], dict[str, float], str]]:
    """``(original, features, evidence)`` of each thesaurus entry that lists the whole span ``observed_text``."""
    n = observed_text.count(" ") + 1
    out = []
    for link in knowledge.links(observed_text):
        if len(link.original.split()) >= n or link.original.replace("-", " ") == observed_text.replace("-", " "):
            continue
        sim = knowledge.similarity(observed_text, link.original)
        chan = knowledge.channel(observed_text, link.original)
        f = {"link_min": link.strength, "link_mean": link.strength, "sim_min": sim, "sim_mean": sim, "changed": n, "unchanged": 0, "channel": chan, "channel_min": chan}
        out.append((tuple(link.original.split()), f, f"'{observed_text}' is a thesaurus synonym of '{link.original}' ({', '.join(link.sources())})"))
    return out


#: ``(static logits, originals)``, both best first: what the early exit needs to know of a span's candidates.
Ranked = tuple[array, tuple[tuple[str, ...], ...]]


def _ranked(rows: list[tuple[float, tuple[str, ...]]]) -> Ranked:
    rows.sort(key=lambda r: -r[0])
    return array("d", (z for z, _ in rows)), tuple(o for _, o in rows)


def _span_originals(knowledge: Knowledge) -> Callable[[tuple[str, ...], float], tuple[tuple[str, ...], ...]]:
    return knowledge.memo("candidates.span_originals", partial(_compute_span_originals, knowledge), SPAN_CACHE)


def _word_link(knowledge: Knowledge) -> Callable[[str, str, float], tuple[float, float, float, str]]:
    return knowledge.memo("candidates.word_link", partial(_compute_word_link, knowledge), LINK_CACHE)


def _compute_phrase_ranked(knowledge: Knowledge, words: tuple[str, ...], written: tuple[str, ...], function_zipf: float) -> Ranked:
    """The span's originals by context-free logit; ``written`` are its words as the scorer reads them, each
    hyphenated compound one word (:func:`~unspin.stages.tokenize.compound_words`)."""
    found = _span_originals(knowledge)(words, function_zipf)
    options = _word_options(knowledge)
    keeps = [options(w, function_zipf).keep for w in words]
    word_link = _word_link(knowledge)
    return _ranked([
        (static_logit(knowledge, written, original, "phrase", _link_features(words, original, keeps, word_link, function_zipf)[0]), original)
        for original in found
    ])


def _compute_entry_ranked(knowledge: Knowledge, observed_text: str, written: tuple[str, ...]) -> Ranked:
    return _ranked([(static_logit(knowledge, written, original, "phrase-entry", f), original) for original, f, _ in _entry_links(observed_text, knowledge)])


def span_kept(doc: Doc, knowledge: Knowledge, first: int, last: int, ranked: list[Ranked], floor: float) -> bool:
    """True when some candidate in ``ranked`` for tokens ``first..last`` can score the logit ``floor``
    (lowered before a bracketed acronym, which the acronym stage may raise it by)."""
    ctx = span_context(doc, knowledge, first, last)
    at = floor - ACRONYM_LOGODDS if acronym_after(doc, last) else floor
    return any(reaches(knowledge, zip(*r), ctx, at) for r in ranked)  # type: ignore[arg-type]


def span_candidates(doc: Doc, knowledge: Knowledge, config: Config, first: int, last: int) -> list[Candidate]:
    """What :func:`find_candidates` proposes, unpruned, for tokens ``first..last`` (a span that starts and
    ends on a word and not inside a hyphenated compound)."""
    fz = config.function_word_zipf
    words = tuple(t.lower for t in doc.tokens[first : last + 1] if t.is_word)
    out = []
    if 2 <= len(words) <= MAX_SPAN:
        keeps = [_word_options(knowledge)(w, fz).keep for w in words]
        for original in _span_originals(knowledge)(words, fz):
            f, evidence = _link_features(words, original, keeps, _word_link(knowledge), fz)
            out.append(Candidate(first, last, original, "phrase", f, evidence))
    text = " ".join(words)
    if 2 <= len(words) <= MAX_PHRASE_ENTRY and knowledge.has_links(text) and not knowledge.phrase_bits(text) & ~PHRASE_THESAURUS:
        for original, f, evidence in _entry_links(text, knowledge):
            out.append(Candidate(first, last, original, "phrase-entry", f, [evidence]))
    return out


def find_candidates(doc: Doc, knowledge: Knowledge, config: Config, floor: float | None = None) -> Doc:
    """Fill ``doc.candidates`` with every span→original proposal (unscored).

    With a ``floor`` (a logit, see :func:`~unspin.stages.scoring.pruning_floor`), a span none of
    whose candidates can score that much is left out: the scorer's context-free part of each
    candidate is kept per span, and the trigram model is asked only until one candidate reaches
    the floor or none can.
    """
    fz = config.function_word_zipf
    options = _word_options(knowledge)
    span_originals, word_link = _span_originals(knowledge), _word_link(knowledge)
    phrase_ranked = knowledge.memo("candidates.phrase_ranked", partial(_compute_phrase_ranked, knowledge), SPAN_CACHE)
    entry_ranked = knowledge.memo("candidates.entry_ranked", partial(_compute_entry_ranked, knowledge), SPAN_CACHE)
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
            phrases: dict[int, tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]] = {}
            for b in range(a + 2, min(a + MAX_SPAN, size) + 1) if any_links else ():
                if hyphen_after[b - 1]:
                    continue  # nor ends inside one
                observed = tuple(words[a:b])
                found = span_originals(observed, fz)
                if found:
                    phrases[b] = (observed, found)
            entries: dict[int, str] = {}
            for b in range(a + 2, min(a + MAX_PHRASE_ENTRY, size) + 1):
                observed_text = " ".join(words[a:b])
                if has_links(observed_text) and not phrase_bits(observed_text) & ~PHRASE_THESAURUS:
                    entries[b] = observed_text  # (a phrase established in its own right is no entry's spin)
            if floor is not None:  # a span's phrase and entry candidates are one group downstream: judged together
                for b in sorted({*phrases, *entries}):
                    written = tuple(compound_words(doc, run[a], run[b - 1]))
                    ranked = [phrase_ranked(phrases[b][0], written, fz)] if b in phrases else []
                    if b in entries:
                        ranked.append(entry_ranked(entries[b], written))
                    if not span_kept(doc, knowledge, run[a], run[b - 1], ranked, floor):
                        phrases.pop(b, None)
                        entries.pop(b, None)
            for b, (observed, found) in phrases.items():
                keeps = [o.keep for o in opts[a:b]]
                for original in found:
                    f, evidence = _link_features(observed, original, keeps, word_link, fz)
                    out.append(Candidate(run[a], run[b - 1], original, "phrase", f, evidence))
            for b, observed_text in entries.items():
                for original, f, evidence in _entry_links(observed_text, knowledge):
                    out.append(Candidate(run[a], run[b - 1], original, "phrase-entry", f, [evidence]))
    return doc
