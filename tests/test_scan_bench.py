"""The throughput benchmark's two dictionary-scan references agree with each other and count right."""
from __future__ import annotations

import importlib.util

from conftest import ROOT

spec = importlib.util.spec_from_file_location("throughput", ROOT / "bench" / "throughput.py")
throughput = importlib.util.module_from_spec(spec)
spec.loader.exec_module(throughput)


def test_references_count_the_same_whole_word_matches():
    phrases = ["cold war", "raw data", "new york"]
    docs = ["The Cold War and raw data; the coldwar is not one.", "New York, new york! Raw database is not raw data.", ""]
    secs_re, hits_re = throughput.bench_regex(docs, phrases)
    secs_ac, hits_ac = throughput.bench_ahocorasick(docs, phrases)
    assert hits_re == hits_ac == 5
    assert secs_re >= 0 and secs_ac >= 0


def test_phrases_and_documents():
    phrases = throughput.load_phrases()
    assert len(phrases) == throughput.N_PHRASES == len(set(phrases))
    assert all(len(p.split()) == 2 for p in phrases)
    docs, origin = throughput.load_documents(1500)
    assert 1500 <= throughput.n_words(docs) < 1500 + 600 and origin
    assert all(len(d.split()) <= 600 for d in docs)
