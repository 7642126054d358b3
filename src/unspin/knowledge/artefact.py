"""The compiled knowledge file: a versioned, checksummed pickle with a JSON manifest.

Layout: one line of JSON (the manifest: format version, sources, licences, counts, sha256 of
the payload), then the pickled payload. :func:`read` refuses a file whose checksum or format
version does not match, so a stale or damaged artefact is rebuilt rather than trusted.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

#: Bump when the payload's structure changes; old artefacts are then rebuilt.
FORMAT_VERSION = 3


class ArtefactError(RuntimeError):
    """The knowledge file is missing, damaged or of another format version."""


def default_path() -> Path:
    """Where the compiled knowledge lives: ``$UNSPIN_KNOWLEDGE`` or the user's cache folder."""
    env = os.environ.get("UNSPIN_KNOWLEDGE")
    if env:
        return Path(env)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "unspin" / f"knowledge-v{FORMAT_VERSION}.pkl"


def write(path: Path, payload: dict[str, Any], manifest: dict[str, Any]) -> dict[str, Any]:
    """Write ``payload`` atomically to ``path`` under a manifest; return the manifest written."""
    blob = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    manifest = {**manifest, "format": FORMAT_VERSION, "sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob)}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".knowledge-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(json.dumps(manifest).encode() + b"\n")
        fh.write(blob)
    os.replace(tmp, path)
    return manifest


def read_manifest(path: Path) -> dict[str, Any]:
    """Return the manifest of the artefact at ``path`` without loading the payload."""
    try:
        with open(path, "rb") as fh:
            return json.loads(fh.readline())
    except (OSError, ValueError) as exc:
        raise ArtefactError(f"cannot read knowledge manifest at {path}: {exc}") from exc


def read(path: Path, verify: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
    """Load ``(payload, manifest)`` from ``path``, checking format version and checksum."""
    try:
        with open(path, "rb") as fh:
            manifest = json.loads(fh.readline())
            blob = fh.read()
    except (OSError, ValueError) as exc:
        raise ArtefactError(f"cannot read knowledge at {path}: {exc}") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise ArtefactError(f"knowledge at {path} has format {manifest.get('format')}, expected {FORMAT_VERSION}")
    if verify and hashlib.sha256(blob).hexdigest() != manifest.get("sha256"):
        raise ArtefactError(f"knowledge at {path} is damaged (checksum mismatch)")
    return pickle.loads(blob), manifest
