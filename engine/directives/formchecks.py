"""Checks of the directive models' task forms beyond field types, run by the engine before a task
completes (engine/kernel/forms.py: FormCheck): a refusal is a FormError naming the field and what to
fix, with what was typed kept on the page — never an instance left in the error state.

- Bút phê (intake `Task_assign`): the lead and partner units exist in the directory today; a
  deadline in the past is refused unless the leader confirms it.
- Sending a draft on (`Task_draft`): the draft is complete and names only bodies that exist on its
  date; the departments consulted exist today, with a deadline to come.
- Tiếp thu, giải trình (`Task_absorb`): every comment received is taken in or explained.
- Review and sign-off: approving re-checks the directory; the signer is one of the issuer's.
- Issuance (`Task_issue`): every body exists on the issue date.
- Reviewing a chasing letter (`directive_period` `Task_review_chasing`): the signer is one of the issuer's.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ..directory.service import check_recipients, get_body
from ..kernel.calendar import local_date
from ..kernel.errors import FieldProblem, FormError, NotFound
from ..kernel.forms import FormCheck
from ..model.directive import Directive, directive_date
from . import store
from .checks import completeness_problems, directory_problems
from .issuers import issuer_profile, signer_key
from .services import split_codes

APPROVALS = ("Task_head_review", "Task_office", "Task_sign_party", "Task_sign_state", "Task_sign_light")
SIGNING = ("Task_sign_party", "Task_sign_state", "Task_sign_light")


def _bodies(session: Session, field: str, value: Any, on: date, what: str) -> tuple[list[str], list[FieldProblem]]:
    """Directory codes of a picker's value and the problems of those that do not exist on `on`."""
    codes = split_codes(value)
    problems = [FieldProblem(field, f"{what}: {p.message} (ngày {on:%d/%m/%Y})")
                for p in check_recipients(session, codes, on)]
    return codes, problems


def _directive(check: FormCheck) -> tuple[int, Directive]:
    if check.ref_type != store.DIRECTIVE or not check.ref_id:
        raise NotFound("việc này không gắn với chỉ thị nào")
    _row, d = store.get_directive(check.session, check.ref_id)
    return check.ref_id, d


def _assign(check: FormCheck, today: date) -> dict:
    values = dict(check.values)
    lead, problems = _bodies(check.session, "lead_unit", values.get("lead_unit"), today, "đơn vị chủ trì")
    if len(lead) > 1:
        problems.append(FieldProblem("lead_unit", "chọn một đơn vị chủ trì; các đơn vị khác là phối hợp"))
    partners, more = _bodies(check.session, "partner_units", values.get("partner_units"), today, "đơn vị phối hợp")
    problems += more
    if lead and lead[0] in partners:
        problems.append(FieldProblem("partner_units", f"{get_body(check.session, lead[0]).name} đã là đơn vị chủ trì; "
                                                      "bỏ khỏi danh sách phối hợp"))
    deadline = values.get("deadline")
    if deadline and date.fromisoformat(deadline) < today and not values.get("confirm_past"):
        problems.append(FieldProblem("deadline", (
            f"thời hạn {date.fromisoformat(deadline):%d/%m/%Y} đã qua (hôm nay {today:%d/%m/%Y}); chọn ngày khác, "
            "hoặc đánh dấu «Xác nhận thời hạn đã qua» nếu ghi nhận một chỉ đạo đã cho trước đây")))
    if problems:
        raise FormError(problems)
    values["lead_unit"], values["partner_units"] = (lead[0] if lead else ""), ", ".join(partners)
    return values


def _draft(check: FormCheck, today: date) -> dict:
    values = dict(check.values)
    _did, d = _directive(check)
    problems = completeness_problems(d) + directory_problems(check.session, d, directive_date(d, today))
    problems = [FieldProblem("draft", f"dự thảo: {p.message}") for p in problems]
    if values.get("consult"):
        codes, more = _bodies(check.session, "consult_bodies", values.get("consult_bodies"), today,
                              "cơ quan được lấy ý kiến")
        problems += more
        if not codes:
            problems.append(FieldProblem("consult_bodies", "chọn ít nhất một cơ quan để lấy ý kiến, hoặc bỏ dấu "
                                                           "«Gửi dự thảo lấy ý kiến»"))
        if d.issuer_code in codes:
            problems.append(FieldProblem("consult_bodies", "không lấy ý kiến chính cơ quan ban hành"))
        deadline = values.get("consult_deadline")
        if deadline and date.fromisoformat(deadline) < today:
            problems.append(FieldProblem("consult_deadline", f"hạn góp ý {date.fromisoformat(deadline):%d/%m/%Y} "
                                                             f"đã qua; chọn từ hôm nay ({today:%d/%m/%Y}) trở đi"))
        values["consult_bodies"] = ", ".join(codes)
    if problems:
        raise FormError(problems)
    return values


def _absorb(check: FormCheck, today: date) -> None:
    did, _d = _directive(check)
    open_ = [c for c in store.list_comments(check.session, did) if c.stage == "consultation" and not c.response_kind]
    if open_:
        names = []
        for c in open_:
            try:
                names.append(get_body(check.session, c.body_code).name if c.body_code else c.actor)
            except NotFound:
                names.append(c.body_code or c.actor)
        raise FormError([FieldProblem("responses", (
            f"còn {len(open_)} ý kiến chưa tiếp thu hoặc giải trình ({'; '.join(names)}); ghi cách xử lý từng "
            "ý kiến trong bảng rồi hoàn thành"))])


def _approve(check: FormCheck, today: date) -> dict | None:
    if check.values.get("decision") != "approve":
        return None
    did, d = _directive(check)
    problems = directory_problems(check.session, d, directive_date(d, today))
    values = dict(check.values)
    if check.element_id in SIGNING and "signer" in values:
        offered = {c.key for c in issuer_profile(check.session, d.issuer_code).signers} | {signer_key(d.signature)}
        if not values.get("signer"):
            values["signer"] = signer_key(d.signature)
        elif values["signer"] not in offered:
            problems.append(FieldProblem("signer", "chọn người ký trong danh sách người ký của cơ quan ban hành"))
    if problems:
        raise FormError([p if p.field == "signer" else FieldProblem("decision", f"chưa trình tiếp được: {p.message}")
                         for p in problems])
    return values


def _chasing_signer(check: FormCheck) -> dict:
    """A chasing letter is signed by one of the issuer's signers (the directive's signer by default)."""
    _did, d = _directive(check)
    values = dict(check.values)
    offered = {c.key for c in issuer_profile(check.session, d.issuer_code).signers} | {signer_key(d.signature)}
    if not values.get("signer"):
        values["signer"] = signer_key(d.signature)
    elif values["signer"] not in offered:
        raise FormError([FieldProblem("signer", "chọn người ký trong danh sách người ký của cơ quan ban hành")])
    return values


def _issue(check: FormCheck, today: date) -> None:
    _did, d = _directive(check)
    on = date.fromisoformat(check.values["issued_on"])
    problems = [FieldProblem("issued_on", p.message) for p in directory_problems(check.session, d, on)]
    if problems:
        raise FormError(problems)


def check_directive_forms(check: FormCheck) -> dict | None:
    """The form rules of the directive models (see the module docstring); other tasks pass."""
    today = local_date(check.now)
    key = (check.process_id, check.element_id)
    if key == ("directive_intake", "Task_assign") and "lead_unit" in check.values:
        return _assign(check, today)
    if key == ("directive_period", "Task_review_chasing"):
        return _chasing_signer(check)
    if check.process_id != "directive_life":
        return None
    if check.element_id == "Task_draft" and "consult_deadline" in check.values:
        return _draft(check, today)
    if check.element_id == "Task_absorb" and "note" in check.values:
        _absorb(check, today)
        return None
    if check.element_id in APPROVALS:
        return _approve(check, today)
    if check.element_id == "Task_issue":
        _issue(check, today)
    return None
