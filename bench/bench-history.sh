#!/bin/sh
# First report on a long history (issue: speed): a fresh clone of a repository of HISTORY_COMMITS commits
# (100,000), each with a usage note of one event, and its notes fetched. octo-git's first `usage --by model`
# (the cache built from the notes) and `cache rebuild`, against the git CLI reading the same notes
# (`git notes list | cut | git cat-file --batch`); the peak memory of the first report beside them.
set -eu
bin=${1:?usage: bench-history.sh path/to/octo-git}
. "$(dirname "$0")/lib.sh"
need_hyperfine

commits=${HISTORY_COMMITS:-100000}
origin="$work/history-$commits"
clone="$work/history-$commits-clone"
if [ ! -d "$origin/.git" ] || [ "$(git -C "$origin" rev-list --count main 2>/dev/null)" -lt "$commits" ]; then
  rm -rf "$origin" "$clone"
  echo "generating a repository of $commits commits with one usage note each" >&2
  python3 "$bench_dir/make-notes-repo.py" "$origin" "$commits" 1
fi
if [ ! -d "$clone/.git" ]; then
  # A clone's pack is what the server's pack-objects sends: deltas in chains, bases first.
  git clone -q --no-local "$origin" "$clone"
  git -C "$clone" fetch -q origin 'refs/notes/*:refs/notes/*'
fi
cd "$clone"

fresh="rm -f .git/octo/ledger.sqlite .git/octo/ledger.sqlite-wal .git/octo/ledger.sqlite-shm"
hyperfine -N --warmup 1 --runs 5 --prepare "$fresh" --export-json "$work/history-first.json" \
  "$bin usage --by model" >/dev/null
hyperfine -N --warmup 1 --runs 5 --export-json "$work/history-rebuild.json" "$bin cache rebuild" >/dev/null
hyperfine --warmup 1 --runs 5 --export-json "$work/history-git.json" \
  "git notes --ref=octo/usage list | cut -d' ' -f1 | git cat-file --batch >/dev/null" >/dev/null
# The floor of the read: libgit2 alone reading the notes' blobs in pack order (octo-git's reading order), on
# one thread and on two.
floor=$(floor_binary)
if [ -n "$floor" ]; then
  for index in .git/objects/pack/*.idx; do
    git show-index < "$index" | sed "s|^|$index |"
  done > "$work/history-offsets"
  git notes --ref=octo/usage list | cut -d' ' -f1 > "$work/history-blobs"
  awk 'NR == FNR { note[$1] = 1; next } ($3 in note) { print $1, $2, $3 }' "$work/history-blobs" \
    "$work/history-offsets" | sort -k1,1 -k2,2n | cut -d' ' -f3 > "$work/history-blobs-ordered"
  floor_one=$("$floor" read .git/objects 1 < "$work/history-blobs-ordered") || floor_one="?"
  floor_two=$("$floor" read .git/objects 2 < "$work/history-blobs-ordered") || floor_two="?"
fi
hyperfine -N --warmup 3 --runs 20 --export-json "$work/history-warm.json" "$bin usage --by model" >/dev/null
sh -c "$fresh"
memory=$( { /usr/bin/time -f '%M' "$bin" usage --by model >/dev/null; } 2>&1 | tail -n 1)

echo
echo "first report on $commits commits with usage notes (a fresh clone)"
print_table \
  "first usage --by model (cache built)|$work/history-first.json|$work/history-git.json|git notes list + cat-file --batch|ratio <= 1" \
  "cache rebuild|$work/history-rebuild.json|$work/history-git.json|git notes list + cat-file --batch|ratio <= 1" \
  "usage --by model, warm|$work/history-warm.json||| < 100 ms"
echo "peak memory of the first report: $((memory / 1024)) MB (goal <= 100 MB)"
[ -z "$floor" ] || echo "the floor of the read, libgit2 alone reading the notes' blobs in pack order (best of 5):" \
  "$floor_one ms on one thread, $floor_two ms on two"
sh -c "$fresh"
timings=$(OCTO_GIT_TIMINGS=1 "$bin" usage --by model 2>&1 >/dev/null | grep '^timings' || true)
[ -z "$timings" ] || echo "where the first report's time goes: $timings"
