"""The directive's sections of a task page (web/features.py TaskPanel) and the sentence said after a
task is completed. Every panel asks the engine and returns None when it does not apply or the
person may not see it.

- summary: number as printed, stage, the national document (preview, download), return comments;
- editor (Task_draft, left column) and the draft's live preview with the return comments beside it;
- review (unit head, office, signer): the draft's preview (left) and what changed since the return;
- tiếp thu / giải trình (Task_absorb): every comment received with its handling;
- consulted department (Task_give_opinion): the draft it comments on;
- leader's assignment (Task_assign): the arrived document beside the bút phê form.
"""
from __future__ import annotations

from markupsafe import Markup

from engine.directives.drafting import draft_preview, open_editor, review_changes
from engine.directives.intake import incoming_view
from engine.directives.life import directive_summary, document_for
from engine.directives.lookup import body_names
from engine.directives.store import directive_of
from engine.documents import preview_html
from engine.kernel.calendar import local_date
from engine.kernel.errors import NotFound

from ..context import get_engine

APPROVALS = ("Task_head_review", "Task_office", "Task_sign_party", "Task_sign_state", "Task_sign_light")
OPEN = ("ready", "claimed")


class Names:
    """Printed names of directory codes, looked up when a template first asks (picker chips)."""

    def __init__(self, known: dict[str, str] | None = None):
        self._known = dict(known or {})

    def get(self, code: str, default: str | None = None) -> str:
        if code not in self._known:
            self._known.update(body_names(get_engine(), [code]))
        return self._known.get(code, default if default is not None else code)


def _directive(task):
    return directive_of(task)


def _widgets(directive_id: int, actor) -> dict:
    """What the task form's widgets need: the pickers' date and province, the issuer's signers."""
    eng = get_engine()
    view = open_editor(eng, directive_id, actor)
    return {"on": view.on, "province": view.profile.place, "scope": "province", "names": Names(view.names),
            "signers": [(c.key, c.label) for c in view.profile.signers] or [(view.form.signer, view.form.signer)],
            "signer": view.form.signer}


def summary_panel(task, actor) -> dict | None:
    """Số, ký hiệu as printed, trích yếu, stage, the national document, return comments, documents."""
    from .pages import named, return_comments

    directive_id = _directive(task)
    if directive_id is None:
        return None
    try:
        summary = directive_summary(get_engine(), directive_id, actor=actor)
    except NotFound:
        return None
    context = {"summary": summary, "returns": named(return_comments(summary)), "incoming": None}
    if summary.get("scope") is None:  # the issuing office: the national document and the pickers' context
        if task.element_id != "Task_assign":  # there it is shown in full beside the form
            context["incoming"] = incoming_view(get_engine(), directive_id, actor)
        if task.status in OPEN and any(f.widget for f in task.form):
            context["widgets"] = _widgets(directive_id, actor)
    return context


def editor_panel(task, actor) -> dict | None:
    """The drafting editor on the drafting task's page (left column)."""
    directive_id = _directive(task)
    if task.element_id != "Task_draft" or directive_id is None or task.status not in OPEN:
        return None
    try:
        view = open_editor(get_engine(), directive_id, actor)
    except NotFound:
        return None
    if not view.may_edit:
        return None
    return {"column": "left", "view": view, "task_id": task.id}


def preview_panel(task, actor) -> dict | None:
    """The draft as the office will print it: beside the editor (right) or the decision (left)."""
    directive_id = _directive(task)
    reviewing = task.element_id in APPROVALS and task.status in OPEN
    drafting = task.element_id in ("Task_draft", "Task_absorb") and task.status in OPEN
    if directive_id is None or not (reviewing or drafting):
        return None
    try:
        html = draft_preview(get_engine(), directive_id, actor)
    except NotFound:
        return None
    return {"column": "left" if reviewing else "right", "directive_id": directive_id, "preview": Markup(html),
            "title": "Dự thảo trình duyệt" if reviewing else "Bản xem trước (cập nhật khi lưu)"}


def changes_panel(task, actor) -> dict | None:
    """What changed since the version the reviewer returned (or, on a first reading, that it is one)."""
    directive_id = _directive(task)
    if directive_id is None or task.element_id not in APPROVALS or task.status not in OPEN:
        return None
    try:
        changes = review_changes(get_engine(), directive_id, actor)
    except NotFound:
        return None
    return {"changes": changes, "directive_id": directive_id}


def absorb_panel(task, actor) -> dict | None:
    """Every consultation comment with its tiếp thu / giải trình (Task_absorb, left column)."""
    directive_id = _directive(task)
    if task.element_id != "Task_absorb" or directive_id is None:
        return None
    try:
        view = open_editor(get_engine(), directive_id, actor)
    except NotFound:
        return None
    return {"column": "left", "directive_id": directive_id, "rows": view.consultation, "may_edit": view.may_edit,
            "task_id": task.id}


def consulted_panel(task, actor) -> dict | None:
    """The draft a consulted department comments on (the newest draft it may read), left column."""
    directive_id = _directive(task)
    if task.element_id != "Task_give_opinion" or directive_id is None:
        return None
    eng = get_engine()
    try:
        summary = directive_summary(eng, directive_id, actor=actor)
    except NotFound:
        return None
    drafts = [d for d in summary["documents"] if d["kind"] == "directive_draft"]
    if not drafts:
        return None
    meta, content = document_for(eng, drafts[0]["id"], actor)
    return {"column": "left", "document": meta, "preview": Markup(preview_html(content)),
            "title": "Dự thảo được gửi lấy ý kiến"}


def assign_panel(task, actor) -> dict | None:
    """The arrived document beside the leader's bút phê (left column)."""
    directive_id = _directive(task)
    if task.element_id != "Task_assign" or directive_id is None:
        return None
    incoming = incoming_view(get_engine(), directive_id, actor)
    if incoming is None:
        return None
    return {"column": "left", "incoming": incoming, "today": local_date(get_engine().clock.now())}


OUTCOMES_RETURN = "Đã trả lại dự thảo cho chuyên viên soạn thảo, kèm ý kiến của bạn."


def task_outcome(task, values: dict, instance) -> str | None:
    """What the completed step did, in words (not "Đã hoàn thành: …")."""
    element = task.element_id
    if element in APPROVALS and values.get("decision") == "return":
        return OUTCOMES_RETURN
    if element == "Task_assign":
        lead = body_names(get_engine(), [values.get("lead_unit") or ""]).get(values.get("lead_unit") or "", "")
        return (f"Đã giao {lead} chủ trì tham mưu, hạn {_vn(values.get('deadline'))}; đã lập phiếu giải quyết văn "
                "bản đến. Chuyên viên đề xuất hình thức văn bản.")
    if element == "Task_propose":
        return "Đã đề xuất hình thức văn bản; dự thảo bắt đầu từ trích yếu và căn cứ của văn bản cấp trên."
    if element == "Task_draft":
        if values.get("consult"):
            count = len([c for c in str(values.get("consult_bodies") or "").split(",") if c.strip()])
            return f"Đã gửi dự thảo lấy ý kiến {count} cơ quan, hạn góp ý {_vn(values.get('consult_deadline'))}."
        return "Đã trình dự thảo cho lãnh đạo đơn vị kiểm tra nội dung."
    if element == "Task_absorb":
        return "Đã lập bản tổng hợp, tiếp thu, giải trình ý kiến góp ý; dự thảo trình lãnh đạo đơn vị."
    if element == "Task_head_review":
        return "Đã đồng ý nội dung; phiếu trình đã lập, dự thảo chuyển thẩm định thể thức."
    if element == "Task_office":
        return "Đã thẩm định thể thức; dự thảo trình lãnh đạo ký."
    if element in ("Task_sign_party", "Task_sign_state", "Task_sign_light"):
        return "Đã ký ban hành; văn thư cấp số, ngày và phát hành."
    if element == "Task_issue":
        directive_id = directive_of(task)
        summary = directive_summary(get_engine(), directive_id) if directive_id else {}
        number = summary.get("number_text") or ""
        return f"Đã cấp số {number}, ngày {_vn(values.get('issued_on'))}; đã vào sổ văn bản đi và phát hành."
    if element == "Task_give_opinion":
        if values.get("opinion") == "agree":
            return "Đã gửi ý kiến: thống nhất với dự thảo."
        return "Đã gửi ý kiến góp ý cho cơ quan soạn thảo."
    if element == "Task_choose":
        return "Đã chọn hình thức văn bản; chuyên viên soạn thảo dự thảo."
    return None


def _vn(value) -> str:
    from ..filters import vn_date

    return vn_date(value) or "—"
