#!/usr/bin/env bash
# Installs everything `make serve` and `make test` need: the virtualenv with the project
# and its dev tools, buf (npm), a PostgreSQL server and Chromium for the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv}
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -e '.[dev]'
npm ci --no-audit --no-fund --loglevel=error
# System packages the tests drive for real: a PostgreSQL server, and Chromium to render
# the HTML report headless.
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
if (( ${#missing[@]} )); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "note: ${missing[*]} not installed; the tests that need them will be skipped" >&2
  fi
fi
