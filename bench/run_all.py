"""Run every benchmark in bench/ (each prints its own figures) on the participe_bench database.

    .venv/bin/python bench/run_all.py [--size full|small]      # `make bench` runs it at full size

Full size is the issues' (100,000 proposals + 1,000,000 votes; 50,000 missions + 200,000 volunteers; 20,000 ideas +
5,000 partners + 60,000 needs; 200,000 contributions); `--size small` is about ten times smaller. DATABASE_URL
defaults to participe_bench; a database whose name does not end in `_bench` is refused (benchdb.py). The database
is created, migrated and given the official Paris boundaries first.
weight_bench.py (issue 14's weight budget: first-view KB per page, Fast 3G timings in Chromium) runs with the others.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import benchdb

HERE = Path(__file__).resolve().parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=["full", "small"], default="full")
    parser.add_argument("--only", nargs="*", help="e.g. mapvotes strategy")
    args = parser.parse_args()
    benchdb.setup_django()
    benchdb.prepare()
    failures = 0
    for script in sorted(HERE.glob("*_bench.py")):
        if args.only and script.name.removesuffix("_bench.py") not in args.only:
            continue
        started = time.perf_counter()
        print(f"\n===== {script.name} --size {args.size}  (load average {os.getloadavg()[0]:.1f})", flush=True)
        failures += subprocess.call([sys.executable, str(script), "--size", args.size], cwd=HERE.parent) != 0
        print(f"===== {script.name}: {time.perf_counter() - started:.0f} s", flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
