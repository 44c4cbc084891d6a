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
    result = subprocess.run([str(lint_imports), "setup.cfg"], cwd=REPO,
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


def test_the_kernel_names_no_directive():
    """The generic engine knows instances, tasks, timers and messages; what they serve is the domain's."""
    named = {str(path.relative_to(REPO)): line_no
             for path in (REPO / "engine" / "kernel").rglob("*.py")
             for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if "directive" in line.lower() or "chỉ thị" in line.lower()}
    assert named == {}


def test_every_document_kind_is_one_registry_entry_that_the_steps_cover():
    from engine.directives.lookup import REGISTERS
    from engine.directives.paperwork import STEP_EXTRAS
    from engine.documents.kinds import AUDIENCES, KINDS
    from engine.documents.samples import sample_directive

    printed_on_demand = {kind for kind, _title in REGISTERS.values()} - STEP_EXTRAS.keys()  # the registers pages
    assert STEP_EXTRAS.keys() | printed_on_demand == KINDS.keys()
    for kind, spec in KINDS.items():
        assert spec.kind == kind and spec.audience in AUDIENCES and spec.file_stem.isascii()
        assert spec.build(sample_directive("state"), spec.sample("state"))["side"] == "state"


def test_features_plug_in_through_their_own_package():
    """Each domain package is found through its feature module; none is listed anywhere else."""
    from engine.app import all_metadata, features, lane_roles
    from web.features import web_features

    assert {f.name for f in features()} >= {"directives", "directory", "documents", "office", "registers"}
    assert {"directive", "assignment", "body", "generated_document", "outgoing_entry"} <= set(all_metadata().tables)
    assert lane_roles()["Văn thư"] == "records_clerk"
    assert {f.name for f in web_features()} >= {"directives", "documents"}
    app_factory = (REPO / "web" / "__init__.py").read_text(encoding="utf-8")
    composition = (REPO / "engine" / "app.py").read_text(encoding="utf-8")
    assert "directives" not in app_factory and "directives" not in composition
