"""The layering rules of docs/architecture.md hold: import-linter's contracts in setup.cfg pass,
and the web package imports neither SQLAlchemy nor SpiffWorkflow directly."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--config", "setup.cfg"], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_web_uses_no_sql_or_spiffworkflow_directly():
    offenders = {
        str(path.relative_to(REPO)): sorted(_imported_roots(path) & {"sqlalchemy", "SpiffWorkflow", "psycopg"})
        for path in (REPO / "web").rglob("*.py")
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}
