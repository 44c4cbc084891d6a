"""`make bench` (`python -m bench [area ...]`): run the benchmarks, print the table of figures and
write `bench/results.json` — one key per figure, each `{"value", "target", "unit", "better", "met"}`,
plus the machine's CPU count, the date and the git revision — and the details of each area in
`bench/results/<area>.json`.

Targets live here, not in timed tests: the machines are shared and noisy, so ratios are measured
within one run. PostgreSQL figures use BENCH_DATABASE_URL, else the local server
(postgresql://postgres@127.0.0.1:5432/test); a server that does not answer is an error, not a
skipped figure.
"""
from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from .common import Figure, pg_server_url

ROOT = Path(__file__).resolve().parent
RESULTS_DIR = ROOT / "results"
RESULTS = ROOT / "results.json"
AREAS = ("bench_engine", "bench_directives", "bench_documents", "bench_timers", "bench_followup", "bench_http")


def _git_revision() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _sign(better: str) -> str:
    """How a value must compare with its target: ≤ when lower is better, else ≥."""
    return "≤" if better == "lower" else "≥"


def _table(figures: dict[str, Figure]) -> str:
    lines = [f"{'figure':38} {'value':>12} {'target':>12}  unit   met"]
    for key, f in figures.items():
        lines.append(f"{key:38} {f.value:>12.3f} {_sign(f.better)}{f.target:>11g}  {f.unit:6} {'yes' if f.met else 'NO'}")
    return "\n".join(lines)


def markdown() -> str:
    """The figures of bench/results.json as a Markdown table (for the README)."""
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    lines = ["| figure | value | target | met |", "|---|---|---|---|"]
    for key, f in results.items():
        if isinstance(f, dict) and "value" in f:
            lines.append(f"| `{key}` | {f['value']:,.4g} {f['unit']} | {_sign(f['better'])} {f['target']:,g} {f['unit']} | "
                         f"{'yes' if f['met'] else '**no**'} |")
    lines.append("")
    lines.append(f"{results['cpu_count']} CPUs, {results['date']}, revision {results['git_revision'][:10]}.")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Run the areas named (default: all), merge their figures into results.json, print the table;
    `--markdown` prints the table of the last results as Markdown instead."""
    if argv == ["--markdown"]:
        print(markdown())
        return 0
    pg = pg_server_url()  # fails loudly when the server is missing
    RESULTS_DIR.mkdir(exist_ok=True)
    previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    figures: dict[str, Figure] = {}
    started = time.perf_counter()
    for name in argv or AREAS:
        module = importlib.import_module(f"bench.{name.removeprefix('bench.')}")
        print(f"— {name} …", flush=True)
        t0 = time.perf_counter()
        area_figures, details = module.run(pg)
        figures.update(area_figures)
        (RESULTS_DIR / f"{name.removeprefix('bench_')}.json").write_text(
            json.dumps(details, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        print(f"  {len(area_figures)} figures in {time.perf_counter() - t0:.0f} s", flush=True)
    kept = {k: v for k, v in previous.items() if isinstance(v, dict) and "value" in v and k not in figures}
    out = {"cpu_count": os.cpu_count(), "date": datetime.now(UTC).isoformat(timespec="seconds"),
           "git_revision": _git_revision(), **kept, **{k: f.as_dict() for k, f in figures.items()}}
    RESULTS.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(_table(figures))
    print(f"wrote {RESULTS.relative_to(ROOT.parent)} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
