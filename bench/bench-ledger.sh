#!/bin/sh
# Usage ledger benchmarks (issue: usage ledger):
#  - the post-commit hook attaching 20 pending events on a repository of 10,000 commits that all carry
#    usage notes, against lefthook running an empty post-commit job in the same repository;
#  - reports over those 10,000 commits, warm;
#  - reliability: 8 worktrees committing at once (50 commits each), and kill -9 during post-commit.
set -eu
bin=${1:?usage: bench-ledger.sh path/to/octo-git}
. "$(dirname "$0")/lib.sh"
need_hyperfine
lefthook=$(lefthook_binary)
[ -n "$lefthook" ] || echo "usage ledger benchmark: lefthook (PyPI) could not be installed; its row has no peer" >&2

repo="$work/ledger-10k"
if [ ! -d "$repo/.git" ] || [ "$(git -C "$repo" rev-list --count main 2>/dev/null)" -lt 10000 ]; then
  rm -rf "$repo"
  echo "generating a repository of 10,000 commits with usage notes" >&2
  python3 "$bench_dir/make-notes-repo.py" "$repo" 10000 2
fi
cd "$repo"
# Every run commits on top (the hook's rows): start again from the generated 10,000 commits and their one
# notes commit, so that each run measures the same repository.
git update-ref refs/heads/main "$(git rev-list --reverse main | sed -n 10000p)"
git update-ref refs/notes/octo/usage "$(git rev-list --max-parents=0 refs/notes/octo/usage)"
git reset -q --hard
"$bin" usage --by model >/dev/null  # warm the cache

events="$work/events-20.jsonl"
python3 - "$events" <<'PY'
import json, sys
with open(sys.argv[1], "w") as out:
    for number in range(20):
        out.write(json.dumps({"model": "claude-sonnet-4-5", "in": 100 + number, "out": 2000, "cw1h": 5000,
                              "cr": 30000, "agent": "claude-code"}) + "\n")
PY
prepare="$work/prepare-commit.sh"
cat > "$prepare" <<PREP
#!/bin/sh
"$bin" usage record < "$events"
git -c core.hooksPath=/dev/null commit -q --allow-empty -m "bench commit"
PREP
printf 'post-commit:\n  jobs:\n    - name: empty\n      run: "true"\n' > lefthook.yml

hyperfine -N --warmup 3 --runs 40 --prepare "sh $prepare" --export-json "$work/hook.json" \
  "$bin hook post-commit" >/dev/null
lefthook_json=""
lefthook_name=""
if [ -n "$lefthook" ]; then
  hyperfine -N --warmup 3 --runs 40 --prepare "true" --export-json "$work/lefthook.json" \
    "$lefthook run post-commit" >/dev/null
  lefthook_json="$work/lefthook.json"
  lefthook_name="lefthook run post-commit (empty job)"
fi
rm -f lefthook.yml
"$bin" hook post-commit  # attach what the warm-up runs left pending
# The hook after a commit that had nothing pending: what most commits cost.
git -c core.hooksPath=/dev/null commit -q --allow-empty -m "bench commit"
hyperfine -N --warmup 3 --runs 40 --export-json "$work/hook-idle.json" "$bin hook post-commit" >/dev/null

hyperfine -N --warmup 3 --runs 20 --export-json "$work/report-model.json" "$bin usage --by model" >/dev/null
hyperfine -N --warmup 3 --runs 20 --export-json "$work/report-month.json" "$bin usage --by month" >/dev/null
hyperfine -N --warmup 3 --runs 10 --export-json "$work/report-commit.json" "$bin usage --by commit --format csv" >/dev/null
hyperfine -N --warmup 1 --runs 5 --prepare "rm -f .git/octo/ledger.sqlite .git/octo/ledger.sqlite-wal .git/octo/ledger.sqlite-shm" \
  --export-json "$work/report-cold.json" "$bin usage --by model" >/dev/null

echo
echo "usage ledger: 10,000 commits with usage notes, post-commit with 20 pending events"
print_table \
  "post-commit hook, 20 events|$work/hook.json|$lefthook_json|$lefthook_name|ratio <= 0.6" \
  "post-commit hook, nothing pending|$work/hook-idle.json|$lefthook_json|$lefthook_name|ratio <= 0.35" \
  "report --by model, warm|$work/report-model.json||| < 100 ms" \
  "report --by month, warm|$work/report-month.json||| < 100 ms" \
  "report --by commit (10,000 rows, csv), warm|$work/report-commit.json||| < 100 ms" \
  "report --by model, cold (cache rebuilt)|$work/report-cold.json|||-"

sh "$bench_dir/reliability-ledger.sh" "$bin"
