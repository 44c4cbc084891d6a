"""Front-end libraries from npm: `python -m web.assets copy` copies their dist files from
node_modules/ into web/static/vendor/ (git-ignored), after `npm ci`."""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .config import REPO_ROOT

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"

# (path under node_modules, path under static/vendor); a trailing "/" copies a directory.
VENDOR_FILES = (
    ("htmx.org/dist/htmx.min.js", "htmx.min.js"),
    ("bpmn-js/dist/bpmn-viewer.production.min.js", "bpmn-js/bpmn-viewer.production.min.js"),
    ("bpmn-js/dist/bpmn-navigated-viewer.production.min.js", "bpmn-js/bpmn-navigated-viewer.production.min.js"),
    ("bpmn-js/dist/bpmn-modeler.production.min.js", "bpmn-js/bpmn-modeler.production.min.js"),
    ("bpmn-js/dist/assets/", "bpmn-js/assets/"),
    # pdf.js draws an arrived PDF inside the page (a browser's own viewer may not, e.g. when headless).
    ("pdfjs-dist/build/pdf.min.mjs", "pdfjs/pdf.min.mjs"),
    ("pdfjs-dist/build/pdf.worker.min.mjs", "pdfjs/pdf.worker.min.mjs"),
    ("pdfjs-dist/standard_fonts/", "pdfjs/standard_fonts/"),
)


def copy_vendor_files(node_modules: Path, vendor_dir: Path = VENDOR_DIR) -> list[Path]:
    """Copy every VENDOR_FILES entry; raises FileNotFoundError naming what `npm ci` did not install."""
    missing = [source for source, _ in VENDOR_FILES if not (node_modules / source.rstrip("/")).exists()]
    if missing:
        raise FileNotFoundError(
            f"missing in {node_modules}: {', '.join(missing)} — run `npm ci` in {REPO_ROOT} first"
        )
    copied = []
    for source, target in VENDOR_FILES:
        src, dst = node_modules / source.rstrip("/"), vendor_dir / target.rstrip("/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
        copied.append(dst)
    return copied


def main(argv: list[str] | None = None) -> int:
    """Command line: `python -m web.assets copy [--node-modules DIR]`."""
    parser = argparse.ArgumentParser(prog="python -m web.assets", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    copy = sub.add_parser("copy", help="copy htmx, bpmn-js and pdf.js into web/static/vendor/")
    copy.add_argument("--node-modules", type=Path, default=REPO_ROOT / "node_modules")
    args = parser.parse_args(argv)
    try:
        copied = copy_vendor_files(args.node_modules)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in copied:
        print(f"copied {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
