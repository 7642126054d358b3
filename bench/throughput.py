"""Throughput of ``unspin scan`` against two dictionary-scan references, on the same text in the same run.

    .venv/bin/python bench/throughput.py [--words 6000] [--json] [--profile]

Measured, each on the same documents:

* the full pipeline (``unspin.scan``'s batch function) on a local pool of 1 and of 2 workers, and on
  a Dask ``LocalCluster`` of 2 single-threaded worker processes; start-up (loading the knowledge
  and the reranker in each worker) is done before the clock starts;
* ``baseline``: a list-based checker that loops one compiled regex per phrase over 5,000 phrases;
* ``ahocorasick``: one bare pyahocorasick pass over the same 5,000 phrases (the floor of any
  dictionary scan).

The phrases are 5,000 frequent English two-word expressions from symspellpy's bigram list. The text
is the team's clean news and science in ``../shared/data/clean`` when present, otherwise generated
from frequent English words. ``--profile`` adds a cProfile of the pipeline in this process.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLEAN = ROOT.parent / "shared" / "data" / "clean"
N_PHRASES = 5000


def load_documents(words: int, seed: int = 7) -> tuple[list[str], str]:
    """Documents of about ``words`` words in all, and where they came from."""
    texts: list[str] = []
    if CLEAN.is_dir():
        for path in sorted(CLEAN.glob("*.jsonl")):
            with open(path, encoding="utf-8") as fh:
                texts += [json.loads(line)["text"] for line in fh if line.strip()]
        origin = f"{CLEAN} ({len(texts)} documents)"
    else:
        from wordfreq import top_n_list

        vocab = top_n_list("en", 3000)
        rng = random.Random(seed)
        for _ in range(400):
            sentences = [" ".join(rng.choices(vocab, k=rng.randint(8, 20))).capitalize() + "." for _ in range(rng.randint(5, 15))]
            texts.append(" ".join(sentences))
        origin = "generated from the 3,000 most frequent English words (../shared/data/clean is absent)"
    rng = random.Random(seed)
    rng.shuffle(texts)
    docs, total = [], 0
    for text in texts:  # cut documents at ~600 words: many mid-sized documents, as in a crawl
        parts = text.split()
        for i in range(0, len(parts), 600):
            chunk = " ".join(parts[i : i + 600])
            docs.append(chunk)
            total += len(chunk.split())
            if total >= words:
                return docs, origin
    return docs, origin


def load_phrases(n: int = N_PHRASES) -> list[str]:
    """``n`` frequent two-word English expressions (symspellpy's Google-derived bigram list, past the 1,000 commonest)."""
    ref = resources.files("symspellpy") / "frequency_bigramdictionary_en_243_342.txt"
    rows = []
    for line in ref.read_text(encoding="utf-8").splitlines():
        a, b, count = line.split()
        if a.isalpha() and b.isalpha():
            rows.append((int(count), f"{a} {b}"))
    rows.sort(reverse=True)
    return [p for _, p in rows[1000 : 1000 + n]]


def n_words(docs: list[str]) -> int:
    return sum(len(d.split()) for d in docs)


def bench_regex(docs: list[str], phrases: list[str]) -> tuple[float, int]:
    """The list-based checker: one compiled regex per phrase, each run over every document."""
    patterns = [re.compile(r"\b" + re.escape(p) + r"\b", re.IGNORECASE) for p in phrases]
    start, hits = time.perf_counter(), 0
    for doc in docs:
        for pat in patterns:
            hits += sum(1 for _ in pat.finditer(doc))
    return time.perf_counter() - start, hits


def bench_ahocorasick(docs: list[str], phrases: list[str]) -> tuple[float, int]:
    """One Aho-Corasick pass per document over the same phrases, with word-boundary checks."""
    import ahocorasick

    auto = ahocorasick.Automaton()
    for p in phrases:
        auto.add_word(p, len(p))
    auto.make_automaton()
    start, hits = time.perf_counter(), 0
    for doc in docs:
        text = doc.lower()
        end_of = len(text) - 1
        for end, length in auto.iter(text):
            begin = end - length + 1
            if (begin == 0 or not text[begin - 1].isalnum()) and (end == end_of or not text[end + 1].isalnum()):
                hits += 1
    return time.perf_counter() - start, hits


def children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's live child processes (the workers)."""
    import psutil

    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            t = child.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def children_pss_mb() -> float:
    """Proportional set size of this process's children in MB: shared pages counted once, split among sharers."""
    import psutil

    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            total += child.memory_full_info().pss / 2**20
        except (psutil.Error, AttributeError):
            pass
    return total


def bench_engine(engine: Any, docs: list[str], batch_docs: int = 2) -> tuple[float, int, float, float, float]:
    """Seconds, words, the workers' peak RSS (MB), their CPU seconds and their PSS in all (MB), for the full pipeline on ``engine``."""
    from unspin.config import Config
    from unspin.scan.documents import Document
    from unspin.scan.process import process_batch
    from unspin.scan.run import crashed_record

    documents = [Document({"line": i}, "text", text.encode("utf-8"), i, size=len(text)) for i, text in enumerate(docs, 1)]
    batches = [documents[i : i + batch_docs] for i in range(0, len(documents), batch_docs)]
    warm = [[Document({"line": 0}, "text", b"The Chilly Battle ended.", 0)] for _ in range(2 * engine.workers)]
    list(engine.map(process_batch, warm, Config(), crashed_record, ordered=False))
    start, cpu, words = time.perf_counter(), children_cpu_seconds(), 0
    for _, records in engine.map(process_batch, batches, Config(), crashed_record, ordered=False):
        words += sum(r.get("n_words", 0) for r in records)
    secs, cpu = time.perf_counter() - start, children_cpu_seconds() - cpu
    return secs, words, engine.peak_rss_mb, cpu, children_pss_mb()


def profile_pipeline(docs: list[str], top: int = 25) -> str:
    """cProfile of unspin.check over ``docs`` in this process: the functions that take the time."""
    import unspin
    from unspin import knowledge
    from unspin.knowledge import neural

    knowledge.get()
    neural.get()
    unspin.check("The Chilly Battle ended.")
    prof = cProfile.Profile()
    prof.enable()
    for doc in docs:
        unspin.check(doc)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=6000, help="words of text for the pipeline runs (default 6000: a few minutes in all)")
    ap.add_argument("--json", action="store_true", help="print one JSON line of results")
    ap.add_argument("--profile", action="store_true", help="also profile the pipeline in this process (cProfile)")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask run")
    a = ap.parse_args(argv)
    log = (lambda *m: print(*m, file=sys.stderr)) if a.json else print

    docs, origin = load_documents(a.words)
    phrases = load_phrases()
    words = n_words(docs)
    log(f"text: {len(docs)} documents, {words:,} words, from {origin}; {len(phrases):,} phrases")

    secs, hits = bench_regex(docs, phrases)
    baseline = words / secs
    log(f"baseline (regex per phrase): {baseline:,.0f} words/s ({hits} matches)")
    secs, hits_ac = bench_ahocorasick(docs, phrases)
    aho = words / secs
    log(f"bare Aho-Corasick:           {aho:,.0f} words/s ({hits_ac} matches)")

    from unspin.scan.engines import DaskEngine, LocalEngine

    results: dict[str, Any] = {}
    rss = 0.0

    def record(name: str, label: str, n: int, secs: float, w: int, peak: float, cpu: float, pss: float) -> None:
        nonlocal rss
        results[f"words_per_s_{name}"] = round(w / secs, 1)
        results[f"pss_mb_per_worker_{name}"] = round(pss / n, 1)  # the local pool's fork server included
        results[f"words_per_cpu_s_{name}"] = round(w / cpu, 1) if cpu > 0 else None
        results[f"cpu_share_{name}"] = round(cpu / (secs * n), 3)  # below 1: the workers waited for a core
        rss = max(rss, peak)
        log(f"pipeline, {label}: {w / secs:,.1f} words/s ({secs:.1f} s; {w / max(cpu, 1e-9):,.1f} words per worker CPU-second; "
            f"workers had {cpu / (secs * n):.0%} of {n} core(s); peak RSS per worker {peak:,.0f} MB, PSS {pss / n:,.0f} MB)")

    results["load_average_at_start"] = round(os.getloadavg()[0], 2)
    for n in (1, 2):
        with LocalEngine(n) as engine:
            record(f"{n}worker{'s' if n > 1 else ''}", f"{n} worker(s)      ", n, *bench_engine(engine, docs))
    if not a.no_dask:
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50) as cluster, Client(cluster) as client:
            with DaskEngine(client) as engine:
                record("dask", "Dask (2 workers) ", 2, *bench_engine(engine, docs))
    else:
        results["words_per_s_dask"] = None
    one = results["words_per_s_1worker"]
    results.update({
        "baseline_words_per_s": round(baseline, 1),
        "ahocorasick_words_per_s": round(aho, 1),
        "peak_rss_mb_per_worker": round(rss, 1),
        "ratio_1worker_to_baseline": round(one / baseline, 4),
        "ratio_1worker_to_ahocorasick": round(one / aho, 6),
        "speedup_2workers": round(results["words_per_s_2workers"] / one, 3),
        "words": words,
        "documents": len(docs),
        "text": origin,
    })
    log(f"ratios: 1 worker / regex baseline = {results['ratio_1worker_to_baseline']:.3f}x; "
        f"1 worker / Aho-Corasick = {results['ratio_1worker_to_ahocorasick']:.6f}x; 2 workers / 1 = {results['speedup_2workers']:.2f}x")
    if a.profile:
        log(profile_pipeline(docs[: max(1, len(docs) // 3)]))
    if a.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
