#!/bin/sh
# The end-to-end story of octo-git on a scratch repository, one step per capability.
# Usage: scripts/demo.sh path/to/octo-git
set -eu
bin=${1:?usage: scripts/demo.sh path/to/octo-git}

# A hook or a wrapper may have exported GIT_DIR and friends: they would aim git at another repository.
for var in $(env | sed -n 's/^\(GIT_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$var"; done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/octo-git-demo.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
repo="$scratch/shop api"
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

echo
echo "demo finished; the scratch repository is removed"
