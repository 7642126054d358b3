"""Stage 4: turn scored candidates into non-overlapping findings with rendered suggestions.

Candidates are grouped by span; spans are taken greedily, most confident first (the longer span
first where two are equally confident), skipping any that overlap one already taken. A phrase
candidate whose every changed word the one-word stage restores the same way is at least as likely a
spin as the least likely of those words, so it takes that confidence where it is higher (*as
pursues* → *as follows* wins over *pursues* → *follows*). A finding's confidence is its span's best score; its
suggestions are the span's originals, best first (one-word originals the neural model read: most
likely restoration first, scored by that probability, ``features["order"]``), written in the observed
words' case and inflection.
"""
from __future__ import annotations

from collections import defaultdict

from unspin import morph
from unspin.config import Config
from unspin.doc import Candidate, Doc, Finding, Suggestion


def render(doc: Doc, cand: Candidate) -> str:
    """The original wording of ``cand`` as it would read in place of the observed span."""
    words = [t for t in doc.tokens[cand.first : cand.last + 1] if t.is_word]
    each = render_words(doc, cand)
    if each is not None:
        result = each[0]
        for k in range(1, len(each)):
            result += doc.text[words[k - 1].end : words[k].start] + each[k]
        return result
    # different length: inflect the head (last word), case from the first observed word
    original = list(cand.original)
    original[-1] = morph.inflect_like(original[-1], words[-1].lower)
    if all(w.text[:1].isupper() for w in words) and len(words) > 1:
        original = [morph.match_case(o, "X") for o in original]
    else:
        original[0] = morph.match_case(original[0], words[0].text)
    return " ".join(original)


def render_words(doc: Doc, cand: Candidate) -> list[str] | None:
    """Where ``cand`` replaces word for word, what each observed word becomes (in its case and
    inflection; unchanged words as written); ``None`` for an original of another length. A hyphenated
    compound counts a word per part (*non-direct* → *non-linear*: *non*, *linear*)."""
    words = [t for t in doc.tokens[cand.first : cand.last + 1] if t.is_word]
    original = cand.original
    if len(original) != len(words):
        original = tuple(p for w in original for p in w.split("-"))
        if len(original) != len(words):
            return None
    out = []
    for tok, orig in zip(words, original):
        obs = tok.lower
        if cand.kind == "word":  # the one-word stage's originals come inflected for their word
            out.append(morph.match_case(orig, tok.text) + morph.possessive(tok.text))
        elif orig in morph.lemmas(obs):
            out.append(tok.text)
        else:
            suffix = morph.possessive(tok.text)
            base = obs[: -len(suffix)] if suffix else obs
            out.append(morph.match_case(morph.inflect_like(orig, base), tok.text) + suffix)
    return out


def absorb_words(doc: Doc) -> None:
    """Raise each phrase candidate to the confidence of the one-word candidates it agrees with.

    Every word the phrase changes must be read the same way by the one-word stage, and the phrase
    takes the least of those words' confidences: one well-read word does not vouch for the
    phrase's other changes (*nonetheless attain* -> *still find* is not raised by *nonetheless* ->
    *still* alone).
    """
    words: dict[tuple[int, str], Candidate] = {}
    for cand in doc.candidates:
        if cand.kind != "word":
            continue
        for form in {cand.original[0], *morph.lemmas(cand.original[0])}:
            key = (cand.first, form)
            if key not in words or cand.score > words[key].score:
                words[key] = cand
    if not words:
        return
    for cand in doc.candidates:
        if cand.kind == "word" or cand.last == cand.first:
            continue
        at = [i for i in range(cand.first, cand.last + 1) if doc.tokens[i].is_word]
        if len(at) != len(cand.original):
            continue
        changed = [(i, orig) for i, orig in zip(at, cand.original) if orig not in morph.lemmas(doc.tokens[i].lower)]
        support = [word for word in map(words.get, changed) if word is not None]
        if not changed or len(support) < len(changed):
            continue
        score = min(word.score for word in support)
        if score > cand.score:
            cand.features.setdefault("own_score", cand.score)  # still orders the span's candidates
            cand.score = score
            for (i, _), word in zip(changed, support):
                cand.evidence.append(f"the one-word reading of '{doc.tokens[i].text}' as '{word.original[0]}' agrees ({word.score:.2f})")


def _ordered(cands: list[Candidate]) -> bool:
    """True where every candidate of a span has a restoration probability (``features["order"]``)."""
    return all("order" in c.features for c in cands)


def take_spans(scores: dict[tuple[int, int], float], floor: float) -> list[tuple[int, int]]:
    """The spans (token ``(first, last)``) findings are made of: those scoring at least ``floor``, most
    confident first (the longer of two equally confident first), each skipped where it overlaps one taken."""
    taken: list[tuple[int, int]] = []
    for (first, last), score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0][0] - kv[0][1], kv[0])):
        if score < floor:
            break
        if not any(first <= b and last >= a for a, b in taken):
            taken.append((first, last))
    return taken


def finding_spans(doc: Doc, floor: float) -> list[tuple[tuple[int, int], float, list[Candidate]]]:
    """``(span, confidence, candidates)`` of the spans findings are made of at ``floor`` (:func:`take_spans`),
    after phrases absorb the words they agree with; each span's candidates best restoration first.

    One-word originals the model read come in order of ``features["order"]`` (most likely restoration
    first); otherwise by score.
    """
    absorb_words(doc)
    by_span: dict[tuple[int, int], list[Candidate]] = defaultdict(list)
    for cand in doc.candidates:
        by_span[(cand.first, cand.last)].append(cand)
    for cands in by_span.values():
        if _ordered(cands):  # one-word originals the model read: most likely restoration first
            cands.sort(key=lambda c: (-c.features["order"], c.original))
        else:
            # raised by a word, phrases keep their own order; remaining ties in a fixed order, whatever the process
            cands.sort(key=lambda c: (-c.score, -c.features.get("own_score", c.score), c.original))
    scores = {span: max(c.score for c in cands) for span, cands in by_span.items()}
    return [(span, scores[span], by_span[span]) for span in take_spans(scores, floor)]


def select_findings(doc: Doc, config: Config) -> Doc:
    """Fill ``doc.findings`` (sorted by offset)."""
    findings = []
    for (first, last), score, cands in finding_spans(doc, config.min_confidence):
        ordered = _ordered(cands)
        suggestions: list[Suggestion] = []
        seen = set()
        for cand in cands:
            text = render(doc, cand)
            if text.lower() in seen:
                continue
            seen.add(text.lower())
            suggestions.append(Suggestion(text, cand.features["order"] if ordered else cand.score))
            if len(suggestions) >= config.top_k:
                break
        start, end = doc.tokens[first].start, doc.tokens[last].end
        best = cands[0]
        findings.append(Finding(start, end, doc.text[start:end], score, best.kind, suggestions, list(best.evidence)))
    findings.sort(key=lambda f: f.start)
    doc.findings = findings
    return doc
