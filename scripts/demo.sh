#!/bin/sh
# The end-to-end story of octo-git on a scratch repository, one step per capability.
# Usage: scripts/demo.sh path/to/octo-git
set -eu
bin=${1:?usage: scripts/demo.sh path/to/octo-git}
project_dir=$(cd "$(dirname "$0")/.." && pwd)

# A hook or a wrapper may have exported GIT_DIR and friends: they would aim git at another repository.
for var in $(env | sed -n 's/^\(GIT_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$var"; done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/octo-git-demo.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
repo="$scratch/shop api"
# The rollup's registry lives under XDG_DATA_HOME: keep the demo's out of yours.
export XDG_DATA_HOME="$scratch/xdg"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "a scratch repository: $repo"
git init -q -b main "$repo"
git -C "$repo" config user.name "Demo User"
git -C "$repo" config user.email "demo@example.com"
printf 'print("hello")\n' > "$repo/app.py"
git -C "$repo" add app.py
git -C "$repo" commit -q -m "Initial commit"
git -C "$repo" log --oneline

step "octo-git doctor: what octo-git sees"
"$bin" -C "$repo" doctor

step "octo-git doctor in a linked worktree, as JSON (excerpt)"
git -C "$repo" worktree add -q -b feature/demo "$scratch/wt"
"$bin" -C "$scratch/wt" doctor --json | sed -n '/"repository"/,/}/p'

step "install: hooks where git runs them, notes config, Claude Code and Codex CLI hooks, registered for the rollup"
git -C "$repo" remote add origin git@github.com:acme/shop-api.git
"$bin" -C "$repo" install --agent all
"$bin" -C "$repo" doctor | sed -n '/^hooks/,/^$/p'

step "usage: agents record three requests (one model has no price); they stay pending until the next commit"
cd "$repo"
"$bin" usage record --model claude-sonnet-4-5-20250929 --in 1200 --out 3400 --cw1h 20000 --cr 150000 --agent claude-code
printf '%s\n' '{"model":"gpt-5-codex","in":8000,"out":1500,"cr":40000,"agent":"codex"}' \
  '{"model":"claude-mystery-9","in":10,"out":10,"agent":"codex"}' | "$bin" usage record
"$bin" usage pending

step "commit: the post-commit hook writes the usage into the commit's note"
printf 'print("hello, world")\n' > app.py
git commit -q -am "Greet the world"
git notes --ref=octo/usage show HEAD

step "import: a real Claude Code transcript (Windows paths, so from another project: --all-projects)"
fixture_dir="$project_dir/Tests/Fixtures/claude-code"
claude_config="$scratch/claude"
mkdir -p "$claude_config/projects"
cp -r "$fixture_dir/real-excerpt" "$claude_config/projects/"
"$bin" usage import claude-code --dir "$claude_config" --all-projects --json
"$bin" usage import claude-code --dir "$claude_config" --all-projects --json   # again: nothing twice
git commit -q --allow-empty -m "Record the imported session"

step "reports: exact cost by model and by billing cycle (19th to 18th); the unpriced model is counted apart"
"$bin" usage --by model
"$bin" usage --by cycle --cycle-day 19 --format md
git config octo.budget 0.3
"$bin" usage --by branch --format csv
"$bin" usage --by branch | tail -n 3
"$bin" pricing show claude-sonnet-4-5
cd - >/dev/null

step "checkpoint: an agent snapshots the work tree before a risky step (HEAD, index and files untouched)"
cd "$repo"
printf 'API_KEY=never-captured\n' > .env
printf '.env\n' > .gitignore
printf 'def total(items):\n    return sum(items)\n' > billing.py
"$bin" checkpoint -m "before refactoring billing" --agent claude-code
git status --short

step "the agent's bad step: a file deleted, another mangled, junk added"
rm billing.py
printf 'oops\n' > app.py
mkdir -p tmp && printf 'junk\n' > tmp/scratch.txt
"$bin" checkpoints
"$bin" checkpoints diff latest --stat

step "restore: one command brings the files back (ignored .env untouched); it checkpoints first, so it can be undone"
"$bin" restore latest
git status --short
cat billing.py
"$bin" checkpoints
cd - >/dev/null

step "feature: a branch per feature, a commit when its tests pass (failing tests commit nothing)"
cd "$repo"
git config octo.testCommand "test -s billing.py && grep -q total billing.py"
"$bin" feature start "Add invoice totals per billing cycle"
printf 'def total(items):\n    return sum(items)\n\ndef total_per_cycle(cycles):\n    return {c: total(i) for c, i in cycles.items()}\n' > billing.py
"$bin" usage record --model claude-sonnet-4-5 --in 2400 --out 5200 --cr 90000 --agent claude-code
"$bin" feature pass --test "false" || echo "(exit $?: nothing committed, the work is in a checkpoint)"
"$bin" feature pass
git log -1 --format='%B'
git notes --ref=octo/features show HEAD
"$bin" feature list

step "pull request: the description written from the branch; pr create (dry run here: no GitHub)"
"$bin" pr describe --base main
"$bin" pr create --dry-run --base main | head -n 6
cd - >/dev/null

step "rollup: a second client's repository, two clones of it (counted once), cost across all of them"
other="$scratch/billing"
git init -q -b main "$other"
git -C "$other" config user.name "Demo User"
git -C "$other" config user.email "demo@example.com"
git -C "$other" remote add origin https://github.com/acme/billing.git
git -C "$other" commit -q --allow-empty -m "Start"
"$bin" -C "$other" install
for month in 09 10 11; do
  "$bin" -C "$other" usage record --model claude-opus-4-1 --in 3000 --out 9000 --cr 400000 --at "2026-$month-20T10:00:00Z"
  git -C "$other" commit -q --allow-empty -m "Billing work $month"
done
git clone -q "$other" "$scratch/billing-copy"
git -C "$scratch/billing-copy" fetch -q origin 'refs/notes/*:refs/notes/*'
git -C "$scratch/billing-copy" remote set-url origin git@github.com:Acme/Billing.git
"$bin" repos scan "$scratch" --depth 1
"$bin" repos list
"$bin" rollup --by repo
"$bin" rollup --by cycle,repo --cycle-day 19 --format md
"$bin" rollup --format html --cycle-day 19 --out "$scratch/rollup.html"
echo "HTML report: $(wc -c < "$scratch/rollup.html") bytes, self-contained ($(grep -c '<svg' "$scratch/rollup.html") chart blocks)"

echo
echo "demo finished; the scratch repository is removed"
