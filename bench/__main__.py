"""`python -m bench [name ...]`: run the benchmarks and write bench/results/<name>.json.

Targets live here, not in timed tests: the machines are shared and noisy, so each benchmark reports
ratios measured within one run next to the absolute figures.
"""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
BENCHES = ("bench_engine", "bench_directives", "bench_documents")


def main(argv: list[str]) -> int:
    RESULTS.mkdir(exist_ok=True)
    names = argv or list(BENCHES)
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        result = module.main()
        if result is not None:
            out = RESULTS / f"{name.removeprefix('bench_')}.json"
            out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
            print(f"{name}: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
