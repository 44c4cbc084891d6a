"""Entry points of the drafting editor and of the pages that review a draft.

- `open_editor` / `new_editor`: what the editor shows (the form, the issuer's signers and Nơi nhận
  presets, the names of the bodies picked, the return comments, the consultation comments).
- `post_editor`: one post of the editor — an operation that changes the form without saving (add,
  remove, reorder, paste from Word, a preset, Nơi nhận from the assignments, a list reused from an
  old directive mapped to successors), or "save" (a new version of the draft, refused with every
  problem mapped to its field and nothing typed lost), or "create" (the "Tạo chỉ thị" page).
- `draft_preview`: the draft rendered as the .docx the office will print, as HTML.
- `review_changes`: what changed since the version a reviewer returned, part by part.
- `respond`: the drafter's tiếp thu / giải trình of one consultation comment.

Who may do what is engine/directives/policy.py; the directory rule is engine/directives/checks.py.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..directory.models import Body
from ..directory.service import map_to_successors, printed_name
from ..documents import DocumentStore, build_context, preview_html, render_document
from ..kernel.accounts import Actor
from ..kernel.calendar import local_date
from ..kernel.errors import FieldProblem, FormError, NotFound, PermissionDenied
from ..model.codec import directive_from_dict, directive_to_dict
from ..model.diff import PartChange, diff_directives
from ..model.directive import Directive, Side, directive_date
from ..model.loader import validate_directive_data
from . import store
from .checks import directory_problems
from .editor import (
    EditorForm,
    apply_op,
    assigned_codes,
    field_of,
    form_of,
    new_form,
    parse_form,
    to_description,
)
from .issuers import Profile, issuer_profile, presets_of, save_preset, signer_key
from .paperwork import consultation_rows
from .policy import may_edit_draft, reader_scope, require_edit_draft, require_import

RETURN_STAGES = ("review", "signing")


@dataclass
class EditorView:
    """What the editor page shows."""

    directive_id: int | None
    form: EditorForm
    profile: Profile
    on: date  # the directive's date: the pickers offer the bodies valid then
    names: dict[str, str]  # directory code → printed name, for every code in the form
    presets: list[tuple[int, str, int]]  # (id, name, number of lines)
    reusable: list[tuple[int, str]]  # other directives of the issuer, to reuse their Nơi nhận
    may_edit: bool = True
    stage: str = "drafting"
    version: int | None = None
    returns: list[dict] = field(default_factory=list)  # return comments, newest first
    consultation: list[dict] = field(default_factory=list)  # consultation comments with their handling
    notes: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # editor field → message
    problem_list: list[str] = field(default_factory=list)
    national: dict | None = None  # the national document the directive answers


def archive_line(side: Side, unit: str, issuer_name: str) -> str:
    """The generated Lưu line: "Lưu: VT, KGVX" (State), "Lưu Văn phòng Tỉnh ủy" (Party)."""
    if side is Side.STATE:
        return f"Lưu: VT, {unit}"
    return "Lưu Văn phòng Thành ủy" if "THÀNH ỦY" in issuer_name.upper() else "Lưu Văn phòng Tỉnh ủy"


def _names(s: Session, form: EditorForm) -> dict[str, str]:
    codes = set(assigned_codes(form)) | {r.report_to for r in form.rows if r.report_to} | {
        r.code for r in form.recipients if r.code}
    if not codes:
        return {}
    return {b.code: printed_name(b) for b in s.scalars(select(Body).where(Body.code.in_(codes)))}


def _signatures(profile: Profile, d: Directive | None) -> dict[str, dict]:
    out = {c.key: {"authority": c.signature.authority, "title": c.signature.title, "name": c.signature.name}
           for c in profile.signers}
    if d is not None:
        out.setdefault(signer_key(d.signature), {"authority": d.signature.authority, "title": d.signature.title,
                                                 "name": d.signature.name})
    return out


def _view(s: Session, engine, actor: Actor, form: EditorForm, profile: Profile, row: store.DirectiveRow | None,
          d: Directive | None) -> EditorView:
    today = local_date(engine.clock.now())
    on = directive_date(d, today) if d is not None else today
    reusable = [(r.id, f"{_label(r)} — {' '.join(r.subject.split())[:90]}") for r in s.scalars(
        select(store.DirectiveRow).where(store.DirectiveRow.issuer_code == profile.code)
        .order_by(store.DirectiveRow.id.desc()).limit(50)) if row is None or r.id != row.id]
    view = EditorView(directive_id=row.id if row else None, form=form, profile=profile, on=on,
                      names=_names(s, form), reusable=reusable,
                      presets=[(p.id, p.name, len(p.lines)) for p in presets_of(s, profile.code)])
    if row is not None:
        view.may_edit, view.stage, view.version = may_edit_draft(actor, row), row.stage, row.version
        comments = store.list_comments(s, row.id)
        view.returns = [_comment(c) for c in reversed(comments) if c.stage in RETURN_STAGES]
        view.consultation = consultation_rows(s, row.id)
        if d is not None and d.implements is not None:
            from ..registers import incoming_for_directive

            entry = incoming_for_directive(s, row.id)
            view.national = {"citation": f"{entry.document_type or 'Văn bản'} " if entry else "",
                             "subject": d.implements.subject,
                             "entry_id": entry.id if entry is not None and entry.file_sha256 else None}
            view.national["citation"] += d.implements.citation
    return view


def _label(row: store.DirectiveRow) -> str:
    from ..model.directive import number_text

    return number_text(row.side, row.number, row.symbol) if row.number else f"Dự thảo #{row.id}"


def _comment(c: store.DirectiveComment) -> dict:
    return {"id": c.id, "stage": c.stage, "actor": c.actor, "at": c.at, "text": c.text, "version": c.version}


def _load(s: Session, directive_id: int, actor: Actor) -> tuple[store.DirectiveRow, Directive]:
    row, d = store.get_directive(s, directive_id)
    if not reader_scope(s, row, actor).full:
        raise NotFound(f"không có chỉ thị id={directive_id}")
    return row, d


def open_editor(engine, directive_id: int, actor: Actor) -> EditorView:
    """The editor of a stored directive (the issuing office reads it; editing: policy.may_edit_draft)."""
    with engine.db.session() as s:
        row, d = _load(s, directive_id, actor)
        profile = issuer_profile(s, d.issuer_code)
        form = form_of(d, archive_line(d.side, d.drafting_unit, d.issuer_name))
        return _view(s, engine, actor, form, profile, row, d)


def new_editor(engine, actor: Actor) -> EditorView:
    """An empty editor for a new directive of the actor's body (the "Tạo chỉ thị" page)."""
    require_import(actor, actor.body_code)
    if not actor.body_code:
        raise PermissionDenied("Tài khoản chưa gắn với cơ quan ban hành nào")
    with engine.db.session() as s:
        profile = issuer_profile(s, actor.body_code)
        signer = profile.signers[0].key if profile.signers else ""
        form = new_form(profile.side, profile.default_unit,
                        archive_line(profile.side, profile.default_unit, profile.printed_name), signer)
        return _view(s, engine, actor, form, profile, None, None)


def _base(profile: Profile, today: date) -> dict:
    """The description a new directive starts from: the issuer's header."""
    return {"issuer_code": profile.code, "issuer_name": profile.printed_name, "issuer_symbol": profile.symbol,
            "place": profile.place, "parent_issuer_name": profile.parent_printed_name, "year": today.year,
            "month": today.month}


def _describe(s: Session, form: EditorForm, base: dict, profile: Profile, d: Directive | None, on: date,
              names: Mapping[str, str]) -> Directive:
    """The Directive the form describes, or FormError with every problem mapped to its field."""
    problems = []
    for k, row in enumerate(form.rows):
        has_content = row.tasks.strip() or row.section_ref or row.frequency
        if not row.everyone and not row.lead and not row.partners.strip() and has_content:
            problems.append(FieldProblem(f"a-{k}-lead", f"dòng giao nhiệm vụ {k + 1}: chọn cơ quan chủ trì (hoặc phối "
                                                        "hợp), hoặc đánh dấu «Gửi chung, không theo dõi»"))
        if row.frequency and row.frequency != "once" and not (row.start and row.until):
            problems.append(FieldProblem(f"a-{k}-start", f"dòng giao nhiệm vụ {k + 1}: chu kỳ báo cáo cần ngày "
                                                         "bắt đầu và ngày kết thúc"))
    if form.signer not in _signatures(profile, d):
        problems.append(FieldProblem("signer", "chọn người ký trong danh sách người ký của cơ quan"))
    data, fields = to_description(form, base, names, _signatures(profile, d))
    try:
        directive = directive_from_dict(validate_directive_data(data))
    except FormError as exc:
        raise FormError(problems + [FieldProblem(field_of(p.field, fields), _plain(p.message))
                                    for p in exc.fields]) from None
    problems += [FieldProblem(field_of(p.field, fields), p.message) for p in directory_problems(s, directive, on)]
    if problems:
        raise FormError(problems)
    return directive


def _plain(message: str) -> str:
    """A schema message without its English gloss in brackets (the page speaks Vietnamese)."""
    return message.split(" (")[0] if message.endswith(")") and " (" in message else message


def post_editor(engine, directive_id: int | None, posted: Mapping[str, Any], op: str,
                actor: Actor) -> tuple[EditorView, int | None]:
    """One post of the editor (see the module docstring); (the view to show, the id of a directive
    just created or None). A refused save or creation raises nothing: the view carries the problems
    and the form as typed."""
    form = parse_form(posted)
    today = local_date(engine.clock.now())
    with engine.db.session(write=True) as s:
        if directive_id is None:
            require_import(actor, actor.body_code)
            row, d = None, None
            profile = issuer_profile(s, actor.body_code or "")
            base = _base(profile, today)
        else:
            row, d = _load(s, directive_id, actor)
            require_edit_draft(actor, row)
            profile = issuer_profile(s, d.issuer_code)
            base = directive_to_dict(d)
        on = directive_date(d, today) if d is not None else today
        notes: list[str] = []
        created = None
        if op in ("save", "create"):
            try:
                directive = _describe(s, form, base, profile, d, on, _names(s, form))
            except FormError as exc:
                view = _view(s, engine, actor, form, profile, row, d)
                view.problems = {p.field: p.message for p in exc.fields}
                view.problem_list = [p.message for p in exc.fields]
                return view, None
            if row is not None:
                store.update_directive(s, row.id, directive, actor.username, engine.clock.now(), reason="saved")
                row, d = store.get_directive(s, row.id)
                form = form_of(d, archive_line(d.side, d.drafting_unit, d.issuer_name))
                notes.append(f"Đã lưu dự thảo, phiên bản {row.version}.")
        elif op.startswith("preset:"):
            notes.append(_apply_preset(s, form, profile, op.partition(":")[2]))
        elif op == "from_assignments":
            notes.append(_from_assignments(s, form))
        elif op == "add_bodies":
            notes.append(_add_bodies(s, form, str(_one(posted.get("new_recipients")) or "")))
        elif op == "reuse":
            notes += _reuse(s, form, profile, str(_one(posted.get("reuse_from")) or ""), on, actor)
        elif op == "save_preset":
            lines = [{"text": r.text, "code": r.code} for r in form.recipients]
            try:
                preset = save_preset(s, profile.code, form.preset_name, lines, actor=actor.username,
                                     now=engine.clock.now())
                notes.append(f"Đã lưu danh sách Nơi nhận «{preset.name}» ({len(preset.lines)} dòng).")
                form.preset_name = ""
            except FormError as exc:
                notes += [p.message for p in exc.fields]
        else:
            note = apply_op(form, op)
            if note:
                notes.append(note)
        if op == "create":
            created = directive
        view = _view(s, engine, actor, form, profile, row, d)
        view.notes = notes
    if created is not None:
        from .life import import_directive
        from .services import route_of

        try:
            new_id, _instance = import_directive(engine, directive_to_dict(created), actor=actor,
                                                 route=route_of(created))
        except FormError as exc:
            view.problems = {field_of(p.field, {}): p.message for p in exc.fields}
            view.problem_list = [p.message for p in exc.fields]
            return view, None
        return view, new_id
    return view, None


def _apply_preset(s: Session, form: EditorForm, profile: Profile, preset_id: str) -> str:
    from .editor import RecipientForm
    from .issuers import RecipientPreset

    preset = s.get(RecipientPreset, int(preset_id)) if preset_id.isdigit() else None
    if preset is None or preset.issuer_code != profile.code:
        return "Không có danh sách Nơi nhận này."
    have = {(r.code or r.text) for r in form.recipients}
    form.recipients = [r for r in form.recipients if r.text.strip() or r.code]
    added = [line for line in preset.lines if (line.get("code") or line["text"]) not in have]
    form.recipients += [RecipientForm(line["text"], line.get("code") or "") for line in added]
    return f"Đã thêm {len(added)} dòng Nơi nhận từ danh sách «{preset.name}»."


def _one(value: Any) -> Any:
    return value[0] if isinstance(value, (list, tuple)) and value else value


def _add_bodies(s: Session, form: EditorForm, codes_text: str) -> str:
    from .editor import RecipientForm
    from .services import split_codes

    codes = split_codes(codes_text)[:50]
    names = {b.code: printed_name(b) for b in s.scalars(select(Body).where(Body.code.in_(codes)))} if codes else {}
    have = {r.code for r in form.recipients if r.code}
    form.recipients = [r for r in form.recipients if r.text.strip() or r.code]
    added = [c for c in codes if c in names and c not in have]
    form.recipients += [RecipientForm(names[c], c) for c in added]
    return f"Đã thêm {len(added)} cơ quan vào Nơi nhận." if added else "Chọn cơ quan trong ô tìm kiếm để thêm."


def _from_assignments(s: Session, form: EditorForm) -> str:
    from .editor import RecipientForm

    names = _names(s, form)
    have = {r.code for r in form.recipients if r.code}
    form.recipients = [r for r in form.recipients if r.text.strip() or r.code]
    added = [code for code in assigned_codes(form) if code not in have]
    form.recipients += [RecipientForm(names.get(code, code), code) for code in added]
    return (f"Đã thêm {len(added)} cơ quan được giao nhiệm vụ vào Nơi nhận." if added
            else "Các cơ quan được giao nhiệm vụ đã có trong Nơi nhận.")


def _reuse(s: Session, form: EditorForm, profile: Profile, source: str, on: date, actor: Actor) -> list[str]:
    """Nơi nhận of an old directive, each body mapped to what exists on `on`, with the change said."""
    from .editor import RecipientForm

    old = s.get(store.DirectiveRow, int(source)) if source.isdigit() else None
    if old is None or old.issuer_code != profile.code or not reader_scope(s, old, actor).full:
        return ["Chọn một chỉ thị của cơ quan để dùng lại Nơi nhận."]
    lines = [r for r in directive_from_dict(old.data).recipients if not r.is_archive]
    mapped = {m.code: m for m in map_to_successors(s, [r.body_code for r in lines if r.body_code], on)}
    have = {r.code or r.text for r in form.recipients}
    form.recipients = [r for r in form.recipients if r.text.strip() or r.code]
    notes, kept = [], 0
    for r in lines:
        m = mapped.get(r.body_code or "")
        if m is None or m.status == "kept":
            if (r.body_code or r.text) not in have:
                form.recipients.append(RecipientForm(r.text, r.body_code or ""))
                have.add(r.body_code or r.text)
                kept += 1
            continue
        if m.status == "replaced":
            added = []
            for succ in m.successors:
                if succ.code not in have:
                    body = s.get(Body, succ.code)
                    form.recipients.append(RecipientForm(printed_name(body) if body else succ.name, succ.code))
                    have.add(succ.code)
                    added.append(printed_name(body) if body else succ.name)
            notes.append(f"«{r.text}» không còn vào ngày {on:%d/%m/%Y}; thay bằng: {', '.join(added) or 'đã có sẵn'}.")
        else:
            notes.append(f"«{r.text}» không còn vào ngày {on:%d/%m/%Y} và không có đơn vị kế thừa: đã bỏ.")
    return [f"Đã dùng lại Nơi nhận của {_label(old)}: giữ {kept} dòng."] + notes


def draft_docx(engine, directive_id: int, actor: Actor | None) -> bytes:
    """The draft as it stands, rendered as the .docx a directive_draft would be (nothing stored)."""
    with engine.db.session() as s:
        row, d = store.get_directive(s, directive_id)
        if not reader_scope(s, row, actor).full:
            raise NotFound(f"không có chỉ thị id={directive_id}")
        kind = "directive_final" if row.issued_on is not None else "directive_draft"
        context = build_context(kind, d)
        return render_document(kind, context, template_bytes=DocumentStore().active_template(s, kind, d.side.value))


def draft_file(engine, directive_id: int, actor: Actor | None) -> tuple[str, bytes]:
    """(file name, .docx bytes) of the draft as it stands, named as offices name files."""
    from ..documents.kinds import file_name

    data = draft_docx(engine, directive_id, actor)
    with engine.db.session() as s:
        row, d = store.get_directive(s, directive_id)
    if row.issued_on is not None:
        return file_name("directive_final", d, number_text=d.number_text), data
    return file_name("directive_draft", d, detail=f"lần {d.draft_number}" if d.draft_number else None), data


def draft_preview(engine, directive_id: int, actor: Actor | None) -> str:
    """The draft as it stands, as the HTML preview of its .docx."""
    return preview_html(draft_docx(engine, directive_id, actor))


@dataclass
class Changes:
    """What changed in a draft since a version a reviewer read."""

    since: int | None  # the version compared with (None: nothing to compare, a first reading)
    current: int
    changes: list[PartChange]
    comment: dict | None  # the return comment made on that version


def review_changes(engine, directive_id: int, actor: Actor | None, since: int | None = None) -> Changes:
    """Changes since `since`, or since the version of the latest return by `actor` (else by anyone)."""
    with engine.db.session() as s:
        row, d = store.get_directive(s, directive_id)
        if not reader_scope(s, row, actor).full:
            raise NotFound(f"không có chỉ thị id={directive_id}")
        returns = [c for c in reversed(store.list_comments(s, directive_id)) if c.stage in RETURN_STAGES]
        mine = [c for c in returns if actor is not None and c.actor == actor.username]
        if since is None:
            comment = (mine or returns)[0] if (mine or returns) else None
        else:
            comment = next((c for c in returns if c.version == since), None)
        base = since if since is not None else (comment.version if comment is not None else None)
        if base is None or base >= row.version:
            return Changes(None, row.version, [], _comment(comment) if comment else None)
        try:
            old = store.version_of(s, directive_id, base)
        except NotFound:
            return Changes(None, row.version, [], _comment(comment) if comment else None)
        return Changes(base, row.version, diff_directives(old, d), _comment(comment) if comment else None)


def respond(engine, directive_id: int, comment_id: int, kind: str, text: str, actor: Actor) -> None:
    """Record the drafter's tiếp thu (accepted) or giải trình (explained) of a consultation comment."""
    problems = []
    if kind not in store.RESPONSE_KINDS:
        problems.append(FieldProblem(f"kind-{comment_id}", "chọn Tiếp thu hoặc Giải trình"))
    if not text.strip():
        problems.append(FieldProblem(f"response-{comment_id}", "ghi nội dung tiếp thu hoặc lý do giải trình"))
    if len(text) > 20_000:
        problems.append(FieldProblem(f"response-{comment_id}", "tối đa 20.000 ký tự"))
    if problems:
        raise FormError(problems)
    with engine.db.session(write=True) as s:
        row, _d = _load(s, directive_id, actor)
        require_edit_draft(actor, row)
        store.respond_to_comment(s, directive_id, comment_id, kind=kind, text=text, actor=actor.username,
                                 now=engine.clock.now())


VERSION_REASONS = {"created": "Tạo hồ sơ", "saved": "Lưu dự thảo", "instrument": "Chọn hình thức văn bản",
                   "draft_round": "Trình dự thảo", "signature": "Ghi người ký", "issued": "Cấp số, ban hành",
                   "migrated": "Trạng thái khi nâng cấp"}


def versions_view(engine, directive_id: int, actor: Actor | None) -> list[dict]:
    """Every kept version of the directive, newest first: {version, reason, who, at}."""
    with engine.db.session() as s:
        row, _d = _load(s, directive_id, actor) if actor is not None else store.get_directive(s, directive_id)
        people: dict[str, str] = {}
        out = []
        for v in reversed(store.versions_of(s, directive_id)):
            if v.saved_by not in people:
                account = engine.accounts.get(v.saved_by)
                people[v.saved_by] = account.full_name if account and account.full_name else v.saved_by
            out.append({"version": v.version, "reason": VERSION_REASONS.get(v.reason, v.reason),
                        "who": people[v.saved_by], "at": v.saved_at, "current": v.version == row.version})
        return out
