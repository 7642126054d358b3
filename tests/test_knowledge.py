"""The compiled knowledge artefact and the Knowledge look-ups built on it."""
from __future__ import annotations

import json
import shutil

import pytest

from unspin import knowledge
from unspin.knowledge import artefact


@pytest.fixture(scope="module")
def artefact_path(kn):
    return artefact.default_path()


def test_manifest(kn, artefact_path):
    manifest = artefact.read_manifest(artefact_path)
    assert manifest["format"] == artefact.FORMAT_VERSION
    assert isinstance(manifest["sha256"], str) and len(manifest["sha256"]) == 64
    int(manifest["sha256"], 16)
    assert manifest["bytes"] > 0
    sources = manifest["sources"]
    assert {"moby", "mythes", "wordnet", "symspellpy"} <= set(sources), sources
    assert all(isinstance(licence, str) and licence for licence in sources.values())
    assert "public domain" in sources["moby"].lower()
    assert set(manifest["counts"]) >= {"originals", "phrases", "zipf"}
    assert kn.manifest == manifest, "the loaded knowledge carries the manifest of the file"


def test_default_path_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("UNSPIN_KNOWLEDGE", str(tmp_path / "k.pkl"))
    assert artefact.default_path() == tmp_path / "k.pkl"
    monkeypatch.delenv("UNSPIN_KNOWLEDGE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert artefact.default_path() == tmp_path / "unspin" / f"knowledge-v{artefact.FORMAT_VERSION}.pkl"


@pytest.fixture(scope="module")
def artefact_copy(artefact_path, tmp_path_factory):
    """A private copy of the artefact (about 130 MB), removed afterwards (pytest keeps tmp dirs)."""
    target = tmp_path_factory.mktemp("knowledge") / "copy.pkl"
    shutil.copyfile(artefact_path, target)
    yield target
    target.unlink(missing_ok=True)


@pytest.fixture()
def scratch(tmp_path):
    """A path for a large damaged file, removed after the test."""
    path = tmp_path / "damaged.pkl"
    yield path
    path.unlink(missing_ok=True)


def test_corrupted_copy_is_refused(artefact_copy, scratch):
    damaged = scratch
    shutil.copyfile(artefact_copy, damaged)
    with open(damaged, "r+b") as fh:
        header = len(fh.readline())
        size = fh.seek(0, 2)
        middle = header + (size - header) // 2
        fh.seek(middle)
        byte = fh.read(1)
        fh.seek(middle)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(artefact.ArtefactError, match="damaged"):
        artefact.read(damaged)
    # and the loader will not hand it out either (build_if_missing=False: no rebuild here)
    with pytest.raises(artefact.ArtefactError):
        knowledge.get(damaged, build_if_missing=False)


def test_truncated_copy_is_refused(artefact_copy, scratch):
    truncated = scratch
    with open(artefact_copy, "rb") as src, open(truncated, "wb") as dst:
        dst.write(src.read(10_000_000))
    with pytest.raises(artefact.ArtefactError, match="damaged"):
        artefact.read(truncated)


def test_other_format_version_is_refused(artefact_copy, scratch):
    old = scratch
    with open(artefact_copy, "rb") as src:
        manifest = json.loads(src.readline())
        blob = src.read()
    manifest["format"] = artefact.FORMAT_VERSION - 1
    old.write_bytes(json.dumps(manifest).encode() + b"\n" + blob)
    with pytest.raises(artefact.ArtefactError, match="format"):
        artefact.read(old)


@pytest.mark.parametrize("content", [None, b"", b"not json\n", b"\x00\x01\x02"])
def test_missing_or_garbage_file_is_refused(tmp_path, content):
    path = tmp_path / "k.pkl"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(artefact.ArtefactError):
        artefact.read(path)
    with pytest.raises(artefact.ArtefactError):
        artefact.read_manifest(path)


def test_write_read_round_trip(tmp_path):
    payload = {"originals": {"woodland": "forest\t1"}, "numbers": list(range(10))}
    manifest = artefact.write(tmp_path / "sub" / "k.pkl", payload, {"sources": {"test": "none"}})
    assert manifest["format"] == artefact.FORMAT_VERSION and manifest["sources"] == {"test": "none"}
    got, got_manifest = artefact.read(tmp_path / "sub" / "k.pkl")
    assert got == payload and got_manifest == manifest
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["k.pkl"], "no temporary files left behind"


# --- look-ups ----------------------------------------------------------------------------------------


def test_links_woodland_include_forest(kn):
    links = kn.links("woodland")
    originals = [link.original for link in links]
    assert "forest" in originals
    forest = links[originals.index("forest")]
    assert forest.forward or forest.reverse
    assert 0.0 < forest.strength <= 1.0
    assert forest.sources() and set(forest.sources()) <= set(knowledge.EDGE_NAMES.values())


def test_links_of_spun_words(kn):
    assert "cold" in [link.original for link in kn.links("chilly")]
    assert "raw" in [link.original for link in kn.links("crude")]
    assert kn.links("qwxzvbnm") == ()


def test_phrase_bits(kn):
    assert kn.phrase_bits("cold war") > 0
    assert kn.phrase_bits("random forest") > 0
    assert kn.phrase_bits("middle east") > 0
    assert kn.phrase_bits("chilly battle") == 0
    assert kn.phrase_bits("irregular woodland") == 0


def test_zipf(kn):
    assert kn.zipf("the") > 6.5
    assert 2.0 < kn.zipf("woodland") < kn.zipf("forest")
    assert kn.zipf("qwxzvbnm") == 0.0


def test_knowledge_is_loaded_once(kn):
    assert knowledge.get() is kn


def test_edge_lookups_agree_with_the_links(kn):
    """The compact row behind links(): one edge looked up, entry sizes and neighbours say what the Links say."""
    from unspin.knowledge import EDGE_NAMES

    for word in ("woodland", "crude", "information"):
        links = kn.links(word)
        assert links and kn.has_links(word)
        for link in links:
            assert kn.link(word, link.original) == link
        assert kn.neighbours(word) == frozenset(link.original for link in links)
        for source in EDGE_NAMES:
            assert kn.entry_size(word, source) == sum(1 for link in links if link.reverse & source)
    assert kn.link("woodland", "no such original") is None
    assert kn.links("qqxzv") == () and not kn.has_links("qqxzv") and kn.link("qqxzv", "forest") is None


def test_memo_is_kept_per_name_and_bounded(kn):
    calls: list[int] = []
    square = kn.memo("test.square", lambda x: calls.append(x) or x * x, 2)
    assert kn.memo("test.square", lambda x: -1, 2) is square, "the first cache made under a name is kept"
    assert [square(2), square(2), square(3)] == [4, 4, 9] and calls == [2, 3]
    square(4)  # a third value pushes out the least recently used (2)
    square(2)
    assert calls == [2, 3, 4, 2]
