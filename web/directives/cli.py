"""`chithi directive import FILE [--json]` and `chithi demo --out DIR`: the directive life from the
command line. `add_commands(sub)` registers both on the `chithi` parser."""
from __future__ import annotations

import argparse
from pathlib import Path


def cmd_directive_import(args: argparse.Namespace) -> int:
    """Import a directive description (YAML, or JSON with --json / a .json file) and start its life."""
    from engine.directives.life import import_directive
    from engine.kernel.accounts import SYSTEM

    from ..cli import acting_account, open_engine

    path = Path(args.file)
    if not path.is_file():
        raise SystemExit(f"error: no such file: {path}")
    eng = open_engine(args)
    try:
        source = path.read_text(encoding="utf-8") if args.json else path
        actor = acting_account(eng, args.actor or SYSTEM.username)
        directive_id, instance_id = import_directive(eng, source, actor=actor, fmt="json" if args.json else None)
    finally:
        eng.shutdown()
    if directive_id is None:
        print(f"Started intake of the national directive: instance #{instance_id}")
    else:
        print(f"Created directive #{directive_id}; its life runs as instance #{instance_id} (drafting)")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the whole life of the two seed directives and write their documents into --out."""
    import tempfile

    from engine.app import build_engine
    from engine.directives.demo import DEMO_START, main
    from engine.kernel.clock import FrozenClock

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'demo.db'}"
        clock = FrozenClock(DEMO_START)
        eng = build_engine(url, clock=clock, migrate=True)
        try:
            return main(eng, clock, Path(args.out))
        finally:
            eng.shutdown()


def add_commands(sub) -> None:
    """Register `directive import` and `demo` on the subparsers `sub`."""
    directive = sub.add_parser("directive", help="directives").add_subparsers(dest="directive_command",
                                                                             required=True)
    imp = directive.add_parser("import", help="import a directive description and start its life")
    imp.add_argument("file", help="a .yaml/.yml/.json description (workflows/directives/FORMAT.md)")
    imp.add_argument("--json", action="store_true", help="read FILE as JSON whatever its suffix")
    imp.add_argument("--actor", default=None, help="username recorded as the importer (default: system)")
    imp.set_defaults(handler=cmd_directive_import)
    demo = sub.add_parser("demo", help="run the life of two seed directives with a moved clock, no browser")
    demo.add_argument("--out", required=True, help="directory for every generated .docx")
    demo.set_defaults(handler=cmd_demo)
