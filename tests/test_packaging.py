"""An install outside the checkout is complete: the wheel carries the migrations, the pages, the
shipped models and templates, and the code finds the shipped data where the wheel puts it."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from engine.kernel import resources

REPO = Path(__file__).resolve().parent.parent


def _source_copy(target: Path) -> Path:
    """The project's files (tracked or new, not ignored) copied to `target`: a build there leaves the
    checkout untouched (setuptools writes build/ and *.egg-info/ next to the sources)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout.splitlines()
    for name in listed:
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.mark.slow
def test_the_wheel_holds_everything_the_product_reads_at_run_time(tmp_path):
    source = _source_copy(tmp_path / "src")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("chithi-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    data = "chithi-0.1.0.data/data/share/chithi/"
    expected = {
        "engine/migrations/env.py", "engine/migrations/script.py.mako",
        "engine/model/schema.json", "web/templates/base.html", "web/templates/tasks/task.html",
        "web/static/style.css", data + "templates/directive_final.state.docx",
        data + "workflows/directive_life.bpmn", data + "workflows/directory/bodies.yaml",
        data + "workflows/directives/langson-2024-ct-ubnd.yaml",
    }
    expected |= {f"engine/migrations/versions/{p.name}" for p in (REPO / "engine/migrations/versions").glob("*.py")}
    assert expected - names == set()
    shipped_docx = {p.name for p in (REPO / "templates").glob("*.docx")}
    assert {n.rsplit("/", 1)[-1] for n in names if n.startswith(data + "templates/")} == shipped_docx


def test_shipped_data_is_found_in_the_installed_data_directory(monkeypatch, tmp_path):
    installed = tmp_path / "share" / "chithi" / "workflows"
    installed.mkdir(parents=True)
    monkeypatch.setattr(resources, "CHECKOUT", tmp_path / "not-a-checkout")
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.delenv("CHITHI_WORKFLOWS_DIR", raising=False)
    assert resources.workflows_dir() == installed
    with pytest.raises(FileNotFoundError, match="CHITHI_TEMPLATES_DIR"):
        resources.templates_dir()
    monkeypatch.setenv("CHITHI_TEMPLATES_DIR", str(tmp_path))
    assert resources.templates_dir() == tmp_path
