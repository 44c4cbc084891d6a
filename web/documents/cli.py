"""`chithi template list|download|upload|revert`: replace document templates from the command line.
`add_template_commands(sub)` registers them on the `chithi` parser. A refused template exits with 2."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_REFUSED = 2


def _run(args: argparse.Namespace, work) -> int:
    from ..cli import acting_account, open_engine

    eng = open_engine(args)
    try:
        return work(eng, acting_account(eng, args.actor))
    finally:
        eng.shutdown()


def cmd_list(args: argparse.Namespace) -> int:
    """Print one line per (kind, side): shipped or uploaded version, uploader, earlier uploads."""
    from engine.documents.templates_admin import template_overview

    def work(eng, actor) -> int:
        for slot in template_overview(eng, actor):
            source = (f"uploaded v{slot.version} by {slot.uploaded_by} at {slot.uploaded_at:%Y-%m-%d %H:%M}"
                      if slot.uploaded else "shipped")
            print(f"{slot.kind:<20} {slot.side:<6} {source:<48} earlier uploads: {slot.earlier_uploads}"
                  f"  ({slot.kind_title})")
        return 0

    return _run(args, work)


def cmd_download(args: argparse.Namespace) -> int:
    """Write the template in force to OUT (a file, or a directory to use the template's own name)."""
    from engine.documents.templates_admin import template_file

    def work(eng, actor) -> int:
        filename, data = template_file(eng, actor, args.kind, args.side)
        out = Path(args.out)
        target = out / filename if out.is_dir() else out
        target.write_bytes(data)
        print(f"Wrote {target} ({len(data)} bytes)")
        return 0

    return _run(args, work)


def cmd_upload(args: argparse.Namespace) -> int:
    """Validate and install FILE as the template of KIND and SIDE."""
    from engine.documents import TemplateRejected
    from engine.documents.templates_admin import upload_template

    path = Path(args.file)
    if not path.is_file():
        raise SystemExit(f"error: no such file: {path}")

    def work(eng, actor) -> int:
        try:
            slot = upload_template(eng, actor, args.kind, args.side, path.read_bytes())
        except TemplateRejected as exc:
            print("error: template refused:", file=sys.stderr)
            for problem in exc.fields:
                print(f"  - {problem.message}", file=sys.stderr)
            return EXIT_REFUSED
        print(f"Installed {path.name} as {slot.kind}.{slot.side} version {slot.version}")
        return 0

    return _run(args, work)


def cmd_revert(args: argparse.Namespace) -> int:
    """Put the shipped template of KIND and SIDE back in force."""
    from engine.documents.templates_admin import revert_template

    def work(eng, actor) -> int:
        slot = revert_template(eng, actor, args.kind, args.side)
        print(f"{slot.kind}.{slot.side} now uses the shipped template")
        return 0

    return _run(args, work)


def add_template_commands(sub) -> None:
    """Register `template list|download|upload|revert` on the subparsers `sub`."""
    template = sub.add_parser("template", help="document templates").add_subparsers(
        dest="template_command", required=True)
    actor_help = "username acting (must be an administrator; default: system)"

    def add(name: str, help_text: str, handler, *positional: tuple[str, str]):
        parser = template.add_parser(name, help=help_text)
        for arg, arg_help in positional:
            parser.add_argument(arg, help=arg_help)
        parser.add_argument("--actor", default="system", help=actor_help)
        parser.set_defaults(handler=handler)

    kind = ("kind", "document kind, e.g. directive_final (see `chithi template list`)")
    side = ("side", "state or party")
    add("list", "which template is in force for each kind and side", cmd_list)
    add("download", "write the template in force to a file", cmd_download, kind, side,
        ("out", "output file, or a directory"))
    add("upload", "install a .docx as the template of KIND and SIDE (exit 2 if refused)", cmd_upload,
        kind, side, ("file", "the .docx made in Word or LibreOffice"))
    add("revert", "go back to the shipped template", cmd_revert, kind, side)
