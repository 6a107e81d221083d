#!/bin/sh
# Pull-request benchmark (issue: feature workflow): `octo-git pr describe` on a branch of 500 commits,
# against git-cliff rendering a changelog of the same range (main..feature/big), in the same repository.
set -eu
bin=${1:?usage: bench-pr.sh path/to/octo-git}
. "$(dirname "$0")/lib.sh"
need_hyperfine
need_pip git-cliff >&2
cliff="$venv/bin/git-cliff"

repo="$work/pr-500"
if [ ! -d "$repo/.git" ]; then
  echo "generating a branch of 500 commits" >&2
  python3 "$bench_dir/make-branch-repo.py" "$repo" 500
fi
cd "$repo"
hyperfine -N --warmup 3 --runs 20 --export-json "$work/pr-describe.json" "$bin pr describe --base main" >/dev/null
hyperfine -N --warmup 3 --runs 20 --export-json "$work/pr-cliff.json" "$cliff --unreleased main..feature/big" >/dev/null

echo
echo "pull request: a branch of 500 commits"
print_table \
  "pr describe (500 commits)|$work/pr-describe.json|$work/pr-cliff.json|git-cliff main..feature/big|ratio <= 1"
