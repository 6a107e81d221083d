#!/bin/sh
# Runs every benchmark in bench/ against the release binary given as $1, each printing a table that puts
# octo-git and its peer side by side with their ratio.
set -eu
bin=${1:?usage: bench/run.sh path/to/octo-git}
dir=$(cd "$(dirname "$0")" && pwd)
found=0
for script in "$dir"/bench-*.sh; do
  [ -e "$script" ] || continue
  found=1
  sh "$script" "$bin"
done
[ "$found" -eq 1 ] || echo "no benchmarks yet"
