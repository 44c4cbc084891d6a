"""Entry points of a directive's life: import a description and start its process.

A full description (workflows/directives/FORMAT.md) creates the directive and starts
`directive_life` at the drafting stage — or, when it carries a number and an issue date (a
directive issued elsewhere), registers that number in the outgoing register and starts at
follow-up. A description holding only the national directive (`national` + `receiver`) is
registered as an incoming document and starts `directive_intake` (engine/directives/intake.py).

Every way in (page, CLI, API) is refused alike: a description that breaks the schema, names a body
that does not exist on the directive's date (the successor is offered), repeats a directive
already stored (same issuer, number/ký hiệu and year; or the same draft), or is for an issuer the
actor may not import for (engine/directives/policy.py).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from ..documents import DocumentStore, kind_spec, renditions
from ..documents.pdf import soffice_path
from ..documents.renditions import Rendition
from ..documents.store import DOCX_MIME
from ..kernel.accounts import Actor
from ..kernel.calendar import local_date
from ..kernel.errors import FieldProblem, FormError, NotFound
from ..model.codec import directive_from_dict, directive_to_dict
from ..model.directive import Directive, Side, directive_date, number_text
from ..model.loader import validate_directive_data
from .checks import directory_problems
from .policy import (
    is_issuing_reader,
    may_manage_follow_up,
    may_read_document,
    readable_documents,
    reader_scope,
    require_import,
    visible_directives,
)
from .store import DirectiveRow, assignments_of, create_directive, directive_ref, get_directive_row

NATIONAL_FIELDS = ("number", "symbol", "issuer", "date")
NATIONAL_KEYS = {"sender": "issuer", "sender_code": "issuer_code", "document_date": "date"}  # intake field → key
RECEIVER_FIELDS = ("issuer_code", "issuer_name", "issuer_symbol", "place")
PROCESSES = ("directive_life", "directive_intake", "directive_consultation", "directive_followup",
             "directive_period")


def _parse(source: Path | str | dict, fmt: str | None) -> Any:
    if isinstance(source, dict):
        return source
    if isinstance(source, Path):
        suffix = source.suffix.lower().lstrip(".")
        fmt = fmt or ("json" if suffix == "json" else "yaml")
        source = source.read_text(encoding="utf-8")
    try:
        return json.loads(source) if fmt == "json" else yaml.safe_load(source)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise FormError([FieldProblem("$", f"không đọc được {fmt or 'yaml'}: {exc}")]) from exc


def is_national_only(data: Any) -> bool:
    """True for a description that gives only the national directive (start at intake)."""
    return isinstance(data, dict) and "national" in data and "side" not in data


def _check_national(data: dict) -> dict:
    problems = []
    extra = sorted(set(data) - {"national", "receiver"})
    if extra:
        problems.append(FieldProblem("$", f"trường không được phép: {', '.join(extra)} (only national, receiver)"))
    for key, fields in (("national", NATIONAL_FIELDS), ("receiver", RECEIVER_FIELDS)):
        part = data.get(key)
        if not isinstance(part, dict):
            problems.append(FieldProblem(f"$.{key}", "cần một đối tượng (a mapping is required)"))
            continue
        problems += [FieldProblem(f"$.{key}.{f}", "thiếu trường bắt buộc (required field missing)")
                     for f in fields if not str(part.get(f) or "").strip()]
    if problems:
        raise FormError(problems)
    national = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data["national"].items()}
    return {"national": national, "receiver": dict(data["receiver"])}


def ensure_deployed(engine) -> None:
    """Deploy workflows/ when a directive process is missing, and load the reference data (the
    directory, Party terms, issuers) when the database has none (idempotent)."""
    from .reference import ensure_reference_data

    ensure_reference_data(engine)
    with engine.db.session() as s:
        try:
            for pid in PROCESSES:
                engine.definitions.latest(s, pid)
            return
        except NotFound:
            pass
    engine.deploy_directory()


def import_directive(engine, source: Path | str | dict, *, actor: Actor,
                     fmt: str | None = None, route: str | None = None) -> tuple[int, int]:
    """Validate a description, store the directive and start its life; (directive_id, instance_id).

    `source` is a file path, YAML/JSON text (`fmt` "yaml" default, or "json") or a parsed dict. A
    national-only description is registered as an incoming document and starts at intake. The
    issuing body (or the receiver, at intake) must be one `actor` may import for
    (engine/directives/policy.py). `route` (party | state | cong_van…) says the instrument is already
    chosen (the "Tạo chỉ thị" page): drafting starts without the choice of instrument.
    """
    if not isinstance(actor, Actor):
        raise TypeError("import_directive needs the acting Actor (its roles and body decide)")
    username = actor.username
    data = _parse(source, fmt)
    if is_national_only(data):
        from .intake import national_values, receive_incoming

        start = _check_national(data)
        require_import(actor, start["receiver"]["issuer_code"], describe=body_namer(engine))
        values = national_values(start["national"], local_date(engine.clock.now()))
        try:
            return receive_incoming(engine, values, None, actor=actor, receiver=start["receiver"], require_file=False)
        except FormError as exc:  # named as the description names them
            raise FormError([FieldProblem(f"$.national.{NATIONAL_KEYS.get(p.field, p.field)}", p.message)
                             for p in exc.fields]) from None
    directive = directive_from_dict(validate_directive_data(data))
    ensure_deployed(engine)  # before the checks: they read the directory
    require_import(actor, directive.issuer_code, describe=body_namer(engine))
    issued = _issued_elsewhere(directive)
    with engine.transaction() as s:
        _refuse_imported(s, directive, engine.clock)
        did = create_directive(s, directive, actor=username, clock=engine.clock,
                               stage="issued" if issued else "drafting", import_hash=import_hash(directive))
        if issued:
            _register_issued(s, did, directive, actor, engine.clock.now())
        chosen = {"item": {"route": route}} if route else None
        row = engine.instances.create(s, "directive_life", business_key=f"CT-{did}", actor=username, data=chosen,
                                      body_code=directive.issuer_code, ref=directive_ref(did))
        get_directive_row(s, did).instance_id = row.id
        return did, row.id


def body_namer(engine):
    """A function naming a directory body by its name (its code when the directory does not know it)."""
    from ..directory.models import Body

    def name(code: str) -> str:
        with engine.db.session() as s:
            body = s.get(Body, code) if code else None
            return body.name if body is not None else code

    return name


def import_hash(d: Directive) -> str:
    """The identity of a description as imported (its content without number, date or draft round):
    the same draft imported twice has the same hash."""
    data = directive_to_dict(d)
    for key in ("number", "issued_on", "draft_number", "year", "month"):
        data.pop(key, None)
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _issued_elsewhere(d: Directive) -> bool:
    """A description with a number and an issue date was issued elsewhere; one without either is a
    draft; one with only one of them is refused."""
    if (d.number is None) != (d.issued_on is None):
        missing = "$.issued_on" if d.issued_on is None else "$.number"
        raise FormError([FieldProblem(missing, "văn bản đã ban hành cần cả số và ngày ban hành; văn bản đang "
                                               "dự thảo thì để trống cả hai")])
    if d.number is not None and not d.signature.name.strip():
        raise FormError([FieldProblem("$.signature.name", "văn bản đã ban hành cần họ tên người ký")])
    return d.number is not None


def _refuse_imported(s, d: Directive, clock) -> None:
    """Refuse a directive already stored, or one naming a body that does not exist on its date."""
    from sqlalchemy import extract

    if d.number is not None and d.issued_on is not None:
        same = s.scalars(select(DirectiveRow).where(
            DirectiveRow.issuer_code == d.issuer_code, DirectiveRow.number == d.number,
            DirectiveRow.symbol == d.symbol, extract("year", DirectiveRow.issued_on) == d.issued_on.year)).first()
        if same is not None:
            raise FormError([FieldProblem("$.number", (
                f"{d.number_text} năm {d.issued_on.year} của {d.issuer_code} đã có trong hệ thống: chỉ thị "
                f"#{same.id} ({same.subject.splitlines()[0][:80]}); không nhập lại"))])
    else:
        same = s.scalars(select(DirectiveRow).where(DirectiveRow.issuer_code == d.issuer_code,
                                                    DirectiveRow.import_hash == import_hash(d))).first()
        if same is not None:
            raise FormError([FieldProblem("$", (
                f"dự thảo này đã được nhập: chỉ thị #{same.id} ({same.subject.splitlines()[0][:80]}); mở hồ sơ "
                "đó để tiếp tục soạn thảo thay vì nhập lại"))])
    problems = directory_problems(s, d, directive_date(d, local_date(clock.now())))
    if problems:
        raise FormError(problems)


def _register_issued(s, did: int, d: Directive, actor: Actor, now: datetime) -> None:
    """Put an already-issued directive's own number in the outgoing register (the register then
    continues after the highest number used)."""
    from ..registers import issue_number
    from .paperwork import ensure_party_terms, register_contents

    assert d.number is not None and d.issued_on is not None
    if d.side is Side.PARTY:
        ensure_party_terms(s, d.issuer_code)
    entry = issue_number(s, issuer_code=d.issuer_code, instrument=d.instrument, side=d.side, on=d.issued_on,
                         subject=" ".join(d.subject.split()), signer=d.signature.name, directive_id=did,
                         actor=actor.username, issuer_symbol=d.issuer_symbol, drafting_unit=d.drafting_unit, now=now,
                         number=d.number, note="Nhập văn bản đã ban hành", **register_contents(d, None))
    get_directive_row(s, did).outgoing_entry_id = entry.id


def update_draft(engine, directive_id: int, source: Path | str | dict, *, actor: Actor,
                 fmt: str | None = None) -> int:
    """Replace the held draft with a full description (the drafter's upload); returns its version."""
    from .store import update_directive

    data = _parse(source, fmt)
    directive = directive_from_dict(validate_directive_data(data))
    require_import(actor, directive.issuer_code)
    with engine.db.session(write=True) as s:
        require_import(actor, get_directive_row(s, directive_id).issuer_code)
        problems = directory_problems(s, directive, directive_date(directive, local_date(engine.clock.now())))
        if problems:
            raise FormError(problems)
        row = update_directive(s, directive_id, directive, actor.username, engine.clock.now())
        return row.version


def national_only(source: Path | str | dict, fmt: str | None = None) -> dict:
    """The national-only description (`national` + `receiver`) of a full description: what intake gets."""
    data = validate_directive_data(_parse(source, fmt))
    ref = data.get("implements")
    if not ref:
        raise FormError([FieldProblem("$.implements", "mô tả không có chỉ thị cấp trên (no national directive)")])
    keys = ("issuer_code", "issuer_name", "issuer_symbol", "place", "parent_issuer_name", "drafting_unit",
            "side", "signature")
    return {"national": dict(ref), "receiver": {k: data[k] for k in keys if data.get(k) is not None}}


def directive_summary(engine, directive_id: int, actor=None) -> dict:
    """The directive as the API shows it: header, stage, process, assignments, comments, documents.

    With an `actor`, by the rule of `engine/directives/policy.py`: the issuing office (and
    administrators) see everything; an assigned body sees the header, its own assignment and the
    documents it may read; a consulted department the header and the drafts it may read (no
    assignments); anyone else gets NotFound. A limited summary has `scope` and no `comments`.
    """
    from .store import list_comments

    with engine.db.session() as s:
        row = get_directive_row(s, directive_id)
        scope = reader_scope(s, row, actor)
        if not scope.visible:
            raise NotFound(f"không có chỉ thị id={row.id}")
        documents = [_document_json(doc) for doc in
                     reversed(DocumentStore().for_directive(s, directive_id, readable_documents(scope)))]
        printed = number_text(row.side, row.number, row.symbol) if row.number is not None else None
        if not scope.full:
            return {"id": row.id, "stage": row.stage, "number": row.number, "symbol": row.symbol,
                    "number_text": printed,
                    "subject": row.subject, "issued_on": row.issued_on.isoformat() if row.issued_on else None,
                    "scope": scope.kind, "assignments": [_assignment_json(a) for a in scope.assignments],
                    "documents": documents}
        d = directive_from_dict(row.data)  # the whole text, for the issuing office only
        return {
            "id": row.id, "stage": row.stage, "side": row.side, "instrument": row.instrument,
            "number": row.number, "symbol": row.symbol, "number_text": printed, "issuer_name": d.issuer_name,
            "issued_on": row.issued_on.isoformat() if row.issued_on else None,
            "subject": row.subject, "issuer_code": row.issuer_code, "national_ref": row.national_ref,
            "instance_id": row.instance_id, "version": row.version,
            "chase_auto_send": bool(row.chase_auto_send), "may_manage_follow_up": may_manage_follow_up(actor, row),
            "signature": {"authority": d.signature.authority, "title": d.signature.title, "name": d.signature.name},
            "assignments": [_assignment_json(a) for a in assignments_of(s, directive_id)],
            "comments": [{"stage": c.stage, "actor": c.actor, "at": c.at.isoformat(), "text": c.text,
                          "body_code": c.body_code, "version": c.version, "response_kind": c.response_kind,
                          "response": c.response}
                         for c in list_comments(s, directive_id)],
            "documents": documents,
        }


def _document_json(doc) -> dict:
    return {"id": doc.id, "kind": doc.kind, "version": doc.version, "filename": doc.filename,
            "sha256": doc.sha256, "created_at": doc.created_at.isoformat()}


def own_assignments(session, row, actor) -> list | None:
    """None when `actor` sees the directive in full, else its own assignments (empty for a consulted
    department); NotFound when it may not see the directive (rule: engine/directives/policy.py)."""
    scope = reader_scope(session, row, actor)
    if not scope.visible:
        raise NotFound(f"không có chỉ thị id={row.id}")
    return None if scope.full else list(scope.assignments)


def list_visible(engine, actor, *, limit: int = 100) -> list[dict]:
    """Directives `actor` may see (engine/directives/policy.py), newest first:
    {id, stage, number, symbol, subject, issued_on, issuer_code, full}."""
    query = select(DirectiveRow)
    condition = visible_directives(actor)
    if condition is not None:
        query = query.where(condition)
    query = query.order_by(DirectiveRow.created_at.desc(), DirectiveRow.id.desc()).limit(limit)
    with engine.db.session() as s:
        return [{"id": r.id, "stage": r.stage, "number": r.number, "symbol": r.symbol, "subject": r.subject,
                 "number_text": number_text(r.side, r.number, r.symbol) if r.number is not None else None,
                 "issued_on": r.issued_on.isoformat() if r.issued_on else None, "issuer_code": r.issuer_code,
                 "full": is_issuing_reader(actor, r.issuer_code)}
                for r in s.scalars(query)]


def _assignment_json(a) -> dict:
    return {"body_code": a.body_code, "body_name": a.body_name, "status": a.status, "tasks": list(a.tasks or []),
            "reports_submitted": a.reports_submitted, "reports_late": a.reports_late, "chase_count": a.chase_count,
            "followup_instance_id": a.followup_instance_id}


@dataclass(frozen=True)
class DocumentMeta:
    """What a reader sees of a stored document besides its bytes."""

    id: int
    kind: str
    kind_title: str
    version: int
    directive_id: int | None
    filename: str
    size: int
    sha256: str
    created_by: str
    created_at: datetime
    mime_type: str = DOCX_MIME


def _readable(s, document_id: int, actor: Actor | None) -> DocumentMeta:
    doc = DocumentStore().get(s, document_id)
    if not may_read_document(s, doc, actor):
        raise NotFound(f"không có văn bản số {document_id}")
    return DocumentMeta(id=doc.id, kind=doc.kind, kind_title=kind_spec(doc.kind).title, version=doc.version,
                        directive_id=doc.directive_id, filename=doc.filename, size=doc.size, sha256=doc.sha256,
                        created_by=doc.created_by, created_at=doc.created_at)


def document_for(engine, document_id: int, actor: Actor | None) -> tuple[DocumentMeta, bytes]:
    """The stored document and its .docx bytes if `actor` may read it (engine/directives/policy.py),
    else NotFound, as if it did not exist. A document without a directive: administrators only."""
    with engine.db.session() as s:
        meta = _readable(s, document_id, actor)
        return meta, DocumentStore().content(s, document_id)


def pdf_for(engine, document_id: int, actor: Actor | None, *, again: bool = False) -> tuple[DocumentMeta, Rendition]:
    """The PDF of a document `actor` may read: done with its bytes, or queued for the scheduler's
    conversion (engine/documents/renditions.py); `again` asks anew after a failed conversion."""
    soffice_path()  # OfficeSuiteMissing (503) rather than a request nobody can ever serve
    if not again:
        with engine.db.session() as s:  # the common case, a PDF made before: read only
            meta = _readable(s, document_id, actor)
            done = renditions.stored(s, meta.sha256)
        if done is not None:
            return meta, done
    with engine.db.session(write=True) as s:
        meta = _readable(s, document_id, actor)
        if again:
            renditions.retry(s, meta.sha256, engine.clock.now())
        return meta, renditions.request(s, meta.sha256, engine.clock.now())
