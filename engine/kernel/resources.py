"""Where the shipped data lives: the BPMN models and seed data (`workflows/`) and the official-document
templates (`templates/`).

Each is looked up, in order, in the directory the environment names (`CHITHI_WORKFLOWS_DIR`,
`CHITHI_TEMPLATES_DIR`), in the source checkout the code runs from, and in the data directory an
installed wheel puts them in (`<prefix>/share/chithi/…`, see `[options.data_files]` in setup.cfg).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
ENVIRONMENT = {"workflows": "CHITHI_WORKFLOWS_DIR", "templates": "CHITHI_TEMPLATES_DIR"}


def shipped_dir(name: str) -> Path:
    """The directory of shipped data `name` ("workflows" or "templates"); FileNotFoundError says where
    it was looked for."""
    configured = os.environ.get(ENVIRONMENT[name], "").strip()
    if configured:
        return Path(configured)
    candidates = [CHECKOUT / name, Path(sys.prefix) / "share" / "chithi" / name]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no '{name}' directory: set {ENVIRONMENT[name]} or install the package with its "
                            f"data (looked in {', '.join(map(str, candidates))})")


def workflows_dir() -> Path:
    """The shipped BPMN models and the seed data of the domain."""
    return shipped_dir("workflows")


def templates_dir() -> Path:
    """The shipped official-document templates (.docx)."""
    return shipped_dir("templates")
