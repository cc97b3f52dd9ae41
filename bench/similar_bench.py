"""Precision and recall of the "similar contributions" rule on a labelled set of pairs (no database needed).

    .venv/bin/python bench/similar_bench.py [--verbose]

bench/data/similar_pairs.json: pairs of invented contributions across spaces (map, idea, mission), in French,
labelled similar or not, with hard negatives (fruit trees in a square vs therapeutic gardening in a hospital).
The rule measured is strategy.similarity.reason(), the one the team's page uses.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from strategy.similarity import profile, reason  # noqa: E402

PAIRS = ROOT / "bench" / "data" / "similar_pairs.json"


def evaluate(pairs):
    tp = fp = fn = tn = 0
    mistakes = []
    for pair in pairs:
        a, b = pair["a"], pair["b"]
        why = reason(profile(a["title"], a["text"], a["point"]), profile(b["title"], b["text"], b["point"]))
        suggested = why is not None
        if suggested and pair["similar"]:
            tp += 1
        elif suggested:
            fp += 1
            mistakes.append(("suggested, not similar", a["title"], b["title"], why))
        elif pair["similar"]:
            fn += 1
            mistakes.append(("similar, not suggested", a["title"], b["title"], None))
        else:
            tn += 1
    return tp, fp, fn, tn, mistakes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true", help="list the pairs the rule gets wrong")
    parser.add_argument("--size", choices=["full", "small"], default="full", help="accepted for run_all; no effect")
    args = parser.parse_args()
    pairs = json.loads(PAIRS.read_text())
    tp, fp, fn, tn, mistakes = evaluate(pairs)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    spaces = sorted({p[k]["space"] for p in pairs for k in ("a", "b")})
    print(f"{len(pairs)} labelled pairs ({sum(p['similar'] for p in pairs)} similar), spaces: {', '.join(spaces)}")
    print(f"Suggested: {tp + fp}  true positives {tp}  false positives {fp}  missed {fn}  true negatives {tn}")
    print(f"Precision {precision:.2f}   recall {recall:.2f}")
    if args.verbose:
        for kind, a, b, why in mistakes:
            print(f"  {kind}: {a!r} / {b!r} {why or ''}")


if __name__ == "__main__":
    main()
