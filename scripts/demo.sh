#!/bin/sh
# The end-to-end story of octo-git on a scratch repository, one step per capability.
# Usage: scripts/demo.sh path/to/octo-git
set -eu
bin=${1:?usage: scripts/demo.sh path/to/octo-git}
project_dir=$(cd "$(dirname "$0")/.." && pwd)

# A hook or a wrapper may have exported GIT_DIR and friends: they would aim git at another repository.
for var in $(env | sed -n 's/^\(GIT_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$var"; done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/octo-git-demo.XXXXXX")
pgdir=""
cleanup() {
  [ -z "$pgdir" ] || sh "$project_dir/scripts/test-postgres.sh" stop "$pgdir" || true
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
repo="$scratch/shop api"
# The rollup's registry lives under XDG_DATA_HOME, agents keep their data under HOME: keep the demo's out of yours.
export XDG_DATA_HOME="$scratch/xdg"
export HOME="$scratch/home"
mkdir -p "$HOME"
# Bold step titles on a terminal only; written to a file or a pipe, neither the demo nor octo-git colours.
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
  export NO_COLOR=1
  step() { printf '\n== %s\n' "$*"; }
fi

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

step "install: hooks where git runs them, notes config, agent hooks (Claude Code, Codex, Gemini, Qwen, Copilot), rollup"
git -C "$repo" remote add origin git@github.com:acme/shop-api.git
"$bin" -C "$repo" install --agent all
"$bin" -C "$repo" doctor | sed -n '/^hooks/,/^$/p'

step "daily use: the agents' wiring is personal (listed in .git/info/exclude), so git status stays clean"
echo "git status --short: $(git -C "$repo" status --short | wc -l) line(s); .git/info/exclude holds:"
grep -v '^#' "$repo/.git/info/exclude"

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

step "every agent: Gemini CLI, Qwen Code and Cline sessions in this repository, found under a home folder (usage import all --dir)"
agents_home="$HOME"
sleep 1   # the sessions come after every commit so far (commit times have one-second resolution)
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
mkdir -p "$agents_home/.gemini/tmp/shop-api/chats" "$agents_home/.qwen/projects/shop-api/chats"
printf '%s\n' "$repo" > "$agents_home/.gemini/tmp/shop-api/.project_root"
cat > "$agents_home/.gemini/tmp/shop-api/chats/session-demo.jsonl" <<EOF
{"sessionId":"gemini-demo","projectHash":"demo","startTime":"$now","lastUpdated":"$now"}
{"id":"u1","timestamp":"$now","type":"user","content":[{"text":"add a CSV export"}]}
{"id":"g1","timestamp":"$now","type":"gemini","content":"Reading the code.","tokens":{"input":12000,"output":800,"cached":9000,"thoughts":200,"tool":0,"total":13000},"model":"gemini-2.5-pro"}
{"id":"g1","timestamp":"$now","type":"gemini","content":"Reading the code.","tokens":{"input":12000,"output":800,"cached":9000,"thoughts":200,"tool":0,"total":13000},"model":"gemini-2.5-pro"}
{"id":"g2","timestamp":"$now","type":"gemini","content":"Done.","tokens":{"input":15000,"output":400,"cached":14000,"thoughts":0,"tool":0,"total":15400},"model":"gemini-2.5-flash"}
EOF
cat > "$agents_home/.qwen/projects/shop-api/chats/qwen-demo.jsonl" <<EOF
{"uuid":"q1","parentUuid":null,"sessionId":"qwen-demo","timestamp":"$now","type":"assistant","cwd":"$repo","gitBranch":"main","model":"qwen3-coder-480b-a35b-instruct","message":{"role":"model","parts":[{"text":"Added the test."}]},"usageMetadata":{"promptTokenCount":8000,"candidatesTokenCount":600,"cachedContentTokenCount":5000,"totalTokenCount":8600}}
EOF
# Cline on its SDK: a session's record and its lead agent's messages (cache reads inside inputTokens).
cline_session="$agents_home/.cline/data/sessions/1893499200000_demo1"
mkdir -p "$cline_session"
printf '{"version":1,"session_id":"1893499200000_demo1","source":"cli","started_at":"%s","status":"completed","provider":"anthropic","model":"claude-sonnet-4-5","cwd":"%s","workspace_root":"%s"}\n' \
  "$now" "$repo" "$repo" > "$cline_session/1893499200000_demo1.json"
now_ms=$(($(date +%s) * 1000))
cat > "$cline_session/1893499200000_demo1.messages.json" <<EOF
{"version":1,"updated_at":"$now","agent":"lead","sessionId":"1893499200000_demo1","messages":[
 {"id":"msg_demo_u1","role":"user","ts":$now_ms,"content":[{"type":"text","text":"tidy the parser"}]},
 {"id":"msg_demo_a1","role":"assistant","ts":$now_ms,"modelInfo":{"id":"claude-sonnet-4-5","provider":"anthropic"},
  "metrics":{"inputTokens":21000,"outputTokens":700,"cacheReadTokens":18000,"cacheWriteTokens":2000,"cost":0.0252},
  "content":[{"type":"text","text":"Done."}]}]}
EOF
"$bin" usage import all --dir "$agents_home" --json
"$bin" usage import all --dir "$agents_home" --json   # again: nothing twice
"$bin" usage pending
git commit -q --allow-empty -m "Record the agents' sessions"
"$bin" usage --by agent

step "reports: exact cost by model, by billing cycle (19th to 18th), by commit over the last 7 days; the unpriced model is counted apart"
"$bin" usage --by model
"$bin" usage --by cycle --cycle-day 19 --format md
git config octo.budget 0.3
"$bin" usage --by branch --format csv
"$bin" usage --by branch | tail -n 3
"$bin" usage --by commit --since 7d
"$bin" pricing show claude-sonnet-4-5
cd - >/dev/null

step "hostile input: a teammate's note (as a fetch brings it) with an absurd token count and escape sequences"
review="$scratch/elsewhere/review"
git clone -q "$repo" "$review"
git -C "$review" fetch -q origin 'refs/notes/*:refs/notes/*'
git -C "$review" config user.name "Mallory"
git -C "$review" config user.email "mallory@example.com"
git -C "$review" commit -q --allow-empty -m "Teammate's change"
cat > "$scratch/teammate-note" <<'EOF'
{"agent":"claude-code","at":"2026-11-02T10:00:00.000Z","cost":0.0105,"id":"mate-1","in":1500,"model":"claude-sonnet-4-5","out":400,"prices":"builtin","user":"mallory@example.com","v":1}
{"agent":"claude-code","at":"2026-11-02T10:01:00.000Z","cost":1,"id":"mate-2","in":9000000000000000000,"model":"claude-sonnet-4-5","out":1,"user":"mallory@example.com","v":1}
{"agent":"agent\u001b[31m-red\u0007","at":"2026-11-02T10:02:00.000Z","cost":0.0021,"id":"mate-3","in":300,"model":"claude-sonnet-4-5\u001b]0;owned\u0007","out":80,"prices":"builtin","user":"mallory@example.com","v":1}
EOF
git -C "$review" notes --ref=octo/usage add -F "$scratch/teammate-note" HEAD
"$bin" -C "$review" usage --by agent
"$bin" -C "$review" doctor | sed -n '/^problems/,$p'

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
# Run again (an agent retrying): nothing to do, nothing taken, no undo to mislead.
"$bin" restore latest
"$bin" checkpoints
cd - >/dev/null

step "file-system monitor: with core.fsmonitor (git's Watchman hook, or any hook of its protocol) a checkpoint looks only at what it names"
cd "$repo"
# A stand-in for Watchman's hook: it names the files listed in changed.txt since the token it is given.
cat > "$scratch/fsmonitor-hook" <<'HOOK'
#!/bin/sh
printf 'demo-%s\0' "$(date +%s%N)"
tr '\n' '\0' < "$(dirname "$0")/changed.txt"
HOOK
chmod +x "$scratch/fsmonitor-hook"
: > "$scratch/changed.txt"
git config core.fsmonitor "$scratch/fsmonitor-hook"
"$bin" checkpoint -m "the monitor's first answer: every file looked at, its token kept" --agent demo >/dev/null
printf 'def total(items):\n    return round(sum(items), 2)\n' > billing.py
echo billing.py > "$scratch/changed.txt"
"$bin" checkpoint -m "only billing.py looked at" --agent demo
"$bin" checkpoints diff latest~1 latest --stat
"$bin" doctor | sed -n '/^file-system monitor/,/^$/p'
git config --unset core.fsmonitor
printf 'def total(items):\n    return sum(items)\n' > billing.py
cd - >/dev/null

step "checkpoint safety: a file name that is not UTF-8 is captured; an untracked file over octo.checkpoint.maxFileSize is left out, and said"
cd "$repo"
latin1=$(printf 'caf\351.txt')
printf 'latin-1 name\n' > "$latin1"
head -c 2000000 /dev/zero > big.bin
git config octo.checkpoint.maxFileSize 1m
git status --short
taken=$("$bin" checkpoint -m "before the cleanup" 2>"$scratch/warnings")
cat "$scratch/warnings"
echo "checkpoint $taken holds (as git lists it):"
git ls-tree -r --name-only "$taken"
rm -f "$latin1" big.bin
git config --unset octo.checkpoint.maxFileSize

step "checkpoint safety: restore refuses a crafted checkpoint that would write .git/hooks/post-commit (nothing is touched)"
# A raw tree entry: mode, name, NUL, the 20-byte object id.
tree_entry() {
  printf '%s %s\000' "$1" "$2"
  for byte in $(printf '%s' "$3" | sed 's/../& /g'); do printf "\\$(printf '%03o' "0x$byte")"; done
}
hook=$(printf '#!/bin/sh\necho owned\n' | git hash-object -w --stdin)
hooks=$(tree_entry 100755 post-commit "$hook" | git hash-object -t tree --literally -w --stdin)
dotgit=$(tree_entry 40000 hooks "$hooks" | git hash-object -t tree --literally -w --stdin)
root=$(tree_entry 40000 .git "$dotgit" | git hash-object -t tree --literally -w --stdin)
crafted=$(git commit-tree -p HEAD -m "a checkpoint from somewhere else" "$root")
crafted_ref="refs/octo/checkpoints/demo/$(date +%s)000-crafted"
git update-ref "$crafted_ref" "$crafted"
git ls-tree -r --name-only "$crafted"
"$bin" restore "$(git rev-parse --short=12 "$crafted")" 2>&1 || echo "(exit $?: refused)"
hook_file=$(git rev-parse --git-path hooks/post-commit)
if grep -q owned "$hook_file" 2>/dev/null; then echo "$hook_file WAS WRITTEN"; else echo "$hook_file: untouched"; fi
git update-ref -d "$crafted_ref"
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

step "CI: the PR is squash-merged (here locally); notes carry copies its usage onto the merge's commit (event ids kept)"
cd "$repo"
feature_branch=$(git rev-parse --abbrev-ref HEAD)
git checkout -q main
git merge -q --squash "$feature_branch" >/dev/null
git commit -q -m "Add invoice totals per billing cycle (#1)"
"$bin" notes carry --from "main@{1}..$feature_branch" --onto HEAD --dry-run
"$bin" notes carry --from "main@{1}..$feature_branch" --onto HEAD
echo "usage lines on main's new commit: $(git notes --ref=octo/usage show HEAD | wc -l)"
# The PR's cost comment (octo-git pr comment --pr 1) needs GitHub; the workflow runs both on GitHub:
"$bin" install --ci github
grep -E '^  [a-z-]+:$|run: octo-git|(pull-requests|contents): ' .github/workflows/octo-git.yml
rm -r .github
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

step "team ledger: every registered repository pushed to PostgreSQL (a throwaway local cluster), reported by the database"
if pgdir=$(mktemp -d "${TMPDIR:-/tmp}/octo-git-demo-postgres.XXXXXX") &&
  team_url=$(sh "$project_dir/scripts/test-postgres.sh" start "$pgdir" 2>"$scratch/postgres.log"); then
  export OCTO_GIT_TEAM_URL="$team_url"
  "$bin" team init --cycle-day 19
  "$bin" team push
  "$bin" team push   # again: nothing new, one query
  "$bin" rollup --team --by model
  "$bin" team report --by repo,cycle --cycle-day 19 --format md
else
  echo "skipped: no PostgreSQL server to start here ($(tail -n 1 "$scratch/postgres.log"))"
fi

step "status line: what Claude Code shows under its prompt (octo-git statusline reads its JSON on stdin)"
if "$bin" --help 2>/dev/null | grep -qE '^ +statusline( |$)'; then
  session=146a9d38-f650-45e9-9c87-c414b3d80cd7   # the Claude Code session imported above
  cd "$repo"
  printf '{"hook_event_name":"Status","session_id":"%s","transcript_path":"%s","cwd":"%s","model":{"id":"claude-sonnet-4-5","display_name":"Sonnet 4.5"},"workspace":{"current_dir":"%s","project_dir":"%s"},"version":"2.0.0"}\n' \
    "$session" "$claude_config/projects/real-excerpt/$session.jsonl" "$repo" "$repo" "$repo" | "$bin" statusline
  cd - >/dev/null
else
  echo "skipped: this octo-git has no statusline command"
fi

step "lean binary: ICU's data cut to time zones, calendars and English; days still follow each zone's clock, DST included"
printf '%s: %s bytes' "$(basename "$bin")" "$(wc -c < "$bin" | tr -d ' ')"
if command -v strip >/dev/null 2>&1 && strip -o "$scratch/stripped" "$bin" 2>/dev/null; then
  stripped=$(wc -c < "$scratch/stripped" | tr -d ' ')
  printf ', %s stripped (as make install installs it)\n' "$stripped"
  if [ "$stripped" -gt 40000000 ]; then
    echo "the stripped binary is over 40 MB: is ICU's whole data linked (scripts/icu-data-archive.sh)?" >&2
    exit 1
  fi
else
  echo
fi
zones="$scratch/zones"
git init -q -b main "$zones"
cd "$zones"
git -c user.name=Demo -c user.email=demo@example.com commit -q --allow-empty -m start
"$bin" install >/dev/null
# Either side of Paris's spring change (01:00Z), an evening in New York, and Paris's autumn hour played twice.
for at in 2026-03-28T23:30:00Z 2026-03-29T03:30:00Z 2026-03-29T22:30:00Z 2026-10-25T00:30:00Z 2026-10-25T01:30:00Z; do
  "$bin" usage record --model claude-sonnet-4-5 --in 1000 --at "$at" --id "zone-$at" --quiet
done
git -c user.name=Demo -c user.email=demo@example.com commit -q --allow-empty -m work
days() { "$bin" usage --by day --tz "$1" --format csv | awk -F, 'NR > 1 && $1 != "total" { printf "%s %s×  ", $1, $2 }'; }
for zone in Europe/Paris America/New_York Australia/Lord_Howe; do
  printf '%-20s %s\n' "$zone" "$(days "$zone")"
done
expected="2026-03-29 2×  2026-03-30 1×  2026-10-25 2×  |2026-03-28 2×  2026-03-29 1×  2026-10-24 2×  "
if [ "$(days Europe/Paris)|$(days America/New_York)" != "$expected" ]; then
  echo "the days of a time zone are wrong: ICU's data is missing something" >&2
  exit 1
fi
cd - >/dev/null

echo
echo "demo finished; the scratch repository is removed"
