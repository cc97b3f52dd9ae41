"""Run every benchmark in bench/ (each prints its own figures). Usage: python bench/run_all.py [--size small|full]"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    args = sys.argv[1:] or ["--size", "small"]
    failures = 0
    for script in sorted(HERE.glob("*_bench.py")):
        print(f"\n===== {script.name} {' '.join(args)}", flush=True)
        failures += subprocess.call([sys.executable, str(script), *args], cwd=HERE.parent) != 0
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
