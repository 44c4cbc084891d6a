"""Entry points of the follow-up figures for the web and the API, each asking the reading rule of
engine/directives/policy.py before it reads engine/directives/tracking.py (the web only asks):

- `board_for` / `board_xlsx_for`: a directive's board — the issuing office (and administrators) see
  every assigned body; an assigned body sees its own row only; anyone else gets NotFound.
- `my_periods`: the reporting periods the actor's own body owes, across directives.
- `overdue_for`, `rates_for`: across directives, those the actor's office issued (every directive for
  an administrator); nothing for a reader who belongs to no body.

Every figure is computed at the engine's clock (`engine.clock.now()`).
"""
from __future__ import annotations

from typing import Any

from ..kernel.accounts import Actor
from ..kernel.errors import NotFound, PermissionDenied
from . import tracking
from .export import Export, board_workbook
from .policy import may_manage_follow_up, reader_scope
from .store import get_directive_row


def _scoped_body(session: Any, directive_id: int, actor: Actor | None, body_code: str | None) -> str | None:
    row = get_directive_row(session, directive_id)
    scope = reader_scope(session, row, actor)
    if not scope.visible or (not scope.full and not scope.assignments):
        raise NotFound(f"không có chỉ thị id={directive_id}")
    if scope.full:
        return body_code
    own = actor.body_code if actor is not None else None
    if body_code is not None and body_code != own:
        raise NotFound("không có cơ quan này trong bảng theo dõi")
    return own


def board_for(engine: Any, directive_id: int, actor: Actor | None, *, status: str | None = None,
              body_code: str | None = None) -> tracking.Board:
    """The directive's follow-up board as `actor` may see it (filters as tracking.board)."""
    if status is not None and status not in tracking.STATUSES:
        raise NotFound(f"không có tình trạng {status!r}")
    with engine.db.session() as s:
        body = _scoped_body(s, directive_id, actor, body_code)
        return tracking.board(s, directive_id, engine.clock.now(), status=status, body_code=body)


def board_xlsx_for(engine: Any, directive_id: int, actor: Actor | None, *, status: str | None = None,
                   body_code: str | None = None) -> Export:
    """The board as `actor` may see it, as an .xlsx download (filename, bytes, MIME type)."""
    if status is not None and status not in tracking.STATUSES:
        raise NotFound(f"không có tình trạng {status!r}")
    with engine.db.session() as s:
        body = _scoped_body(s, directive_id, actor, body_code)
        return board_workbook(s, directive_id, engine.clock.now(), status=status, body_code=body)


def my_periods(engine: Any, actor: Actor, *, statuses: tuple[str, ...] | None = None,
               limit: int = 500) -> list[tracking.BodyPeriod]:
    """The periods the actor's body owes across directives, soonest due first (none without a body)."""
    if not actor.body_code:
        return []
    with engine.db.session() as s:
        return tracking.periods_of_body(s, actor.body_code, engine.clock.now(), statuses=statuses, limit=limit)


def _issuer(actor: Actor | None) -> tuple[bool, str | None]:
    """(allowed, issuer filter): administrators see every issuer, an office its own."""
    if actor is None or actor.is_admin:
        return True, None
    return bool(actor.body_code), actor.body_code


def overdue_for(engine: Any, actor: Actor | None, *, limit: int = 500) -> list[tracking.OverdueBody]:
    """Bodies late on the directives the actor's office follows up, most late first."""
    allowed, issuer = _issuer(actor)
    if not allowed:
        return []
    with engine.db.session() as s:
        return tracking.overdue_bodies(s, engine.clock.now(), issuer_code=issuer, limit=limit)


def rates_for(engine: Any, actor: Actor | None, *, by: str = "body",
              directive_id: int | None = None) -> list[tracking.RatesRow]:
    """On-time and completion rates by body or by directive on the actor's office's directives."""
    allowed, issuer = _issuer(actor)
    if not allowed:
        return []
    with engine.db.session() as s:
        return tracking.rates_by(s, engine.clock.now(), by=by, directive_id=directive_id, issuer_code=issuer)


def backfill(engine: Any) -> int:
    """Write the follow-up facts of directives followed up before revision 0009 (once; see
    tracking.backfill_facts). Returns the rows added."""
    with engine.db.session(write=True) as s:
        return tracking.backfill_facts(s, engine.clock.now())


def set_chasing_mode(engine: Any, directive_id: int, actor: Actor, *, automatic: bool) -> bool:
    """Whether the directive's chasing letters go out without a person reviewing them (numbered,
    signed by the issuer's first signer) or wait for the drafter's review (the default). The
    issuing office's follow-up people and administrators may change it; the change is a comment of
    the directive and an audit event. Returns the mode now in force."""
    from .store import add_comment

    with engine.transaction() as s:
        row = get_directive_row(s, directive_id, for_update=True)
        if not reader_scope(s, row, actor).visible:
            raise NotFound(f"không có chỉ thị id={directive_id}")
        if not may_manage_follow_up(actor, row):
            raise PermissionDenied("Chỉ cán bộ theo dõi của cơ quan ban hành được đổi cách gửi thư đôn đốc")
        if bool(row.chase_auto_send) != automatic:
            row.chase_auto_send = automatic
            add_comment(s, directive_id, stage=row.stage, actor=actor.username, now=engine.clock.now(),
                        text=("Thư đôn đốc từ nay được gửi tự động, không chờ duyệt" if automatic
                              else "Thư đôn đốc từ nay chờ chuyên viên xem lại và chọn người ký trước khi gửi"))
            engine.record(s, actor.username, "directive_chasing_mode", row.instance_id,
                          {"directive_id": directive_id, "automatic": automatic})
        return automatic
