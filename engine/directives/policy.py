"""Who may do what with a directive: the one module the pages, the API, the CLI and the engine's
entry points ask (and the entry points enforce).

Importing or creating a directive, registering an incoming document: chuyên viên, văn thư and lãnh đạo
đơn vị of the issuing (receiving) body, and administrators — a clerk of one province cannot create
another province's directive. Rewriting a draft: chuyên viên and lãnh đạo đơn vị of the issuing body
while it is written (intake, drafting, consultation), never once it is sent for review.

Reading, the rule behind the summary, the lists and document access:

- The issuing office (an actor of the issuer's body), administrators and internal calls (no actor) see
  everything.
- An assigned body sees the header, its own assignment, the issued directive and its transmittal
  letter once issued, and the letters and reports of its own follow-up instance (reminder, chasing
  letters addressed to it; the body reports it submitted).
- A consulted department (a `directive_consultation` instance with its body code) sees the header and
  the draft it was asked to comment on: the `directive_draft` version current when its consultation
  started, and every later one.
- Nobody else sees the directive; nor does any of the above see submission slips, register pages,
  consolidated or close-out reports, or another body's letters and reports.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from ..documents import kinds
from ..documents.store import GeneratedDocument
from ..kernel.accounts import Actor
from ..kernel.errors import PermissionDenied
from ..kernel.models import ProcessInstance
from .store import DIRECTIVE, AssignmentRow, DirectiveRow, assignments_of

FULL, ASSIGNED, CONSULTED, NONE = "full", "assigned", "consulted", "none"
FOLLOWUP, PERIOD, CONSULTATION = "directive_followup", "directive_period", "directive_consultation"
DRAFT_KINDS = frozenset(k for k, spec in kinds.KINDS.items() if spec.audience == kinds.DRAFT)
IMPORT_ROLES = frozenset({"clerk", "records_clerk", "unit_head"})


def may_import(actor: Actor | None, issuer_code: str | None = None) -> bool:
    """Whether `actor` may import or create a directive (of `issuer_code`; None: of any issuer they
    may issue for — what a page asks before offering the button)."""
    if actor is None or actor.is_admin:
        return True
    if not IMPORT_ROLES & set(actor.roles) or not actor.body_code:
        return False
    return issuer_code is None or issuer_code == actor.body_code


def require_import(actor: Actor | None, issuer_code: str | None = None,
                   describe: Callable[[str], str] | None = None) -> None:
    """PermissionDenied, saying why, unless `actor` may import a directive of `issuer_code`;
    `describe` names a body for the message (its directory name rather than its code)."""
    if may_import(actor, issuer_code):
        return
    if actor is not None and IMPORT_ROLES & set(actor.roles) and actor.body_code:
        name = describe or (lambda code: code)
        raise PermissionDenied(f"Bạn thuộc {name(actor.body_code)}, không được tạo chỉ thị của cơ quan khác "
                               f"({name(issuer_code or '')})")
    raise PermissionDenied("Chỉ chuyên viên, văn thư hoặc lãnh đạo đơn vị của cơ quan ban hành được nhập chỉ thị")


EDIT_ROLES = frozenset({"clerk", "unit_head"})
EDITABLE_STAGES = frozenset({"intake", "drafting", "consultation"})


def may_edit_draft(actor: Actor | None, row: DirectiveRow) -> bool:
    """Whether `actor` may rewrite the draft: a chuyên viên or lãnh đạo đơn vị of the issuing body (or
    an administrator) while it is being written — not once it is sent for review, sign-off or issued."""
    if row.stage not in EDITABLE_STAGES:
        return False
    if actor is None or actor.is_admin:
        return True
    return bool(EDIT_ROLES & set(actor.roles)) and actor.body_code == row.issuer_code


def require_edit_draft(actor: Actor | None, row: DirectiveRow) -> None:
    """PermissionDenied, saying why, unless `actor` may rewrite the draft now."""
    if may_edit_draft(actor, row):
        return
    if row.stage not in EDITABLE_STAGES:
        raise PermissionDenied("Dự thảo đã được trình, không sửa được nữa; nếu cần sửa, người duyệt trả lại "
                               "dự thảo cho chuyên viên")
    raise PermissionDenied("Chỉ chuyên viên hoặc lãnh đạo đơn vị của cơ quan ban hành được sửa dự thảo")


FOLLOW_UP_ROLES = frozenset({"clerk", "unit_head", "leader", "office_reviewer", "records_clerk"})


def may_manage_follow_up(actor: Actor | None, row: DirectiveRow) -> bool:
    """Whether `actor` may change how a directive is followed up (chasing letters sent without
    review): its issuing office's people who run the follow-up, and administrators."""
    if actor is None or actor.is_admin:
        return True
    return actor.body_code == row.issuer_code and bool(FOLLOW_UP_ROLES & set(actor.roles))


def may_read_incoming(actor: Actor | None, entry) -> bool:
    """Whether `actor` may read an incoming document and its file: the receiving office (and admins)."""
    return actor is None or actor.is_admin or (actor.body_code is not None and actor.body_code == entry.receiver_code)


@dataclass(frozen=True)
class Scope:
    """How much of one directive one reader sees (see the module docstring)."""

    kind: str  # full | assigned | consulted | none
    assignments: tuple = ()  # the reader's own AssignmentRows (assigned bodies)
    followup_ids: frozenset[int] = field(default_factory=frozenset)  # its follow-up instances
    consulted: bool = False  # also a consulted department
    first_draft_id: int = 0  # drafts with an id at least this one were current at or after consultation
    issued: bool = False

    @property
    def full(self) -> bool:
        return self.kind == FULL

    @property
    def visible(self) -> bool:
        return self.kind != NONE


def is_issuing_reader(actor: Actor | None, issuer_code: str | None) -> bool:
    """True when `actor` sees a directive of `issuer_code` in full (no actor, admin, or its office)."""
    return actor is None or actor.is_admin or (actor.body_code is not None and actor.body_code == issuer_code)


def reader_scope(session: Session, row: DirectiveRow, actor: Actor | None) -> Scope:
    """The scope of `actor` on the directive `row` (full, assigned, consulted or none)."""
    issued = row.issued_on is not None
    if is_issuing_reader(actor, row.issuer_code):
        return Scope(FULL, issued=issued)
    code = actor.body_code if actor is not None else None
    if not code:
        return Scope(NONE)
    own = tuple(assignments_of(session, row.id, body_code=code))
    instances = session.execute(
        select(ProcessInstance.id, ProcessInstance.process_id, ProcessInstance.created_at)
        .where(ProcessInstance.ref_type == DIRECTIVE, ProcessInstance.ref_id == row.id,
               ProcessInstance.body_code == code,
               ProcessInstance.process_id.in_((FOLLOWUP, PERIOD, CONSULTATION)))).all()
    followups = frozenset({i.id for i in instances if i.process_id in (FOLLOWUP, PERIOD)}
                          | {a.followup_instance_id for a in own if a.followup_instance_id})
    consult_starts = [i.created_at for i in instances if i.process_id == CONSULTATION]
    first_draft = 0
    if consult_starts:
        # The draft sent with the first consultation (stored in the step that started it, so at the
        # same moment or earlier): the newest one stored up to then.
        first_draft = session.scalar(select(func.max(GeneratedDocument.id)).where(
            GeneratedDocument.directive_id == row.id, GeneratedDocument.kind.in_(DRAFT_KINDS),
            GeneratedDocument.created_at <= min(consult_starts))) or 0
    kind = ASSIGNED if own else CONSULTED if consult_starts else NONE
    return Scope(kind, assignments=own, followup_ids=followups, consulted=bool(consult_starts),
                 first_draft_id=first_draft, issued=issued)


def scope_allows(scope: Scope, doc: GeneratedDocument) -> bool:
    """True when a reader of `scope` may read the stored document `doc` of that directive (by the
    audience its kind declares in engine/documents/kinds.py)."""
    if scope.full:
        return True
    audience = kinds.kind_spec(doc.kind).audience
    if audience == kinds.ISSUED:
        return bool(scope.assignments) and scope.issued
    if audience == kinds.BODY:
        return doc.instance_id is not None and doc.instance_id in scope.followup_ids
    if audience == kinds.DRAFT:
        return scope.consulted and doc.id >= scope.first_draft_id
    return False


def readable_documents(scope: Scope) -> ColumnElement[bool]:
    """`scope_allows` as an SQL condition on GeneratedDocument, for lists: a body sees its own letters
    and reports among thousands of the directive without loading the others (the same rule;
    tests/engine/test_document_access.py compares the two for assigned and consulted readers)."""
    if scope.full:
        return true()
    allowed: list[ColumnElement[bool]] = []
    if scope.assignments and scope.issued:
        allowed.append(GeneratedDocument.kind.in_(_kinds_for(kinds.ISSUED)))
    if scope.followup_ids:
        allowed.append(and_(GeneratedDocument.kind.in_(_kinds_for(kinds.BODY)),
                            GeneratedDocument.instance_id.in_(sorted(scope.followup_ids))))
    if scope.consulted:
        allowed.append(and_(GeneratedDocument.kind.in_(_kinds_for(kinds.DRAFT)),
                            GeneratedDocument.id >= scope.first_draft_id))
    return or_(*allowed) if allowed else false()


def _kinds_for(audience: str) -> list[str]:
    return [code for code, spec in kinds.KINDS.items() if spec.audience == audience]


def may_read_document(session: Session, doc: GeneratedDocument, actor: Actor | None) -> bool:
    """True when `actor` may read the stored document `doc` (a document without a directive: admins)."""
    if doc.directive_id is None:
        return actor is None or actor.is_admin
    row = session.get(DirectiveRow, doc.directive_id)
    return row is not None and scope_allows(reader_scope(session, row, actor), doc)


def visible_directives(actor: Actor | None) -> ColumnElement[bool] | None:
    """The SQL condition on DirectiveRow of the directives `actor` sees at all (None: every one)."""
    if actor is None or actor.is_admin:
        return None
    if not actor.body_code:
        return DirectiveRow.id.is_(None)  # matches nothing
    assigned = select(AssignmentRow.directive_id).where(AssignmentRow.body_code == actor.body_code)
    consulted = exists().where(ProcessInstance.ref_type == DIRECTIVE, ProcessInstance.ref_id == DirectiveRow.id,
                               ProcessInstance.body_code == actor.body_code,
                               ProcessInstance.process_id == CONSULTATION)
    return (DirectiveRow.issuer_code == actor.body_code) | DirectiveRow.id.in_(assigned) | consulted
