#!/bin/sh
# Pull-request benchmarks (issues: feature workflow; pull requests in CI):
#  - `octo-git pr describe` on a branch of 500 commits, against git-cliff rendering a changelog of the same
#    range (main..feature/big), in the same repository;
#  - `octo-git notes carry` of that branch's 500 commits (2 usage events each) onto one squash commit, as
#    after "Squash and merge": --from main..feature/big --onto <squash> (local, nothing pushed);
#  - `octo-git pr comment` on that branch, against a loopback stand-in for GitHub's API (bench/github-stub.py),
#    beside `pr describe` of the same branch.
set -eu
bin=${1:?usage: bench-pr.sh path/to/octo-git}
. "$(dirname "$0")/lib.sh"
need_hyperfine
# notes carry fetches from origin first when it thinks it runs in CI: measure the local copy.
unset CI GITHUB_ACTIONS GITHUB_EVENT_NAME GITHUB_EVENT_PATH 2>/dev/null || true

repo="$work/pr-500"
if [ ! -d "$repo/.git" ]; then
  echo "generating a branch of 500 commits" >&2
  python3 "$bench_dir/make-branch-repo.py" "$repo" 500
fi
rows=""
if need_pip git-cliff >&2; then
  cliff="$venv/bin/git-cliff"
  cd "$repo"
  hyperfine -N --warmup 3 --runs 20 --export-json "$work/pr-describe.json" "$bin pr describe --base main" >/dev/null
  hyperfine -N --warmup 3 --runs 20 --export-json "$work/pr-cliff.json" "$cliff --unreleased main..feature/big" >/dev/null
  rows="pr describe (500 commits)|$work/pr-describe.json|$work/pr-cliff.json|git-cliff main..feature/big|ratio <= 1"
else
  echo "pr describe against git-cliff skipped: git-cliff (PyPI) could not be installed"
fi

if "$bin" notes --help 2>/dev/null | grep -qE '^ +carry( |$)'; then
  carry_repo="$work/carry-500"
  if [ ! -f "$carry_repo/.git/bench-squash" ]; then
    rm -rf "$carry_repo"
    echo "generating a branch of 500 commits with usage notes" >&2
    python3 "$bench_dir/make-branch-repo.py" "$carry_repo" 500 2
    # "Squash and merge": one commit on main holding the branch's tree, none of its notes.
    squash=$(git -C "$carry_repo" commit-tree "feature/big^{tree}" -p main -m "Big change (#1)")
    git -C "$carry_repo" update-ref refs/heads/squashed "$squash"
    git -C "$carry_repo" rev-parse refs/notes/octo/usage > "$carry_repo/.git/bench-squash"
  fi
  notes_before=$(cat "$carry_repo/.git/bench-squash")
  squash=$(git -C "$carry_repo" rev-parse squashed)
  reset="$work/carry-reset.sh"
  printf '#!/bin/sh\nexec git -C "%s" update-ref refs/notes/octo/usage %s\n' "$carry_repo" "$notes_before" > "$reset"
  cd "$carry_repo"
  hyperfine -N --warmup 2 --runs 20 --prepare "sh $reset" --export-json "$work/pr-carry.json" \
    "$bin notes carry --from main..feature/big --onto $squash" >/dev/null
  carried=$(git notes --ref=octo/usage show "$squash" | wc -l)
  sh "$reset"
  rows="$rows
notes carry, 500 commits onto a squash commit ($carried lines)|$work/pr-carry.json|||<= 0.2 s"

  # pr comment on the same branch (1,000 usage events) against GitHub's API stood in for on loopback (the
  # notes fetch of CI aside), beside pr describe of that branch.
  git checkout -q feature/big
  port_file="$work/github-stub.port"
  python3 "$bench_dir/github-stub.py" main "$(git rev-parse main)" feature/big "$(git rev-parse feature/big)" \
    > "$port_file" &
  stub=$!
  trap 'kill $stub 2>/dev/null' EXIT
  while [ ! -s "$port_file" ]; do sleep 0.1; done
  port=$(head -n 1 "$port_file")
  comment="env -u CI GITHUB_REPOSITORY=o/r GITHUB_API_URL=http://127.0.0.1:$port GITHUB_TOKEN=bench"
  comment="$comment $bin pr comment --pr 7"
  hyperfine -N --warmup 2 --runs 20 --export-json "$work/pr-comment.json" "$comment" >/dev/null
  hyperfine -N --warmup 2 --runs 20 --export-json "$work/pr-describe-usage.json" "$bin pr describe --base main" \
    >/dev/null
  kill $stub 2>/dev/null || true
  rows="$rows
pr comment, 500 commits with usage (loopback API)|$work/pr-comment.json|$work/pr-describe-usage.json|pr describe, same branch|ratio <= 1.5"
else
  echo "notes carry benchmark skipped: this octo-git has no notes carry"
fi

[ -n "$rows" ] || exit 0
echo
echo "pull request: a branch of 500 commits"
# One table row per line of $rows.
old_ifs=$IFS
IFS='
'
# shellcheck disable=SC2086
print_table $rows
IFS=$old_ifs
