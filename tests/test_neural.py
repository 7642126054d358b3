"""The language model's 8-bit copy: made once from the shipped file, reading the text as that file does."""
from __future__ import annotations

import pytest

from unspin.knowledge import artefact, neural

pytestmark = pytest.mark.skipif(not neural.available(), reason="the neural model is not installed")


def _cache_in(monkeypatch, folder) -> None:
    monkeypatch.setattr(artefact, "default_path", lambda: folder / "knowledge.pkl")


def test_the_copy_is_made_once_into_the_cache_and_reused(tmp_path, monkeypatch):
    _cache_in(monkeypatch, tmp_path)
    path = neural.runtime_path()
    assert path is not None and path.parent == tmp_path and path != neural.model_path()
    assert path.suffix == ".gguf" and path.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind
    made = path.stat().st_mtime_ns
    assert neural.runtime_path() == path and path.stat().st_mtime_ns == made  # reused, not converted again


def test_the_copy_reads_like_the_shipped_model(tmp_path, monkeypatch):
    _cache_in(monkeypatch, tmp_path)
    text = "During the Cold War, the two powers built up their arsenals."
    options = [" Cold War", " Chilly Battle"]
    shipped = neural.CausalLM(neural.model_path()).continuations("During the", options)
    copy_lm = neural.CausalLM(neural.runtime_path())
    copy = copy_lm.continuations("During the", options)
    # nats, summed over each option's tokens: the same model, its weights rounded again
    assert all(abs(a - b) < 1.0 for a, b in zip(shipped, copy))
    assert copy[0] > copy[1] + 5  # and it still reads the original far better than the spin
    at = text.index("Cold")
    ((obs, alts),) = copy_lm.next_word_logprobs(text, [(at, ["Chilly", "Hot"])])
    assert obs > max(alts)


def test_without_a_writable_cache_the_shipped_file_is_read(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    _cache_in(monkeypatch, blocker)
    assert neural.runtime_path() == neural.model_path()


def _disk_full(*args):
    raise OSError("No space left on device")


@pytest.mark.parametrize("quantize", [lambda *args: 1, _disk_full], ids=["llama.cpp reports a failure", "writing fails"])
def test_a_failed_conversion_leaves_no_file_behind(tmp_path, monkeypatch, quantize):
    import llama_cpp

    _cache_in(monkeypatch, tmp_path)
    monkeypatch.setattr(llama_cpp, "llama_model_quantize", quantize)
    assert neural.runtime_path() == neural.model_path()
    assert list(tmp_path.iterdir()) == []
