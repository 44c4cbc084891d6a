"""Rules a directive's content must pass, asked by every way in (editor, import page, CLI, API) and
by the steps that send it on (for comments, for sign-off, for issuance).

The directory is law: every body a directive names — assigned (lead or partner), reported to, or in
Nơi nhận — must exist on the directive's date; a body that ended is refused with its successors
named, so the drafter knows whom to pick instead. A draft sent on must also be complete: a subject,
at least one section, a signer and a Nơi nhận list.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ..directory.service import check_recipients
from ..kernel.errors import FieldProblem
from ..model.directive import Directive


def named_bodies(d: Directive) -> list[tuple[str, str, str]]:
    """(JSON path, code, what it is) of every directory body the directive names, in print order."""
    out = []
    for n, a in enumerate(d.assignments):
        if a.body_code:
            out.append((f"$.assignments[{n}].body_code", a.body_code, f"giao nhiệm vụ cho {a.body_name}"))
        if a.report_to_code:
            out.append((f"$.assignments[{n}].report_to_code", a.report_to_code, f"báo cáo về {a.report_to}"))
    for n, r in enumerate(d.recipients):
        if r.body_code and not r.is_archive:
            out.append((f"$.recipients[{n}].body_code", r.body_code, f"Nơi nhận: {r.text}"))
    return out


def directory_problems(session: Session, d: Directive, on: date) -> list[FieldProblem]:
    """Every body the directive names that does not exist on `on`, with its successors offered."""
    named = named_bodies(d)
    problems_by_code = {p.code: p for p in check_recipients(session, sorted({code for _, code, _ in named}), on)}
    out = []
    for path, code, what in named:
        problem = problems_by_code.get(code)
        if problem is not None:
            out.append(FieldProblem(path, f"{what}: {problem.message} (theo danh mục ngày {on:%d/%m/%Y})"))
    return out


def completeness_problems(d: Directive) -> list[FieldProblem]:
    """What a draft lacks before it can be sent for comments, review or sign-off."""
    problems = []
    if not " ".join(d.subject.split()):
        problems.append(FieldProblem("$.subject", "dự thảo chưa có trích yếu"))
    if not d.sections:
        problems.append(FieldProblem("$.sections", "dự thảo chưa có mục nào; thêm ít nhất một mục nội dung"))
    if not d.signature.name.strip() or not d.signature.title.strip():
        problems.append(FieldProblem("$.signature", "chưa chọn người ký"))
    if not [r for r in d.recipients if not r.is_archive]:
        problems.append(FieldProblem("$.recipients", "Nơi nhận đang trống; thêm cơ quan nhận văn bản"))
    for n, s in enumerate(d.sections):
        if not (s.heading or s.paragraphs or s.items):
            problems.append(FieldProblem(f"$.sections[{n}]", f"mục {s.label} chưa có nội dung"))
    return problems
