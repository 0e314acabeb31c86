#!/usr/bin/env bash
# Installs everything `make serve` and `make test` need: the virtualenv with the project
# and its dev tools, buf (npm), and a PostgreSQL server for the PostgreSQL tests.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv}
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -e '.[dev]'
npm ci --no-audit --no-fund --loglevel=error
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "note: PostgreSQL server binaries not found; the PostgreSQL tests will be skipped" >&2
  fi
fi
