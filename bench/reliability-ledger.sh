#!/bin/sh
# Reliability of the usage ledger:
#  1. 8 linked worktrees commit at once, 50 commits each, each commit with pending usage: all 400 notes
#     must be present and every event in exactly one of them;
#  2. the post-commit work is killed with SIGKILL at random moments, again and again: at the end every
#     recorded event must be in the notes exactly once and nothing may stay pending.
set -eu
bin=${1:?usage: reliability-ledger.sh path/to/octo-git}
. "$(dirname "$0")/lib.sh"
worktrees=${RELIABILITY_WORKTREES:-8}
commits=${RELIABILITY_COMMITS:-50}
kills=${RELIABILITY_KILLS:-60}

repo="$work/reliability"
rm -rf "$repo" "$work"/reliability-wt*
git init -q -b main "$repo"
git -C "$repo" config user.name Bench
git -C "$repo" config user.email bench@example.com
git -C "$repo" commit -q --allow-empty -m base
hooks=$(git -C "$repo" rev-parse --path-format=absolute --git-path hooks)
mkdir -p "$hooks"
"$bin" defaults hooks/post-commit | sed "s|@OCTO_GIT_BIN@|$bin|" > "$hooks/post-commit"
chmod +x "$hooks/post-commit"

echo
echo "reliability: $worktrees worktrees x $commits commits at once"
start=$(date +%s)
number=0
while [ "$number" -lt "$worktrees" ]; do
  git -C "$repo" worktree add -q -b "wt$number" "$work/reliability-wt$number"
  (
    cd "$work/reliability-wt$number"
    commit=0
    while [ "$commit" -lt "$commits" ]; do
      printf '{"id":"wt%s-c%s-a","model":"gpt-5","in":10}\n{"id":"wt%s-c%s-b","model":"claude-sonnet-4-5","out":5}\n' \
        "$number" "$commit" "$number" "$commit" | "$bin" usage record
      git commit -q --allow-empty -m "wt$number commit $commit" 2>>"$work/reliability-errors.txt"
      commit=$((commit + 1))
    done
  ) &
  number=$((number + 1))
done
wait
notes=$(git -C "$repo" notes --ref=octo/usage list | wc -l)
lines=$(git -C "$repo" notes --ref=octo/usage list | cut -d' ' -f1 | git -C "$repo" cat-file --batch | grep -c '"v":1' || true)
unique=$(git -C "$repo" notes --ref=octo/usage list | cut -d' ' -f1 | git -C "$repo" cat-file --batch |
  grep -o '"id":"[^"]*"' | sort -u | wc -l)
expected=$((worktrees * commits))
echo "  notes: $notes of $expected; events: $lines lines, $unique distinct, $((expected * 2)) recorded ($(($(date +%s) - start)) s)"
[ "$notes" -eq "$expected" ] && [ "$lines" -eq $((expected * 2)) ] && [ "$unique" -eq $((expected * 2)) ] ||
  { echo "  FAILED: events lost or duplicated" >&2; exit 1; }

echo "reliability: kill -9 at random points of post-commit, $kills times"
cd "$repo"
rm -f "$hooks/post-commit"
iteration=0
killed=0
while [ "$iteration" -lt "$kills" ]; do
  # The hook is removed on purpose (the bench runs it by hand): record's warning about that is expected.
  printf '{"id":"kill-%s-a","model":"gpt-5","in":1}\n{"id":"kill-%s-b","model":"gpt-5","in":2}\n' "$iteration" "$iteration" |
    "$bin" usage record 2>/dev/null
  git commit -q --allow-empty -m "kill $iteration"
  "$bin" hook post-commit 2>/dev/null &
  pid=$!
  # Somewhere between process start and the end of its work (a run takes about 10-30 ms).
  sleep "$(printf '0.%03d' $(( $(od -An -N2 -tu2 /dev/urandom) % 40 )))"
  kill -9 "$pid" 2>/dev/null || true
  status=0
  wait "$pid" 2>/dev/null || status=$?
  [ "$status" -eq 137 ] && killed=$((killed + 1))
  iteration=$((iteration + 1))
done
sleep 6  # let a lock left by a killed writer go stale
git commit -q --allow-empty -m "final"
"$bin" hook post-commit
pending=$("$bin" usage pending --json --all)
recorded=$((kills * 2))
kill_lines=$(git notes --ref=octo/usage list | cut -d' ' -f1 | git cat-file --batch | grep -c '"id":"kill-' || true)
kill_unique=$(git notes --ref=octo/usage list | cut -d' ' -f1 | git cat-file --batch | grep -o '"id":"kill-[^"]*"' | sort -u | wc -l)
echo "  killed mid-way: $killed of $kills runs"
echo "  events: $kill_lines lines, $kill_unique distinct, $recorded recorded; pending afterwards: $pending"
[ "$kill_lines" -eq "$recorded" ] && [ "$kill_unique" -eq "$recorded" ] && [ "$pending" = "[]" ] ||
  { echo "  FAILED: events lost or duplicated" >&2; exit 1; }
echo "  ok: nothing lost, nothing doubled"
