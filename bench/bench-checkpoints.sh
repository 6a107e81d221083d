#!/bin/sh
# Checkpoint benchmarks (issues: checkpoints; speed), same run:
#  - checkpoint of a work tree of 20,000 tracked files (and of 100,000: CHECKPOINT_SIZES), 2,000 untracked
#    and 50 modified, against the same snapshot made with the git CLI from a private copy of the index
#    (copy .git/index, git add -A, write-tree, commit-tree, update-ref) and against `git status --porcelain`;
#    then the time of each of the checkpoint's phases (OCTO_GIT_TIMINGS=1);
#  - restore of a checkpoint against git checkout <tree> -- . (20,000 files);
#  - checkpoints list with 1,000 checkpoints.
set -eu
bin=${1:?usage: bench-checkpoints.sh path/to/octo-git}
. "$(dirname "$0")/lib.sh"
need_hyperfine

snapshot_with_git='cp .git/index .git/bench-index && GIT_INDEX_FILE=.git/bench-index git add -A && tree=$(GIT_INDEX_FILE=.git/bench-index git write-tree) && commit=$(git commit-tree "$tree" -p HEAD -m snapshot) && git update-ref refs/bench/snapshot "$commit"'
rows=""
phases=""
floors=""
for size in ${CHECKPOINT_SIZES:-20000 100000}; do
  repo="$work/checkpoint-$size"
  [ "$size" = 20000 ] && repo="$work/checkpoint-22k"
  if [ ! -f "$repo/.bench-ready" ]; then
    rm -rf "$repo"
    echo "generating a work tree of $size tracked, 2,000 untracked and 50 modified files" >&2
    python3 "$bench_dir/make-worktree-repo.py" "$repo" "$size" 2000 50
    touch "$repo/.git/info/bench-ready" && mv "$repo/.git/info/bench-ready" "$repo/.bench-ready"
    echo ".bench-ready" >> "$repo/.git/info/exclude"
  fi
  cd "$repo"
  # git checkout <tree> -- . (the restore peer below) stages what it writes: unstage, so the 2,000 new
  # files are untracked again when this repository is reused.
  git reset -q
  # The default octo.checkpoint.keep (200): once 200 are kept, each checkpoint also prunes the oldest, as
  # it does for a user.
  git config --unset octo.checkpoint.keep || true
  hyperfine -N --warmup 3 --runs 20 --export-json "$work/cp-octo-$size.json" "$bin checkpoint --quiet" >/dev/null
  hyperfine --warmup 3 --runs 20 --export-json "$work/cp-git-$size.json" "$snapshot_with_git" >/dev/null
  hyperfine -N --warmup 3 --runs 20 --export-json "$work/cp-status-$size.json" "git status --porcelain" >/dev/null
  rows="$rows
checkpoint, $size files|$work/cp-octo-$size.json|$work/cp-git-$size.json|git add -A on an index copy + write-tree + commit-tree + update-ref|ratio <= 0.3
checkpoint, $size files|$work/cp-octo-$size.json|$work/cp-status-$size.json|git status --porcelain|ratio <= 0.5"
  timings=$(OCTO_GIT_TIMINGS=1 "$bin" checkpoint --quiet 2>&1 >/dev/null | grep '^timings' || true)
  [ -z "$timings" ] || phases="$phases
$size files: $timings"
  floor=$(floor_binary)
  if [ -n "$floor" ]; then
    git ls-files -z > "$work/cp-paths-$size"
    one=$("$floor" lstat 1 < "$work/cp-paths-$size") || one="?"
    two=$("$floor" lstat 2 < "$work/cp-paths-$size") || two="?"
    floors="$floors
$size files: $one ms on one thread, $two ms on two"
  fi
done

# The largest tree again with a file-system monitor: git's Watchman hook as core.fsmonitor, which both
# octo-git's checkpoint and git status (with its untracked cache, as git advises with a monitor) then ask.
sample=/usr/share/git-core/templates/hooks/fsmonitor-watchman.sample
if command -v watchman >/dev/null 2>&1 && [ -f "$sample" ]; then
  cd "$repo"
  cp "$sample" .git/hooks/query-watchman && chmod +x .git/hooks/query-watchman
  git config core.fsmonitor .git/hooks/query-watchman
  git config core.untrackedCache true
  "$bin" checkpoint --quiet && "$bin" checkpoint --quiet && git status --porcelain >/dev/null
  hyperfine -N --warmup 3 --runs 20 --export-json "$work/cp-octo-$size-watchman.json" "$bin checkpoint --quiet" >/dev/null
  hyperfine -N --warmup 3 --runs 20 --export-json "$work/cp-status-$size-watchman.json" "git status --porcelain" \
    >/dev/null
  rows="$rows
checkpoint, $size files, Watchman (core.fsmonitor)|$work/cp-octo-$size-watchman.json|$work/cp-status-$size-watchman.json|git status --porcelain with the same monitor|ratio <= 0.5"
  timings=$(OCTO_GIT_TIMINGS=1 "$bin" checkpoint --quiet 2>&1 >/dev/null | grep '^timings' || true)
  [ -z "$timings" ] || phases="$phases
$size files with Watchman: $timings"
  git config --unset core.fsmonitor
  git config --unset core.untrackedCache
  # The untracked cache stays in the index until told to go, and would speed up the next runs' peer.
  git update-index --no-untracked-cache
  watchman watch-del "$repo" >/dev/null 2>&1 || true
else
  echo "checkpoint with a file-system monitor skipped: no watchman here (Debian's watchman)"
fi

repo="$work/checkpoint-22k"
cd "$repo"
git reset -q

# Restore: bring back a checkpoint after 50 files were changed again.
target=$("$bin" checkpoint)
tree=$(git rev-parse "$target^{tree}")
dirty="$work/dirty.sh"
cat > "$dirty" <<DIRTY
#!/bin/sh
cd "$repo"
for f in \$(git ls-files src | awk 'NR % 400 == 7'); do echo "agent broke it" >> "\$f"; done
DIRTY
hyperfine -N --warmup 2 --runs 10 --prepare "sh $dirty" --export-json "$work/restore-octo.json" "$bin restore $target" >/dev/null 2>&1
hyperfine -N --warmup 2 --runs 10 --prepare "sh $dirty" --export-json "$work/restore-git.json" "git checkout $tree -- ." >/dev/null
git reset -q

# List with 1,000 checkpoints (in a repository of their own, so the others are unaffected).
many="$work/checkpoints-1000"
if [ "$(git -C "$many" for-each-ref refs/octo/checkpoints/ 2>/dev/null | wc -l)" -lt 1000 ]; then
  rm -rf "$many"
  git init -q -b main "$many"
  git -C "$many" config user.name Bench
  git -C "$many" config user.email bench@example.com
  git -C "$many" config octo.checkpoint.keep 1000000
  echo base > "$many/a.txt"
  git -C "$many" add a.txt
  git -C "$many" commit -q -m base
  echo "taking 1,000 checkpoints" >&2
  number=0
  while [ "$number" -lt 1000 ]; do
    echo "$number" > "$many/a.txt"
    "$bin" -C "$many" checkpoint --quiet -m "step $number"
    number=$((number + 1))
  done
fi
hyperfine -N --warmup 3 --runs 20 --export-json "$work/list-octo.json" "$bin -C $many checkpoints list" >/dev/null
hyperfine -N --warmup 3 --runs 20 --export-json "$work/list-git.json" \
  "git -C $many for-each-ref --sort=-refname --format=%(objectname:short)%09%(contents:subject) refs/octo/checkpoints/" >/dev/null

echo
echo "checkpoints: 2,000 untracked and 50 modified files beside the tracked ones"
old_ifs=$IFS
IFS='
'
# shellcheck disable=SC2086
print_table $rows \
  "restore after 50 files broke (20,000 files)|$work/restore-octo.json|$work/restore-git.json|git checkout <tree> -- .|ratio <= 1" \
  "checkpoints list (1,000)|$work/list-octo.json|$work/list-git.json|git for-each-ref (ids and subjects only)|-"
IFS=$old_ifs
[ -z "$phases" ] || printf 'a checkpoint with nothing new, by phase:%s\n' "$phases"
# Without a monitor a checkpoint, like git status, must lstat every tracked file: the floor of its time.
[ -z "$floors" ] ||
  printf 'the floor without a monitor, an lstat of every tracked file from C (best of 5):%s\n' "$floors"
