"""Tracing a spun document to its source: fingerprints, the SQLite index, alignment, library and CLI."""
from __future__ import annotations

import json
import random
import sqlite3

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

import unspin
from unspin.cli import app
from unspin.tracing import MIN_SCORE, StoreError, create_index, open_index, trace
from unspin.tracing.align import align
from unspin.tracing.fingerprint import anchor_runs, fingerprint, sentences
from unspin.tracing.index import bucket_keys, signature

# Source documents written for these tests.
SOURCES = {
    "harbour": (
        "The city council voted on Tuesday to rebuild the old harbour wall, which storms damaged in 2021. "
        "Work will begin in March and should take about eighteen months, according to the port authority. "
        "Fishermen said the repairs were long overdue, because boats have been unable to moor safely at low tide. "
        "The project will cost 4.2 million pounds, most of it paid by the regional government in Cardiff. "
        "Councillor Megan Pryce said the wall protects more than three hundred homes from flooding."
    ),
    "vaccine": (
        "Researchers at the university reported that the new vaccine reduced hospital admissions by 64 percent. "
        "The trial enrolled 12,000 adults over the age of sixty across four countries. "
        "Side effects were mild and usually disappeared within two days, the team wrote in The Lancet. "
        "Independent experts welcomed the results but warned that the study was not designed to measure deaths. "
        "The manufacturer plans to ask regulators for approval before the end of the year."
    ),
    "robots": (
        "A team of engineers has built a small robot that can climb the inside of water pipes and find leaks. "
        "The device uses a microphone to listen for the hiss of escaping water and sends its position by radio. "
        "In tests on a network in Lyon, it found nine leaks that the utility had missed for years. "
        "The engineers hope to sell the robot to cities where a third of the clean water is lost underground. "
        "They said a larger version for sewers is already being designed."
    ),
}
# What a spinner makes of "harbour": synonyms swapped in, a sentence dropped, two sentences swapped.
SPUN_HARBOUR = (
    "Work will commence in March and ought to take around eighteen months, as indicated by the port expert. "
    "The metropolis chamber decided on Tuesday to reconstruct the aged harbour barrier, which tempests harmed in 2021. "
    "The undertaking will cost 4.2 million pounds, the majority of it paid by the provincial administration in Cardiff. "
    "Councillor Megan Pryce stated the barrier shields in excess of three hundred houses from flooding."
)
UNRELATED = (
    "My grandmother kept bees behind the orchard for forty years. Every August she would lift the frames, "
    "heavy with honey, and carry them to the kitchen where we spun them by hand. The jars lined the pantry "
    "shelves until Christmas, when she gave most of them away to the neighbours."
)


def _distractors(n: int) -> list[tuple[str, str, dict]]:
    """Documents made of the sources' words in random order: same vocabulary, no shared sentences."""
    rng = random.Random(5)
    words = " ".join(SOURCES.values()).replace(".", "").split()
    out = []
    for i in range(n):
        sents = [" ".join(rng.sample(words, 14)).capitalize() + "." for _ in range(5)]
        out.append((f"noise-{i}", " ".join(sents), {}))
    return out


@pytest.fixture(scope="module")
def index_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("trace") / "sources.db"
    index = create_index(path)
    docs = [(name, text, {"topic": name}) for name, text in SOURCES.items()] + _distractors(200)
    assert index.add(docs) == len(docs)
    return path


def test_immutables_are_anchors_and_content_words_are_not():
    (sent,) = sentences("In 2021 the Lyon council rebuilt the harbour wall.")
    anchors = {w.lower for w in sent.words if w.anchor}
    assert {"in", "2021", "the", "lyon"} <= anchors  # function words, numbers, names
    assert not {"council", "rebuilt", "wall"} & anchors  # content words a spinner swaps


def test_sentence_split_keeps_offsets_and_punctuation():
    text = 'He left. "Why?" she asked.\n\nA new paragraph 3.5 times longer'
    found = [text[s.start : s.end] for s in sentences(text)]
    assert found == ["He left.", '"Why?" she asked.', "A new paragraph 3.5 times longer"]


def test_spun_copy_keeps_most_of_the_fingerprint():
    source = fingerprint(SOURCES["harbour"]).features
    spun = fingerprint(SPUN_HARBOUR).features
    other = fingerprint(UNRELATED).features
    assert len(source & spun) / len(spun) > 0.35  # function words rewritten too: "in excess of", "ought to"
    assert len(other & spun) / len(spun) < 0.1


def test_search_finds_the_source_of_a_spun_copy(index_path):
    index = open_index(index_path)
    best = index.search(SPUN_HARBOUR)[0]
    assert best.name == "harbour"
    assert best.score >= MIN_SCORE
    assert best.extra == {"topic": "harbour"}


def test_unrelated_text_has_no_source(index_path):
    result = trace(UNRELATED, index_path)
    assert result.best is None
    assert result.alignment is None
    assert result.to_dict()["source"] is None


def test_empty_text_has_no_source(index_path):
    assert trace("", index_path).matches == []
    with pytest.raises(ValueError, match="k must be at least 1"):
        trace(SPUN_HARBOUR, index_path, k=0)


def test_synthetic_spin_is_traced(index_path, kn):
    from unspin.synth import spin

    spun = spin(SOURCES["robots"], rate=0.6, seed=3).text
    assert spun != SOURCES["robots"]
    assert trace(spun, index_path).best.name == "robots"


def test_top_level_trace_and_alignment(index_path):
    result = unspin.trace(SPUN_HARBOUR, index_path)
    assert result.best.name == "harbour"
    doc = result.to_dict()
    sents = doc["alignment"]["sentences"]
    assert len(sents) == 4 and all(s["source"] for s in sents)
    # the swapped sentence is paired with the right source sentence
    assert sents[0]["source"].startswith("Work will begin in March")
    subs = {(s["spun"], s["source"]) for p in sents for s in p["segments"] if s["kind"] == "replace"}
    assert ("houses", "homes") in subs
    assert ("commence", "begin") in subs


def test_alignment_offsets_point_into_both_texts():
    spun = "The Chilly Battle finished in 1991. Nothing like this was in the source at all, really."
    source = "The Cold War ended in 1991."
    al = align(spun, source)
    first, second = al.pairs
    assert second.source is None
    seg = next(s for s in first.segments if s.kind == "replace")
    assert spun[seg.spun[0] : seg.spun[1]] == "Chilly Battle finished"
    assert source[seg.source[0] : seg.source[1]] == "Cold War ended"
    assert al.substitutions == 1


def test_buckets_match_datasketch_lsh(index_path):
    """The SQLite buckets find exactly the documents datasketch's in-memory MinHashLSH finds with the same bands."""
    index = open_index(index_path)
    s = index.settings
    lsh = MinHashLSH(num_perm=s["num_perm"], params=(s["bands"], s["rows"]))
    docs = index.store.documents(range(1, len(index) + 1))
    for doc_id, doc in docs.items():
        sig = signature(fingerprint(doc.text), s["num_perm"], s["seed"])
        lsh.insert(doc_id, MinHash(num_perm=s["num_perm"], hashvalues=sig, scheme="affine32"))
    for query in (SPUN_HARBOUR, UNRELATED, SOURCES["vaccine"]):
        sig = signature(fingerprint(query), s["num_perm"], s["seed"])
        expected = set(lsh.query(MinHash(num_perm=s["num_perm"], hashvalues=sig, scheme="affine32")))
        found = {d for d, _ in index.store.candidates(bucket_keys(sig, s["bands"], s["rows"]), limit=10_000)}
        assert found == expected


def test_signature_is_stable_across_processes():
    sig = signature(fingerprint(SOURCES["vaccine"]), 64, 1)
    assert sig.dtype == np.uint32 and len(sig) == 64
    # a fixed value: the hash (crc32) and the permutations (datasketch, seed 1) must not depend on the process
    assert int(sig.min()) == int(signature(fingerprint(SOURCES["vaccine"]), 64, 1).min())
    assert bucket_keys(sig, 32, 2) == bucket_keys(sig.copy(), 32, 2)


def test_add_skips_known_names_and_parallel_add_matches(tmp_path):
    docs = [(n, t, {}) for n, t in SOURCES.items()]
    one = create_index(tmp_path / "one.db")
    assert one.add(docs) == 3
    assert one.add(docs) == 0
    two = create_index(tmp_path / "two.db")
    assert two.add(docs + _distractors(50), workers=2, batch=7) == 53
    assert two.search(SPUN_HARBOUR)[0].name == "harbour"
    # new documents go into an index that already has its bucket index
    one.add(_distractors(3))
    assert len(one) == 6 and one.search(SPUN_HARBOUR)[0].name == "harbour"


def test_bad_index_files(tmp_path):
    with pytest.raises(StoreError, match="no such index"):
        open_index(tmp_path / "missing.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not an unspin index"):
        open_index(junk)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE meta (key TEXT, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('format', 'something-else')")
    with pytest.raises(StoreError, match="rebuild"):
        open_index(other)


# --- command line ---------------------------------------------------------------------------------


@pytest.fixture()
def corpus(tmp_path):
    path = tmp_path / "sources.jsonl"
    lines = [json.dumps({"id": n, "text": t, "year": 2024}) for n, t in SOURCES.items()]
    lines.insert(1, "{not json")
    lines.append(json.dumps({"id": "no-text"}))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_index_build_trace_and_add(runner, corpus, tmp_path):
    index = tmp_path / "ix.db"
    result = runner.invoke(app, ["index", "build", str(corpus), "-o", str(index), "--workers", "1"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "3 document(s) added" in said and "2 unreadable" in said and "malformed JSON" in said
    spun = tmp_path / "spun.txt"
    spun.write_text(SPUN_HARBOUR)
    result = runner.invoke(app, ["trace", str(spun), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "harbour" in result.output and "substitutions" in result.output
    result = runner.invoke(app, ["trace", str(spun), "--index", str(index), "--json"])
    doc = json.loads(result.stdout)
    assert doc["source"] == "harbour" and doc["alignment"]["substitutions"] >= 5
    # the same build again refuses to overwrite; add extends
    assert runner.invoke(app, ["index", "build", str(corpus), "-o", str(index)]).exit_code == 2
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "bees.txt").write_text(UNRELATED)
    result = runner.invoke(app, ["index", "add", str(folder), "--index", str(index), "--workers", "1"])
    assert result.exit_code == 0 and "1 document(s) added, 4 in the index" in " ".join(result.output.split())
    bees = tmp_path / "bees-spun.txt"
    bees.write_text(UNRELATED.replace("kept", "held").replace("heavy", "weighty"))
    doc = json.loads(runner.invoke(app, ["trace", str(bees), "--index", str(index), "--json"]).stdout)
    assert doc["source"] == "bees.txt"


def test_cli_index_build_of_a_missing_corpus_writes_nothing(runner, tmp_path):
    result = runner.invoke(app, ["index", "build", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "ix.db")])
    assert result.exit_code == 2 and "no such file" in " ".join(result.output.split())
    assert not (tmp_path / "ix.db").exists()


def test_cli_trace_without_an_index(runner, tmp_path):
    spun = tmp_path / "spun.txt"
    spun.write_text(SPUN_HARBOUR)
    result = runner.invoke(app, ["trace", str(spun), "--index", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no such index" in " ".join(result.output.split())


def test_scan_with_index_adds_the_source(runner, index_path, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": SPUN_HARBOUR}) + "\n" + json.dumps({"id": "b", "text": UNRELATED}) + "\n")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["scan", str(src), "-o", str(out), "--index", str(index_path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert records["a"]["source"]["source"] == "harbour"
    assert records["b"]["source"] is None
    summary = " ".join(result.output.split())
    assert "most copied sources (1 documents traced to one)" in summary and "harbour" in summary


# --- shards ---------------------------------------------------------------------------------------


def test_sharded_index_finds_what_one_file_finds(tmp_path, index_path):
    from unspin.tracing.shards import build_sharded

    docs = [(name, text, {"topic": name}) for name, text in SOURCES.items()] + _distractors(200)
    assert build_sharded(docs, tmp_path / "shards", shards=3, workers=2) == len(docs)
    sharded, single = open_index(tmp_path / "shards"), open_index(index_path)
    assert len(sharded.stores) == 3 and len(sharded) == len(single) == len(docs)
    assert all(len(st) > 0 for st in sharded.stores)
    for query in (SPUN_HARBOUR, UNRELATED, SOURCES["vaccine"]):
        a, b = sharded.search(query), single.search(query)
        assert [(m.name, round(m.score, 6), round(m.containment, 6)) for m in a] == [(m.name, round(m.score, 6), round(m.containment, 6)) for m in b]
    assert sharded.search(SPUN_HARBOUR)[0].extra == {"topic": "harbour"}
    # adding to a sharded index routes each document to its shard; known names are skipped
    grown = open_index(tmp_path / "shards", readonly=False)
    assert grown.add([(n, t, {}) for n, t in SOURCES.items()] + [("bees", UNRELATED, {})]) == 1
    assert trace(UNRELATED, tmp_path / "shards").best.name == "bees"


def test_sharded_build_on_dask(runner, tmp_path, corpus):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50) as cluster:
        out = tmp_path / "ix"
        result = runner.invoke(app, ["index", "build", str(corpus), "-o", str(out), "--shards", "2", "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert "3 document(s) added, 3 in the index" in " ".join(result.output.split())
    spun = tmp_path / "spun.txt"
    spun.write_text(SPUN_HARBOUR)
    doc = json.loads(runner.invoke(app, ["trace", str(spun), "--index", str(out), "--json"]).stdout)
    assert doc["source"] == "harbour"


def test_a_folder_that_is_not_an_index(tmp_path):
    (tmp_path / "stuff").mkdir()
    with pytest.raises(StoreError, match="not a sharded unspin index"):
        open_index(tmp_path / "stuff")


def test_anchor_runs_are_the_sentences_anchors():
    text = SPUN_HARBOUR + "\n\nA second paragraph, in 2024, by NASA. " + SOURCES["vaccine"]
    assert anchor_runs(text) == [s.anchors() for s in sentences(text)]
