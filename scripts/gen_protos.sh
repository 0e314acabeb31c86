#!/usr/bin/env bash
# Regenerates the Python code and typed stubs for protos/programgen/v1/*.proto beside them.
# With --check, generates into a scratch folder and fails if the committed files differ.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
export PATH="$(dirname "$py"):$PATH"  # protoc finds the mypy plugins beside the interpreter
out=protos
if [[ "${1:-}" == "--check" ]]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out/programgen/v1"
"$py" -m grpc_tools.protoc -I protos \
  --python_out="$out" --grpc_python_out="$out" \
  --mypy_out="$out" --mypy_grpc_out="$out" \
  protos/programgen/v1/*.proto 2> >(grep -v "^Writing mypy to" >&2)
if [[ "${1:-}" == "--check" ]]; then
  stale=0
  for f in "$out"/programgen/v1/*_pb2*; do
    name=${f#"$out/"}
    if ! cmp -s "$f" "protos/$name"; then
      echo "stale generated file: protos/$name (run: make protos)" >&2
      stale=1
    fi
  done
  for f in protos/programgen/v1/*_pb2*; do
    [[ -e "$out/${f#protos/}" ]] || { echo "orphan generated file: $f" >&2; stale=1; }
  done
  exit $stale
fi
