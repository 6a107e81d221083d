#!/usr/bin/env python3
"""Prints benchmark results side by side: one row per "label|ours.json|peer.json|peer name|goal" argument,
where the JSON files are hyperfine exports (mean of the first command). The ratio is ours / peer."""
import json
import sys


def mean_ms(path):
    if not path:
        return None
    with open(path) as handle:
        result = json.load(handle)["results"][0]
    return result["mean"] * 1000, result["stddev"] * 1000 if result.get("stddev") is not None else 0.0


rows = []
for argument in sys.argv[1:]:
    label, ours, peer, peer_name, goal = (argument.split("|") + ["", "", "", ""])[:5]
    ours_ms = mean_ms(ours)
    peer_ms = mean_ms(peer)
    ratio = f"{ours_ms[0] / peer_ms[0]:.2f}" if peer_ms else "-"
    rows.append([
        label,
        f"{ours_ms[0]:.1f} ± {ours_ms[1]:.1f} ms",
        f"{peer_ms[0]:.1f} ± {peer_ms[1]:.1f} ms" if peer_ms else "-",
        peer_name or "-",
        ratio,
        goal or "-",
    ])
headers = ["benchmark", "octo-git", "peer", "peer is", "ratio", "goal"]
widths = [max(len(row[i]) for row in rows + [headers]) for i in range(len(headers))]
print("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
print("  ".join("-" * w for w in widths))
for row in rows:
    print("  ".join(c.ljust(w) for c, w in zip(row, widths)))
