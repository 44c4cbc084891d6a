"""What a task serving a directive is about, in words: the inbox shows "Chỉ thị 05/CT-UBND — Về việc …"
instead of a code, searches it by its number, the national document it implements and its documents,
and the reminders stop once the directive is closed (the kernel's `RefSummary`)."""
from __future__ import annotations

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from ..documents.kinds import KINDS
from ..documents.store import GeneratedDocument
from ..kernel.refs import RefSummary
from ..model.directive import Instrument, number_text
from .store import DIRECTIVE, DirectiveRow

INSTRUMENT_NAMES = {Instrument.CHI_THI.value: "Chỉ thị", Instrument.KE_HOACH.value: "Kế hoạch",
                    Instrument.CONG_DIEN.value: "Công điện", Instrument.CONG_VAN.value: "Công văn"}


def directive_title(row: DirectiveRow | Row) -> str:
    """"Chỉ thị 05/CT-UBND: Về việc …" once issued, "Dự thảo chỉ thị: Về việc …" before."""
    kind = INSTRUMENT_NAMES.get(row.instrument, "Văn bản")
    subject = " ".join((row.subject or "").split())
    if row.number:
        return f"{kind} {number_text(row.side, row.number, row.symbol)}: {subject}"
    return f"Dự thảo {kind.lower()}: {subject}"


def describe_directive(s: Session, ref_type: str, ref_id: int) -> RefSummary | None:
    """The directive's title, its search words and whether it is closed (the feature's `describe_ref`)."""
    if ref_type != DIRECTIVE:
        return None
    # the columns of the title only: the directive's `data` (its whole text and every assignment) is
    # not parsed on every save of every instance serving it
    row = s.execute(select(DirectiveRow.instrument, DirectiveRow.subject, DirectiveRow.number, DirectiveRow.side,
                           DirectiveRow.symbol, DirectiveRow.stage, DirectiveRow.national_ref)
                    .where(DirectiveRow.id == ref_id)).first()
    if row is None:
        return None
    documents = s.execute(select(GeneratedDocument.kind, GeneratedDocument.filename)
                          .where(GeneratedDocument.directive_id == ref_id).distinct().limit(40)).all()
    words = [row.national_ref or "", str(row.number or ""), row.symbol or ""]
    for kind, filename in documents:
        spec = KINDS.get(kind)
        words += [spec.title if spec is not None else "", filename]
    return RefSummary(subject=directive_title(row), keywords=" ".join(w for w in words if w),
                      closed=row.stage == "closed")
