#!/usr/bin/env python3
"""Writes a repository with TRACKED committed files, then UNTRACKED new files and MODIFIED changed ones,
for the checkpoint benchmark. usage: make-worktree-repo.py DIR TRACKED UNTRACKED MODIFIED"""
import os
import subprocess
import sys

import benchrepo

directory, tracked, untracked, modified = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])


def git(*arguments):
    subprocess.run(["git", "-C", directory, *arguments], check=True, env=benchrepo.env, stdout=subprocess.DEVNULL)


benchrepo.init(directory)
with open(os.path.join(directory, ".gitignore"), "w") as handle:
    handle.write("*.log\nbuild/\n")
for number in range(tracked):
    folder = os.path.join(directory, "src", f"module{number % 200:03d}", f"part{number % 7}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"file{number:05d}.txt"), "w") as handle:
        handle.write(f"file {number}\n" + "some content line\n" * (number % 20))
git("add", "-A")
git("commit", "-q", "-m", "tracked files")
for number in range(untracked):
    folder = os.path.join(directory, "generated", f"batch{number % 40:02d}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"new{number:05d}.txt"), "w") as handle:
        handle.write(f"untracked {number}\n")
os.makedirs(os.path.join(directory, "build"), exist_ok=True)
for number in range(100):
    with open(os.path.join(directory, "build", f"out{number}.o"), "w") as handle:
        handle.write("ignored\n")
for number in range(modified):
    index = number * (tracked // max(modified, 1))
    path = os.path.join(directory, "src", f"module{index % 200:03d}", f"part{index % 7}", f"file{index:05d}.txt")
    with open(path, "a") as handle:
        handle.write("modified by the agent\n")
