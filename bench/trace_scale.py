"""How a trace index scales: build speed, query latency and size on disk at 10 k, 100 k and 1 M documents.

    python bench/trace_scale.py [--sizes 10000,100000,1000000] [--workers 2] [--queries 300] [--json]

Documents are generated (eval/corpus.py: a Markov chain over WordNet glosses, ~190 words each),
built into a fresh SQLite index with ``--workers`` fingerprinting processes, then queried with
copies of indexed documents whose content words were replaced at 40 % (random words: harsher on
the fingerprint than a thesaurus, which keeps rare terms) and a neighbouring sentence pair
swapped, and with documents that are not in the index. Printed per size: build docs/s (and the
single-process figure at 10 k documents as the baseline), query p50/p95 latency, index size,
top-1 accuracy of the copies and the share of outsiders given a source.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "eval"))

import corpus  # noqa: E402

from unspin.tracing import create_index  # noqa: E402
from unspin.tracing.fingerprint import is_anchor  # noqa: E402
from unspin.tracing.index import MIN_SCORE  # noqa: E402

_WORD = re.compile(r"[A-Za-z]+")


def mangle(text: str, rng: random.Random, vocab: list[str], rate: float = 0.4) -> str:
    """Replace about ``rate`` of the content words by random words and swap two neighbouring sentences."""
    def swap(m: re.Match[str]) -> str:
        w = m.group()
        return w if is_anchor(w, False) or rng.random() >= rate else rng.choice(vocab)

    sentences = re.split(r"(?<=\.)\s+", _WORD.sub(swap, text))
    if len(sentences) > 2:
        i = rng.randrange(len(sentences) - 1)
        sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
    return " ".join(sentences)


def run(size: int, workers: int, n_queries: int, tmp: Path) -> dict[str, float]:
    docs = list(corpus.documents(size, seed=size))
    path = tmp / f"index-{size}.db"
    index = create_index(path)
    t = time.perf_counter()
    index.add(((f"doc-{i}", text, {}) for i, text in enumerate(docs)), workers=workers, batch=1000)
    build = time.perf_counter() - t
    vocab = [w for w in corpus.chain()[0] if w.isalpha() and w.islower()]
    rng = random.Random(size)
    picks = rng.sample(range(size), min(n_queries, size))
    latencies, hits = [], 0
    for i in picks:
        query = mangle(docs[i], rng, vocab)
        t = time.perf_counter()
        found = index.search(query, k=5)
        latencies.append(time.perf_counter() - t)
        hits += bool(found) and found[0].name == f"doc-{i}" and found[0].score >= MIN_SCORE
    outsiders = list(corpus.documents(n_queries // 3, seed=size + 1_000_003))
    false = 0
    for text in outsiders:
        t = time.perf_counter()
        found = index.search(text, k=5)
        latencies.append(time.perf_counter() - t)
        false += bool(found) and found[0].score >= MIN_SCORE
    latencies.sort()
    size_mb = sum(p.stat().st_size for p in tmp.glob(f"index-{size}.db*")) / 1e6
    index.close()
    for p in tmp.glob(f"index-{size}.db*"):
        p.unlink()
    return {
        "docs": size,
        "build_docs_per_s": size / build,
        "query_p50_ms": 1000 * latencies[len(latencies) // 2],
        "query_p95_ms": 1000 * latencies[int(0.95 * len(latencies))],
        "index_mb": size_mb,
        "top1": hits / len(picks),
        "false_match_rate": false / len(outsiders) if outsiders else 0.0,
        "mean_words": statistics.mean(len(d.split()) for d in docs[:1000]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print one JSON line per size")
    parser.add_argument("--dir", default=None, help="where to build the indexes (default: a temporary folder)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        baseline = None
        if not args.json:
            small = min(10_000, *sizes)
            baseline = run(small, 1, 30, Path(tmp))["build_docs_per_s"]
            print(f"baseline: 1 process builds {baseline:,.0f} docs/s at {small:,} documents")
        for size in sizes:
            r = run(size, args.workers, args.queries, Path(tmp))
            if args.json:
                print(json.dumps({k: round(v, 3) for k, v in r.items()}))
                continue
            ratio = f" ({r['build_docs_per_s'] / baseline:.2f}× one process)" if baseline else ""
            print(
                f"{size:>9,} docs: build {r['build_docs_per_s']:,.0f} docs/s with {args.workers} workers{ratio}; "
                f"query p50 {r['query_p50_ms']:.1f} ms, p95 {r['query_p95_ms']:.1f} ms; index {r['index_mb']:,.0f} MB; "
                f"top-1 {r['top1']:.3f}, false matches {r['false_match_rate']:.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
