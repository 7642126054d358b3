"""How often does `unspin trace` find the source of a spun document, and how often does it invent one?

    python eval/trace_eval.py [--split test] [--distractors 20000] [--json]

Sources: the clean news and science documents in ../shared/data/clean. Two thirds of them (by a
hash of the id) go into a fresh index together with ``--distractors`` generated documents
(eval/corpus.py) and collages of sentences cut from the indexed sources (hard negatives: they
share whole sentences with the true source). Queries: every indexed document of the split, spun
by ``unspin.synth`` at 10/25/40/60 % substitution, then with sentences deleted (15 %) and
neighbouring sentences swapped. The other third, spun the same way at each rate, are queries whose
source is not in the index: any match reported for them is a false match. A query counts as found only when its
true source comes first *and* passes the match threshold.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

from unspin.synth import spin  # noqa: E402
from unspin.tracing import create_index  # noqa: E402
from unspin.tracing.index import MIN_SCORE  # noqa: E402

CLEAN = Path(__file__).resolve().parents[2] / "shared" / "data" / "clean"
RATES = (0.10, 0.25, 0.40, 0.60)
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"(])")


def load(clean: Path) -> list[dict]:
    docs = []
    for name in ("news.jsonl", "science.jsonl"):
        with open(clean / name, encoding="utf-8") as fh:
            docs.extend(json.loads(line) for line in fh if line.strip())
    return docs


def indexed(doc_id: str) -> bool:
    """Two thirds of the documents go into the index, chosen by a hash of the id."""
    return int(hashlib.sha1(doc_id.encode()).hexdigest()[-4:], 16) % 3 != 0


def shuffle_and_cut(text: str, rng: random.Random, drop: float = 0.15) -> str:
    """Delete about ``drop`` of the sentences and swap a few neighbouring ones."""
    sentences = [s for s in _SPLIT.split(text) if rng.random() >= drop] or _SPLIT.split(text)[:1]
    for _ in range(max(1, len(sentences) // 8)):
        if len(sentences) > 2:
            i = rng.randrange(len(sentences) - 1)
            sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
    return " ".join(sentences)


def function_word_noise(text: str, rng: random.Random, rate: float) -> str:
    """Replace about ``rate`` of the function words by other function words (*more than* → *over than*).

    The synthetic spinner leaves function words alone; real spinners and paraphrasers do not.
    """
    if rate <= 0:
        return text
    pool = sorted(w for w in ("the", "a", "of", "to", "in", "for", "on", "with", "by", "from", "as", "at", "that", "this", "which", "and", "or", "but", "its", "their", "an", "is", "was", "are", "were", "be", "has", "have", "it", "not"))
    words = set(pool)
    return re.sub(r"\b[a-z]+\b", lambda m: rng.choice(pool) if m.group() in words and rng.random() < rate else m.group(), text)


def collages(sources: list[dict], n: int, rng: random.Random) -> list[str]:
    """``n`` documents made of 6–14 sentences cut from random indexed sources."""
    pool = [s for d in sources for s in _SPLIT.split(d["text"]) if len(s.split()) > 5]
    return [" ".join(rng.sample(pool, rng.randint(6, 14))) for _ in range(n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev", help="which documents are queries")
    parser.add_argument("--distractors", type=int, default=20000, help="generated documents added to the index")
    parser.add_argument("--collages", type=int, default=2000, help="collages of source sentences added to the index")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fw-noise", type=float, default=0.0, help="also replace this share of function words in queries (harsher than the spinner)")
    parser.add_argument("--errors", type=int, default=5, help="print this many misses")
    parser.add_argument("--json", action="store_true", help="print one JSON line of figures")
    args = parser.parse_args()
    if not CLEAN.exists():
        print(f"trace_eval: {CLEAN} not found; nothing to measure", file=sys.stderr)
        return 0
    docs = load(CLEAN)
    sources = [d for d in docs if indexed(d["id"])]
    outside = [d for d in docs if not indexed(d["id"])]
    pick = (lambda d: True) if args.split == "all" else (lambda d: d["split"] == args.split)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        index = create_index(Path(tmp) / "eval.db")
        t0 = time.perf_counter()
        rows = [(d["id"], d["text"], {}) for d in sources]
        rows += [(f"collage:{i}", t, {}) for i, t in enumerate(collages(sources, args.collages, rng))]
        rows += [(f"gen:{i}", t, {}) for i, t in enumerate(corpus.documents(args.distractors, seed=11))]
        index.add(rows, workers=args.workers)
        build = time.perf_counter() - t0
        figures: dict[str, float] = {}
        misses: list[str] = []
        queries = [d for d in sources if pick(d)]
        latencies: list[float] = []
        for rate in RATES:
            top1 = top5 = 0
            for i, d in enumerate(queries):
                spun = shuffle_and_cut(spin(d["text"], rate=rate, seed=i).text, random.Random(i))
                spun = function_word_noise(spun, random.Random(i), args.fw_noise)
                t = time.perf_counter()
                found = index.search(spun, k=5)
                latencies.append(time.perf_counter() - t)
                names = [m.name for m in found if m.score >= MIN_SCORE]
                top1 += bool(names) and names[0] == d["id"]
                top5 += d["id"] in names
                if (not names or names[0] != d["id"]) and len(misses) < args.errors:
                    misses.append(f"{rate:.0%} {d['id']}: got {[(m.name, round(m.score, 3)) for m in found[:3]]}")
            figures[f"top1_at_{round(rate * 100)}"] = top1 / len(queries)
            figures[f"top5_at_{round(rate * 100)}"] = top5 / len(queries)
        strays = [d for d in outside if pick(d)]
        false = 0
        for rate in RATES:
            for i, d in enumerate(strays):
                spun = shuffle_and_cut(spin(d["text"], rate=rate, seed=i).text, random.Random(i))
                spun = function_word_noise(spun, random.Random(i), args.fw_noise)
                found = index.search(spun, k=1)
                if found and found[0].score >= MIN_SCORE:
                    false += 1
                    if len(misses) < 2 * args.errors:
                        misses.append(f"false match {d['id']} -> {found[0].name} {found[0].score:.3f}")
        figures["false_match_rate"] = false / (len(strays) * len(RATES)) if strays else 0.0
    latencies.sort()
    if args.json:
        print(json.dumps({k: round(v, 4) for k, v in figures.items()}))
        return 0
    print(f"index: {len(sources)} sources + {args.collages} collages + {args.distractors} generated documents, built in {build:.1f} s")
    print(f"queries: {len(queries)} spun copies per rate ({args.split}); {len(strays)} documents with no source in the index, spun at each rate")
    for rate in RATES:
        r = round(rate * 100)
        print(f"  {r:>2} % substitution: top-1 {figures[f'top1_at_{r}']:.3f}  top-5 {figures[f'top5_at_{r}']:.3f}")
    print(f"  false-match rate: {figures['false_match_rate']:.3f}  (threshold {MIN_SCORE})")
    print(f"  query latency: p50 {1000 * latencies[len(latencies) // 2]:.1f} ms, p95 {1000 * latencies[int(0.95 * len(latencies))]:.1f} ms")
    for line in misses:
        print("  miss:", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
