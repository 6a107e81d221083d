"""What the scripts that write benchmark repositories share: git run without the caller's GIT_* variables
(a benchmark may itself run inside a git hook), a new repository on main committing as Bench, and a
fast-import stream loaded into it."""
import os
import subprocess

# The environment every git command of the benchmarks runs in.
env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def init(directory):
    """Makes `directory` (created when missing) a new repository on main, committing as
    Bench <bench@example.com>."""
    subprocess.run(["git", "init", "-q", "-b", "main", directory], check=True, env=env)
    for key, value in [("user.name", "Bench"), ("user.email", "bench@example.com")]:
        subprocess.run(["git", "-C", directory, "config", key, value], check=True, env=env)


def fast_import(directory, stream, branch):
    """Loads `stream` (git fast-import's input, as bytes) into `directory`, then checks out `branch`."""
    subprocess.run(["git", "-C", directory, "fast-import", "--quiet"], input=stream, check=True, env=env)
    subprocess.run(["git", "-C", directory, "checkout", "-q", branch], check=True, env=env)
