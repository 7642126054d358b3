"""Stage 3b: let a small neural language model read the suspicious spans in their sentence.

For each span whose best candidate passed the cheap scorer's floor, the few best originals and
the observed wording are each scored as the continuation of the same sentence prefix (one
SmolLM2 pass over the prefix, reused). ``neural`` = log P(original) − log P(observed), in nats;
``surprise`` = the observed words' mean log P per model token (a tortured phrase reads badly
whatever it replaced); its sum holds the prefix's last token too, which :meth:`CausalLM.continuations`
reads again with every option. Leaving that token out was measured on 2026-11-28 (the 19,755
candidates the weights' fit reads, 440 of them right): AUC 0.9638 -> 0.9645 and the same precision
at 0.5, 0.7 and 0.9, so the fitted feature stays as it is (:mod:`unspin.stages.pairs` leaves it out).
The final score combines both with the cheap score (weights in
``data/weights.json``). One-word candidates have their own, ``word_rerank``, which refine only the
probability that the word was swapped given a spun passage (``within``); it is then multiplied by
the passage's probability again, as in the word stage. ``word_order`` (same features, fitted on
"restores the word that was there") sets ``features["order"]``, which orders a one-word finding's
suggestions.
Skipped, leaving the cheap scores, when the model is not installed.
"""
from __future__ import annotations

import math
from collections import defaultdict

from unspin.config import Config
from unspin.doc import Candidate, Doc
from unspin.knowledge import Knowledge, neural
from unspin.stages.findings import render
from unspin.stages.scoring import sigmoid, weights

#: Characters of left context given to the model (at least; see :func:`_left_start`), and words of right context.
LEFT_CHARS = 300
RIGHT_WORDS = 4


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _context(doc: Doc, cand: Candidate) -> tuple[str, str, str]:
    """(prefix without trailing space, the space before the span, suffix after it); the prefix from
    ``doc.reading`` where the text is being read again."""
    return model_context(doc, cand.first, cand.last, reread=cand.kind == "word")


def model_context(doc: Doc, first: int, last: int, reread: bool = False) -> tuple[str, str, str]:
    """What the model reads around tokens ``first..last``: (prefix without trailing space, the space
    before the span, up to :data:`RIGHT_WORDS` words after it); with ``reread``, the prefix as
    ``doc.reading`` has it where the text is being read again."""
    start, end = doc.tokens[first].start, doc.tokens[last].end
    at = doc.reading.starts.get(first) if doc.reading is not None and reread else None
    if at is None:
        source, at = doc.text, start
    else:
        source = doc.reading.text  # the words before it as the re-reading has them
    left = source[_left_start(source, at) : at]
    cut = max(left.rfind("\n\n"), -1)
    left = left[cut + 1 :] if cut >= 0 else left
    prefix = left.rstrip()
    gap = " " if prefix and left != prefix else ""
    right_tokens = [t for t in doc.tokens[last + 1 :] if t.start < end + 80][: RIGHT_WORDS * 2]
    words, stop = 0, end
    for tok in right_tokens:
        stop = tok.end
        words += tok.is_word
        if words >= RIGHT_WORDS or tok.text in ".!?;":
            break
    return prefix, gap, doc.text[end:stop]


def _left_start(text: str, at: int) -> int:
    """Where the left context of a span starting at ``at`` begins: at least :data:`LEFT_CHARS` before it,
    snapped down to a multiple of :data:`LEFT_CHARS` and on to the next word, so that the spans of one
    stretch of text share their context's start and the model reads it once for all of them."""
    lo = max(0, at - LEFT_CHARS) // LEFT_CHARS * LEFT_CHARS
    if lo > 0 and not text[lo - 1].isspace():
        space = text.find(" ", lo, at)
        lo = space + 1 if space >= 0 else lo
    return lo


def add_neural(doc: Doc, config: Config) -> list[tuple[Candidate, list[Candidate]]]:
    """Set ``features["neural"]`` on the top candidates of each suspicious span.

    Returns ``(top candidates, the rest)`` for every span that was read, best first by cheap score.
    """
    lm = neural.get()
    if lm is None or not doc.candidates:
        return []
    by_span: dict[tuple[int, int], list[Candidate]] = defaultdict(list)
    for cand in doc.candidates:
        by_span[(cand.first, cand.last)].append(cand)
    read = []
    for (first, last), cands in sorted(by_span.items()):  # in text order: neighbours share their left context
        cands.sort(key=lambda c: -c.score)
        if cands[0].score < config.rerank_floor:
            continue
        top = cands[: config.rerank_top]
        prefix, gap, suffix = _context(doc, top[0])
        observed = doc.text[doc.tokens[first].start : doc.tokens[last].end]
        texts = [gap + observed + suffix] + [gap + render(doc, c) + suffix for c in top]
        scores = lm.continuations(prefix, texts, start=gap + observed)  # + the observed words alone, read off the first
        surprise = max(-15.0, scores[-1] / max(1, len(lm.tokenize(gap + observed))))
        for cand, lp in zip(top, scores[1:-1]):
            cand.features["neural"] = lp - scores[0]
            cand.features["surprise"] = surprise
        read.append((top, cands[config.rerank_top :]))
    return read


def rescore(cand: Candidate, w: dict[str, float]) -> float:
    """Final score of a candidate the model has read."""
    if "passage" in cand.features:
        return cand.features["passage"] * _rescore(cand, w, cand.features["within"])
    return _rescore(cand, w, cand.score)


def _rescore(cand: Candidate, w: dict[str, float], cheap: float) -> float:
    delta = max(-15.0, min(15.0, cand.features["neural"]))
    z = w["bias"] + w["cheap"] * _logit(cheap) + w["neural"] * delta + w.get("surprise", 0.0) * cand.features.get("surprise", 0.0)
    return sigmoid(z)


def rerank(doc: Doc, knowledge: Knowledge, config: Config) -> Doc:
    """Rescore the top candidates of suspicious spans with the neural language model."""
    w = weights().get("rerank")
    if not w:
        return doc
    w_word = weights().get("word_rerank", w)
    w_order = weights().get("word_order")
    for top, rest in add_neural(doc, config):
        for cand in top:
            delta = cand.features["neural"]
            if w_order and "within" in cand.features:
                cand.features["order"] = _rescore(cand, w_order, cand.features["within"])
            cand.score = rescore(cand, w_word if cand.kind == "word" else w)
            cand.evidence.append(f"SmolLM2 finds the original {delta:+.1f} nats more likely in its sentence")
        floor = min(c.score for c in top)
        for cand in rest:
            cand.score = min(cand.score, floor)
    return doc
