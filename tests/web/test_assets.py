"""`python -m web.assets copy` puts the npm dist files where the pages load them from."""
from __future__ import annotations

import pytest

from web.assets import VENDOR_FILES, copy_vendor_files, main


def _fake_node_modules(root):
    for source, _target in VENDOR_FILES:
        path = root / source.rstrip("/")
        if source.endswith("/"):
            (path / "fonts").mkdir(parents=True)
            (path / "fonts" / "font.woff").write_bytes(b"woff")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"/* {source} */")
    return root


def test_copy_puts_every_dist_file_in_vendor(tmp_path):
    node_modules = _fake_node_modules(tmp_path / "node_modules")
    vendor = tmp_path / "vendor"
    copy_vendor_files(node_modules, vendor)
    assert (vendor / "htmx.min.js").read_text() == "/* htmx.org/dist/htmx.min.js */"
    assert (vendor / "bpmn-js" / "bpmn-modeler.production.min.js").exists()
    assert (vendor / "bpmn-js" / "assets" / "fonts" / "font.woff").read_bytes() == b"woff"


def test_missing_npm_install_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="npm ci"):
        copy_vendor_files(tmp_path / "empty", tmp_path / "vendor")
    assert main(["copy", "--node-modules", str(tmp_path / "empty")]) == 1


def test_package_json_declares_the_copied_libraries():
    import json
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    package = json.loads((repo / "package.json").read_text())
    lock = json.loads((repo / "package-lock.json").read_text())
    assert set(package["dependencies"]) == {"htmx.org", "bpmn-js", "pdfjs-dist"}
    assert {"node_modules/htmx.org", "node_modules/bpmn-js", "node_modules/pdfjs-dist"} <= set(lock["packages"])
