#!/usr/bin/env bash
# Install the OGC API - Processes servers the interop tests run against, each in its own
# virtual environment inside the repository (both are gitignored):
#   .venv-pygeoapi/  pygeoapi (needs Python >= 3.12), its demo process hello-world
#   .venv-wraptile/  wraptile (eozilla's server; its gavicore must not meet ours)
# Usage: scripts/setup-interop.sh [pygeoapi|wraptile|all]   (default: all)
# PYTHON312 picks the interpreter for pygeoapi (default: python3.12, else pyenv's).
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"

find_python312() {
  if [ -n "${PYTHON312:-}" ]; then echo "$PYTHON312"; return; fi
  for candidate in python3.13 python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3 \
      "$HOME"/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
  echo "no Python >= 3.12 found (set PYTHON312)" >&2
  return 1
}

setup_pygeoapi() {
  local venv=.venv-pygeoapi
  if [ -x "$venv/bin/pygeoapi" ]; then echo "pygeoapi: $venv is ready"; return; fi
  local python; python="$(find_python312)"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q "pygeoapi>=0.19" "tinydb>=4"
  echo "pygeoapi: installed in $venv ($("$venv/bin/pygeoapi" --version 2>/dev/null || true))"
}

setup_wraptile() {
  local venv=.venv-wraptile
  if [ -x "$venv/bin/wraptile" ]; then echo "wraptile: $venv is ready"; return; fi
  local python; python="$(find_python312 2>/dev/null || command -v python3)"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade pip
  "$venv/bin/python" -m pip install -q "wraptile>=0.3"
  echo "wraptile: installed in $venv"
}

case "$what" in
  pygeoapi) setup_pygeoapi ;;
  wraptile) setup_wraptile ;;
  all) setup_pygeoapi; setup_wraptile ;;
  *) echo "usage: $0 [pygeoapi|wraptile|all]" >&2; exit 1 ;;
esac
