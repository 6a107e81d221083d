#!/usr/bin/env python3
"""Check the folder layering of Sources/OctoGit (docs/ARCHITECTURE.md).

One Swift module, so a folder "uses" another when its code names a type or function declared at the
top level of the other folder's files. A folder may use folders of its own rank or lower:

  0  Support/ Network/ Settings/ Defaults/    1  Git/    2  Usage/ (the usage line model)
  3  Store/ (with Store/Team/)    4  Sync/
  5  Ledger/ Pricing/ Checkpoints/ Importers/ Features/ PullRequests/ Rollup/ Reports/
  6  Hooks/ Doctor/, and files directly in Sources/OctoGit/

How: comments and string literals are blanked (the code inside "\\(...)" interpolations is kept), then
every identifier is compared with the top-level declarations (struct, class, enum, protocol, actor,
typealias, func, let, var; not `extension X`, not private ones). Not counted as uses: names after a dot
(members), lowercase names followed by ":" (argument labels), and names the using file declares itself
at any depth (a nested type or a local shadows the top-level one). Not seen: a method that a higher
folder adds to a lower folder's type by an extension, called from a lower folder. Today Git/ extends
Support/'s GitCLI (checkRemote), Version (libgit2) and Error (exitStatus), Network/ extends Version
(libcurl), Pricing/ extends Usage/'s UsageEvent (priced(with:)), and Rollup/ extends Store/'s TeamLedger
(report(options:)) and TeamUsageQuery (init from RollupOptions); each is called only from the extending
folder's rank or above (or from the executable).

Known exceptions are listed in scripts/layers-allowed.txt as `FromFolder -> Name  # reason`. Exits 1 when
a violation is not listed or a listed entry is no longer needed (stale), so the list only shrinks.
Circles between folders of the same rank are printed for information only.

Usage: scripts/check-layers.py [-v]   (-v also prints the allowlisted uses)
"""
import os
import re
import signal
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = os.path.join(ROOT, "Sources", "OctoGit")
ALLOWLIST = os.path.join(ROOT, "scripts", "layers-allowed.txt")
RANKS = {"Support": 0, "Network": 0, "Settings": 0, "Defaults": 0, "Git": 1, "Usage": 2, "Store": 3, "Sync": 4,
         "Ledger": 5, "Pricing": 5, "Checkpoints": 5, "Importers": 5, "Features": 5, "PullRequests": 5,
         "Rollup": 5, "Reports": 5, "Hooks": 6, "Doctor": 6, "(root)": 6}

SPECIAL = re.compile(r'/[/*]|#*"|[()]')
COMMENT_MARK = re.compile(r'/\*|\*/')
MODIFIERS = r'(?:(?:public|internal|private|fileprivate|open|final|indirect|nonisolated|static)\s+)*'
TOP_DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s*)*(' + MODIFIERS + r')'
                      r'(struct|class|enum|protocol|actor|typealias|func|let|var|extension)\s+([A-Za-z_]\w*)')
ANY_DECL = re.compile(r'\b(?:struct|class|enum|protocol|actor|typealias|associatedtype|func|let|var)'
                      r'\s+([A-Za-z_]\w*)')
IDENT = re.compile(r'[A-Za-z_]\w*')


def strip(src):
    """Same text and line breaks, with comments and string contents (not interpolations) as spaces."""
    out = list(src)

    def blank(a, b):
        out[a:b] = [c if c == "\n" else " " for c in src[a:b]]

    def code(i, interpolation):  # returns the index after the ")" closing an interpolation
        depth = 0
        while True:
            m = SPECIAL.search(src, i)
            if not m:
                return len(src)
            t, s = m.group(), m.start()
            if t in "()":
                if t == ")" and interpolation and depth == 0:
                    return s + 1
                depth, i = depth + (1 if t == "(" else -1), s + 1
            elif t == "//":
                e = src.find("\n", s)
                i = len(src) if e < 0 else e
                blank(s, i)
            elif t == "/*":
                nesting, j = 1, s + 2
                while nesting and (c := COMMENT_MARK.search(src, j)):
                    nesting, j = nesting + (1 if c.group() == "/*" else -1), c.end()
                i = j if not nesting else len(src)
                blank(s, i)
            else:
                i = string(s, len(t) - 1)

    def string(s, hashes):  # s: index of the first "#" or the opening quote; returns the index after it
        q = s + hashes
        multi = src.startswith('"""', q)
        close, escape = ('"""' if multi else '"') + "#" * hashes, "\\" + "#" * hashes
        i = seg = q + (3 if multi else 1)
        while i < len(src):
            if src.startswith(escape, i):
                p = i + len(escape)
                if src.startswith("(", p):
                    blank(seg, p + 1)
                    i = seg = code(p + 1, True) - 1  # the ")" is blanked with the rest
                else:
                    i = p + 1
            elif src.startswith(close, i):
                blank(seg, i)
                return i + len(close)
            elif src[i] == "\n" and not multi:
                break  # unterminated: stop at the line's end
            else:
                i += 1
        blank(seg, i)
        return i

    code(0, False)
    return "".join(out)


def folder_of(path):
    parts = os.path.relpath(path, SOURCES).split(os.sep)
    return parts[0] if len(parts) > 1 else "(root)"


def parse(path):
    """Returns (stripped lines, top-level names declared, every name declared at any depth)."""
    with open(path, encoding="utf-8") as f:
        lines = strip(f.read()).split("\n")
    top, depth = set(), 0
    for line in lines:
        if depth == 0 and (m := TOP_DECL.match(line)):
            modifiers, kind, name = m.groups()
            if kind != "extension" and not re.search(r'\b(private|fileprivate)\b', modifiers):
                top.add(name)
        depth += line.count("{") - line.count("}")
    declared = set(ANY_DECL.findall("\n".join(lines)))
    return lines, top, declared


def find_uses(files):
    """Returns ({(from folder, name): [(path, line, defined in)]} for upward uses, {(from, to): names})."""
    owners = defaultdict(set)  # top-level name -> folders declaring it
    for path, (_, top, _) in files.items():
        if folder_of(path) not in RANKS:
            sys.exit(f"check-layers: {os.path.relpath(path, ROOT)}: folder {folder_of(path)}/ has no rank")
        for name in top:
            owners[name].add(folder_of(path))
    uses, edges = defaultdict(list), defaultdict(set)
    for path, (lines, _, declared) in files.items():
        here = folder_of(path)
        for number, line in enumerate(lines, 1):
            for m in IDENT.finditer(line):
                name = m.group()
                if name not in owners or name in declared or here in owners[name]:
                    continue
                before, after = line[:m.start()].rstrip(), line[m.end():].lstrip()
                member = before.endswith(".") and not before.endswith("..")  # but `0...Name.max` counts
                if member or (name[0].islower() and after.startswith(":")):
                    continue
                for there in owners[name]:
                    edges[(here, there)].add(name)
                there = min(owners[name], key=RANKS.get)
                if RANKS[there] > RANKS[here]:
                    uses[(here, name)].append((os.path.relpath(path, ROOT), number, there))
    return uses, edges, len(owners)


def read_allowlist():
    """Returns ({(from folder, name): line number}, number of unreadable lines)."""
    allowed, problems = {}, 0
    if os.path.exists(ALLOWLIST):
        with open(ALLOWLIST, encoding="utf-8") as f:
            for number, raw in enumerate(f, 1):
                entry = raw.split("#", 1)[0].strip()
                m = re.fullmatch(r'(\S+?)/?\s*->\s*(\w+)', entry)
                if m:
                    allowed[(m.group(1), m.group(2))] = number
                elif entry:
                    print(f"scripts/layers-allowed.txt:{number}: cannot read {entry!r}")
                    problems += 1
    return allowed, problems


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    verbose = "-v" in sys.argv[1:]
    files = {os.path.join(base, n): parse(os.path.join(base, n))
             for base, _, names in sorted(os.walk(SOURCES)) for n in sorted(names) if n.endswith(".swift")}
    uses, edges, declared = find_uses(files)
    allowed, problems = read_allowlist()

    new = [key for key in sorted(uses) if key not in allowed]
    for here, name in sorted(uses) if verbose else new:
        mark = "  (allowed)" if (here, name) in allowed else ""
        for path, number, there in uses[(here, name)]:
            print(f"{path}:{number}: {name} ({there}/ rank {RANKS[there]}) used from {here}/ "
                  f"(rank {RANKS[here]}){mark}")
    stale = [key for key in allowed if key not in uses]
    for here, name in stale:
        print(f"scripts/layers-allowed.txt:{allowed[(here, name)]}: {here} -> {name} is no longer used; "
              "remove the line")

    def names(a, b):
        return ", ".join(sorted(edges[(a, b)])[:4]) + (", ..." if len(edges[(a, b)]) > 4 else "")
    for a, b in sorted(edges):
        if a < b and (b, a) in edges and RANKS[a] == RANKS[b]:
            print(f"info: circle {a}/ <-> {b}/ (same rank {RANKS[a]}, allowed): {a}/ uses {names(a, b)}; "
                  f"{b}/ uses {names(b, a)}")

    count = sum(len(places) for places in uses.values())
    print(f"check-layers: {len(files)} files, {declared} top-level names, {count} upward uses in "
          f"{len(uses)} folder->name pairs: {len(uses) - len(new)} allowlisted, {len(new)} not allowed, "
          f"{len(stale)} stale allowlist entries")
    return 1 if new or stale or problems else 0


if __name__ == "__main__":
    sys.exit(main())
