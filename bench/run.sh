#!/bin/sh
# Runs every benchmark in bench/ against the release binary given as $1, each printing a table that puts
# octo-git and its peer side by side with their ratio (a benchmark whose peer or server is missing says so
# in one line). One that fails is named and the others still run; the exit status says whether any failed.
set -eu
bin=${1:?usage: bench/run.sh path/to/octo-git}
dir=$(cd "$(dirname "$0")" && pwd)
found=0
failed=""
for script in "$dir"/bench-*.sh; do
  [ -e "$script" ] || continue
  found=1
  sh "$script" "$bin" || { status=$?; echo "$(basename "$script") failed (exit $status)"; failed="$failed $(basename "$script")"; }
done
[ "$found" -eq 1 ] || echo "no benchmarks yet"
if [ -n "$failed" ]; then
  echo "failed:$failed"
  exit 1
fi
