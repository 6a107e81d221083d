#!/bin/sh
# Install benchmark (issue: install): `git commit` in a repository with octo-git's installed hooks, against
# `git commit` in the same kind of repository with lefthook's post-commit running an empty job.
set -eu
bin=${1:?usage: bench-install.sh path/to/octo-git}
. "$(dirname "$0")/lib.sh"
need_hyperfine
lefthook=$(lefthook_binary)
if [ -z "$lefthook" ]; then
  echo "install benchmark skipped: lefthook (PyPI) could not be installed"
  exit 0
fi

make_repo() {
  rm -rf "$1"
  git init -q -b main "$1"
  git -C "$1" config user.name Bench
  git -C "$1" config user.email bench@example.com
  echo base > "$1/a.txt"
  git -C "$1" add a.txt
  git -C "$1" -c core.hooksPath=/dev/null commit -q -m base
}

ours="$work/install-octo"
theirs="$work/install-lefthook"
make_repo "$ours"
make_repo "$theirs"
"$bin" -C "$ours" install >/dev/null
printf 'post-commit:\n  jobs:\n    - name: empty\n      run: "true"\n' > "$theirs/lefthook.yml"
(cd "$theirs" && LEFTHOOK_BIN="$lefthook" "$lefthook" install >/dev/null)
export LEFTHOOK_BIN="$lefthook"

hyperfine -N --warmup 5 --runs 40 --export-json "$work/commit-octo.json" \
  "git -C $ours commit -q --allow-empty -m bench" >/dev/null
hyperfine -N --warmup 5 --runs 40 --export-json "$work/commit-lefthook.json" \
  "git -C $theirs commit -q --allow-empty -m bench" >/dev/null
hyperfine -N --warmup 3 --runs 40 --export-json "$work/commit-plain.json" \
  "git -C $theirs -c core.hooksPath=/dev/null commit -q --allow-empty -m bench" >/dev/null
events="$work/events-3.jsonl"
printf '%s\n' '{"model":"gpt-5","in":10}' '{"model":"claude-sonnet-4-5","out":5}' '{"model":"claude-opus-4-5","cr":100}' > "$events"
hyperfine -N --warmup 3 --runs 30 --prepare "sh -c '$bin -C $ours usage record < $events'" \
  --export-json "$work/commit-octo-pending.json" "git -C $ours commit -q --allow-empty -m bench" >/dev/null

echo
echo "install: git commit with the installed post-commit hook"
print_table \
  "git commit, octo-git hooks (nothing pending)|$work/commit-octo.json|$work/commit-lefthook.json|git commit, lefthook post-commit empty job|ratio <= 0.8" \
  "git commit, octo-git hooks (3 events pending)|$work/commit-octo-pending.json|$work/commit-lefthook.json|git commit, lefthook post-commit empty job|-" \
  "git commit, no hooks at all|$work/commit-plain.json|||-"
