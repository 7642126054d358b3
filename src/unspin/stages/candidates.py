"""Stage 2: propose candidate originals for short spans of words.

A span of 2–3 words is a candidate when it is *not* an established expression itself while
replacing some of its words by what they could have stood for (the inverted thesaurus) yields one:
*irregular woodland* → *random forest*. Spans of 2–4 words that a thesaurus lists as a whole
propose their headword too (*malignant growth* → *cancer*).
"""
from __future__ import annotations

from dataclasses import dataclass

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
    """The options for one lower-case observed word."""
    forms = morph.lemmas(word)
    keep = frozenset(forms)
    changeable = knowledge.zipf(word) < config.function_word_zipf and len(word) > 1
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


def _phrase_candidate(
    first: int, last: int, observed: tuple[str, ...], original: tuple[str, ...], options: list[WordOptions], knowledge: Knowledge
) -> Candidate:
    cand = Candidate(first, last, original, "phrase")
    strengths, sims, channel = [], [], []
    for obs, orig, opt in zip(observed, original, options):
        if orig in opt.keep:
            continue
        link = opt.links[orig]
        strengths.append(link.strength)
        sims.append(max(knowledge.similarity(form, link.original) for form in opt.keep))
        channel.append(max(knowledge.channel(form, link.original) for form in opt.keep))
        cand.evidence.append(f"'{obs}' can stand for '{orig}' ({', '.join(link.sources())})")
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


def find_candidates(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Fill ``doc.candidates`` with every span→original proposal (unscored)."""
    cache: dict[str, WordOptions] = {}
    toks = doc.tokens
    for run in runs(doc):
        words = [toks[i].lower for i in run]
        opts = []
        for w in words:
            if w not in cache:
                cache[w] = word_options(w, knowledge, config)
            opts.append(cache[w])
        hyphen_after = [doc.text[toks[i].end : toks[i].end + 1] == "-" for i in run]
        for a in range(len(run)):
            if a and hyphen_after[a - 1]:
                continue  # a window never starts inside a hyphenated compound (*state-of-the-art*)
            for n in range(2, MAX_SPAN + 1):
                b = a + n
                if b > len(run):
                    break
                if hyphen_after[b - 1]:
                    continue  # nor ends inside one
                span_opts = opts[a:b]
                if n > 2 and not (span_opts[0].changeable and span_opts[-1].changeable):
                    continue  # longer spans are bounded by content words: *the X Y* is found as *X Y*
                if not any(o.changeable and o.links for o in span_opts):
                    continue
                observed = tuple(words[a:b])
                if knowledge.attested(" ".join(observed))[0]:
                    continue
                for original in _phrase_matches(span_opts, knowledge, config.function_word_zipf):
                    doc.candidates.append(_phrase_candidate(run[a], run[b - 1], observed, original, span_opts, knowledge))
            for n in range(2, MAX_PHRASE_ENTRY + 1):
                b = a + n
                if b > len(run):
                    break
                observed_text = " ".join(words[a:b])
                if knowledge.phrase_bits(observed_text) & ~PHRASE_THESAURUS:
                    continue  # the phrase is established in its own right
                for link in knowledge.links(observed_text):
                    if len(link.original.split()) >= n or link.original.replace("-", " ") == observed_text.replace("-", " "):
                        continue
                    cand = Candidate(run[a], run[b - 1], tuple(link.original.split()), "phrase-entry")
                    sim = knowledge.similarity(observed_text, link.original)
                    chan = knowledge.channel(observed_text, link.original)
                    cand.features.update(link_min=link.strength, link_mean=link.strength, sim_min=sim, sim_mean=sim, changed=n, unchanged=0, channel=chan, channel_min=chan)
                    cand.evidence.append(f"'{observed_text}' is a thesaurus synonym of '{link.original}' ({', '.join(link.sources())})")
                    doc.candidates.append(cand)
    return doc
