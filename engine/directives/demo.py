"""`chithi demo`: the whole life of two directives modelled on the seeds, without a browser.

The Cần Thơ 2022 Party directive (seed 000) and the Lạng Sơn 2024 State directive (seed 003) are
imported, then every role acts in turn through the engine's public task API while a FrozenClock is
moved instead of waiting: consultation with one silent department, a return for revision, both
sign-off routes, issuance, distribution, acknowledgements (one late), periodic reports (one body
late: reminder → chasing letter → escalation to the leader), aggregation, close-out and archive.
Every stored document is copied into the output directory, with each directive's follow-up board as
`theo-doi.xlsx` (one row per assigned body, one column per period, the status words in the cells).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..documents import KINDS
from ..kernel.accounts import Actor
from ..kernel.calendar import end_of_day, local, local_date
from ..kernel.clock import FrozenClock
from ..kernel.resources import workflows_dir
from ..model.directive import Signature
from ..model.loader import load_directive_file
from .drafting import respond
from .export import board_workbook
from .issuers import signer_key
from .life import import_directive, national_only, update_draft
from .reference import load_reference_data
from .store import list_comments

BOARD_FILE = "theo-doi.xlsx"  # per directive: the follow-up board (engine/directives/export.py)
CANTHO = "cantho-2022-ct-tu.yaml"  # seed descriptions in workflows/directives/
LANGSON = "langson-2024-ct-ubnd.yaml"


DEMO_PEOPLE = {("clerk", "CT.TU"): "Nguyễn Thị Thu", ("unit_head", "CT.TU"): "Trần Văn Minh",
               ("clerk", "LS.UBND"): "Hoàng Văn Nam", ("unit_head", "LS.UBND"): "Lương Thị Hoa",
               ("body_officer", "LS.SYT"): "Phạm Thị Lan", ("body_officer", "CT.BTGTU"): "Lê Văn Hùng"}


@dataclass
class StageRow:
    """One line of the demo's table: which directive, which stage, when, who, which documents."""

    directive: str
    stage: str
    step: str
    at: datetime
    actor: str
    documents: list[str] = field(default_factory=list)


def person(role: str, body: str | None) -> Actor:
    """An actor with one role in one body (the demo's and the tests' stand-in for a login)."""
    return Actor(f"{role}.{body}", f"{role} ({body})", (role,), body)


class Desk:
    """Acts as each role through the engine's task API and moves the clock."""

    def __init__(self, engine, clock: FrozenClock):
        self.engine, self.clock = engine, clock

    def tasks(self, role: str, body: str | None, element_id: str | None = None) -> list:
        """Ready tasks of (role, body), optionally of one element."""
        tasks = self.engine.inbox(person(role, body), limit=500)
        return [t for t in tasks if element_id is None or t.element_id == element_id]

    def do(self, role: str, body: str | None, element_id: str, data: dict | None = None,
           instance_id: int | None = None):
        """Complete the first ready `element_id` task of (role, body); AssertionError if there is none."""
        for task in self.tasks(role, body, element_id):
            if instance_id is None or task.instance_id == instance_id:
                return self.engine.complete_task(task.id, person(role, body), data or {})
        raise AssertionError(f"{role}@{body} has no ready task {element_id}")

    def move_to(self, moment: datetime) -> int:
        """Move the clock forward to `moment` (never back) and fire the timers now due; how many fired.

        A timer that could not be fired is an error here: the demo and the tests never hide one."""
        now = self.clock.now()
        if moment > now:
            self.clock.advance(seconds=(moment - now).total_seconds())
        sweep = self.engine.fire_due_timers()
        if sweep.failed:
            raise AssertionError(f"{sweep.failed} instance(s) could not fire their timers")
        return sweep.fired

    def wait(self, **delta) -> int:
        """Let time pass and fire the timers now due."""
        return self.move_to(self.clock.now() + timedelta(**delta))


class Recorder:
    """Collects StageRows with the documents stored since the previous row."""

    def __init__(self, engine, clock):
        self.engine, self.clock, self.rows, self._seen = engine, clock, [], set()

    def new_documents(self) -> list:
        from ..documents import GeneratedDocument

        with self.engine.db.session() as s:
            docs = [d for d in s.query(GeneratedDocument).order_by(GeneratedDocument.id) if d.id not in self._seen]
            self._seen.update(d.id for d in docs)
            return [(d.id, d.kind, d.filename) for d in docs]

    def row(self, directive: str, stage: str, step: str, actor: str) -> None:
        docs = [f"{i:03d}-{kind}-{name}" for i, kind, name in self.new_documents()]
        self.rows.append(StageRow(directive, stage, step, self.clock.now(), actor, docs))


def local_to_utc_end(day) -> datetime:
    """A minute after the end of that office day (when a deadline of that day has passed)."""
    return end_of_day(day) + timedelta(minutes=1)


def _next_open_due(desk: Desk, did: int) -> datetime | None:
    """The earliest due moment of the directive's periods still open (None when none is)."""
    from sqlalchemy import func, select

    from .tracking import OPEN, FollowupPeriod

    with desk.engine.db.session() as s:
        return s.scalar(select(func.min(FollowupPeriod.due_at)).where(FollowupPeriod.directive_id == did,
                                                                     FollowupPeriod.state == OPEN))


def run_followup(desk: Desk, rec: Recorder, label: str, issuer: str, late_body: str | None, did: int) -> None:
    """Bodies acknowledge (the late one after a reminder) and report period by period; the late
    body misses its first report: reminder, chasing letter, escalation to the leader, then reports."""
    bodies = _assigned_bodies(desk, issuer)
    for body in bodies:
        if body != late_body:
            desk.do("body_officer", body, "Task_acknowledge", {"note": "Đã nhận, giao phòng chuyên môn đầu mối."})
    rec.row(label, "6. Phân phối", "Các cơ quan xác nhận đã nhận nhiệm vụ", "body_officer")
    if late_body:
        desk.wait(days=2, minutes=1)
        rec.row(label, "6. Phân phối", f"Nhắc {late_body} xác nhận (hẹn giờ)", "scheduler")
        desk.do("body_officer", late_body, "Task_acknowledge", {"note": "Xác nhận muộn."})
        rec.row(label, "6. Phân phối", f"{late_body} xác nhận", "body_officer")
    first = True
    while True:
        open_reports = [(b, t) for b in bodies for t in desk.tasks("body_officer", b, "Task_report")]
        if not open_reports:
            upcoming = _next_open_due(desk, did)  # the next period opens when the previous one falls due
            if upcoming is None:
                break
            desk.move_to(upcoming - timedelta(days=2))
            continue
        due = min(t.due_at for _, t in open_reports)
        desk.move_to(due - timedelta(days=2))
        late_now = None
        for body, task in open_reports:
            if task.due_at != due:
                continue
            if first and body == late_body:
                late_now = body
                continue
            desk.engine.complete_task(task.id, person("body_officer", body),
                                      {"content": f"Báo cáo kết quả thực hiện đến ngày {due:%d/%m/%Y}: "
                                                  "đã triển khai đầy đủ các nhiệm vụ được giao."})
        rec.row(label, "7. Theo dõi", f"Báo cáo kỳ hạn {due:%d/%m/%Y}", "body_officer")
        if late_now:
            desk.move_to(due - timedelta(hours=12))
            rec.row(label, "7. Theo dõi", f"Nhắc {late_now} báo cáo (hẹn giờ)", "scheduler")
            desk.move_to(due + timedelta(days=1, minutes=1))
            rec.row(label, "7. Theo dõi", f"Công văn đôn đốc {late_now} (quá hạn): dự thảo chờ duyệt", "scheduler")
            desk.do("clerk", issuer, "Task_review_chasing", {"letter_text": "", "signer": ""})
            rec.row(label, "7. Theo dõi", f"Chuyên viên duyệt, cấp số, gửi công văn đôn đốc {late_now}", "clerk")
            desk.move_to(due + timedelta(days=4, minutes=2))
            rec.row(label, "7. Theo dõi", f"Báo cáo lãnh đạo: {late_now} vẫn chưa báo cáo", "scheduler")
            desk.do("leader", issuer, "Task_escalation",
                    {"instruction": f"Yêu cầu {late_now} báo cáo ngay trong ngày, kiểm điểm trách nhiệm."})
            desk.do("body_officer", late_now, "Task_report_after",
                    {"content": "Báo cáo (chậm) kết quả thực hiện kỳ 1; đã kiểm điểm việc chậm báo cáo."})
            rec.row(label, "7. Theo dõi", f"Lãnh đạo chỉ đạo; {late_now} nộp báo cáo chậm", "leader")
        first = False


def _assigned_bodies(desk: Desk, issuer: str) -> list[str]:
    rows = desk.engine.list_instances(process_id="directive_followup", status="running", limit=100_000)
    return sorted({r.body_code for r in rows if r.body_code})


def run_intake(desk: Desk, rec: Recorder, path: Path, label: str, route: str, lead: str) -> tuple[int, str]:
    """Intake of the national directive (registered, the leader's bút phê, the proposal), then the
    drafter uploads the full draft description."""
    start = national_only(path)
    issuer = start["receiver"]["issuer_code"]
    national = start["national"]
    start["national"] = {**national, "urgency": "khan"}
    did, _iid = import_directive(desk.engine, start, actor=person("records_clerk", issuer))
    rec.row(label, "1. Tiếp nhận", f"Vào sổ văn bản đến {national['number']}/{national['symbol']}", "records_clerk")
    deadline = local_date(desk.clock.now()) + timedelta(days=7)
    desk.do("leader", issuer, "Task_assign", {"lead_unit": lead, "partner_units": "", "deadline": deadline.isoformat(),
                                              "instruction": "Giao đơn vị tham mưu dự thảo chỉ thị của UBND tỉnh."})
    rec.row(label, "1. Tiếp nhận", "Lãnh đạo giao đơn vị chủ trì, thời hạn, ý kiến chỉ đạo (phiếu giải quyết)",
            "leader")
    desk.do("clerk", issuer, "Task_propose", {"route": route, "subject": "",
                                              "reason": "Nội dung cần chỉ đạo nhiều cơ quan"})
    rec.row(label, "2. Chọn hình thức", f"Đề xuất hình thức: {route}; hồ sơ chỉ thị #{did}", "clerk")
    update_draft(desk.engine, did, path, actor=person("clerk", issuer))
    return did, issuer


def life_of(desk: Desk, rec: Recorder, path: Path, label: str, *, route: str, consult: str | None,
            return_at: str, signer: Signature, late_body: str | None, intake: str | None = None) -> int:
    """Walk one directive from import to archive (from intake when `intake` names the lead unit);
    returns its directive id."""
    eng = desk.engine
    if intake:
        did, issuer = run_intake(desk, rec, path, label, route, intake)
    else:
        issuer = load_directive_file(path).issuer_code
        imported, _iid = import_directive(eng, path, actor=person("clerk", issuer))
        if imported is None:
            raise AssertionError(f"{path.name} is not a full description")
        did = imported
        rec.row(label, "1. Tiếp nhận", f"Nhập mô tả chỉ thị {path.name} (bắt đầu ở soạn thảo)", "clerk")
        desk.do("unit_head", issuer, "Task_choose", {"route": route, "reason": "Theo chỉ đạo của cấp trên"})
        rec.row(label, "2. Chọn hình thức", f"Hình thức: {route}", "unit_head")
    consult_until = local_date(desk.clock.now()) + timedelta(days=3)
    desk.do("clerk", issuer, "Task_draft", {"note": "Dự thảo lần 1 theo chỉ thị của Trung ương.",
                                            "consult": bool(consult), "consult_bodies": consult or "",
                                            "consult_deadline": consult_until.isoformat() if consult else ""})
    rec.row(label, "3. Soạn thảo", "Dự thảo lần 1" + (f", lấy ý kiến {consult}" if consult else ""), "clerk")
    if consult:
        answering, *silent = consult.split(",")
        desk.do("body_officer", answering, "Task_give_opinion",
                {"opinion": "comment", "comment": "Đề nghị bổ sung nhiệm vụ bảo đảm an ninh điểm thi."})
        desk.move_to(local_to_utc_end(consult_until))
        rec.row(label, "3. Soạn thảo", f"Góp ý: {answering}; {', '.join(silent)} không trả lời → không có ý kiến",
                "body_officer")
        with eng.db.session() as s:
            received = [c.id for c in list_comments(s, did) if c.stage == "consultation"]
        for comment_id in received:
            respond(eng, did, comment_id, "accepted", "Đã tiếp thu, bổ sung vào dự thảo.", person("clerk", issuer))
        desk.do("clerk", issuer, "Task_absorb", {"note": "Tiếp thu ý kiến Công an tỉnh."})
    approve = {"decision": "approve", "comment": "Đồng ý."}
    desk.do("unit_head", issuer, "Task_head_review", approve)
    rec.row(label, "4. Thẩm định", "Lãnh đạo đơn vị đồng ý trình", "unit_head")
    sign_task = {"party": "Task_sign_party", "state": "Task_sign_state"}.get(route, "Task_sign_light")
    back = {"decision": "return", "comment": "Đề nghị làm rõ trách nhiệm báo cáo định kỳ của các cơ quan."}
    if return_at == "office":
        desk.do("office_reviewer", issuer, "Task_office", back)
        rec.row(label, "4. Thẩm định", "Văn phòng trả lại (ý kiến được lưu)", "office_reviewer")
    else:
        desk.do("office_reviewer", issuer, "Task_office", approve)
    if return_at == "sign":
        desk.do("leader", issuer, sign_task, back)
        rec.row(label, "4. Ký", "Người ký trả lại (ý kiến được lưu)", "leader")
    if return_at:
        desk.do("clerk", issuer, "Task_draft", {"note": "Dự thảo lần 2: đã tiếp thu ý kiến trả lại."})
        desk.do("unit_head", issuer, "Task_head_review", approve)
        desk.do("office_reviewer", issuer, "Task_office", approve)
        rec.row(label, "3. Soạn thảo", "Dự thảo lần 2, thẩm định lại", "clerk")
    desk.do("leader", issuer, sign_task, {**approve, "signer": signer_key(signer)})
    rec.row(label, "4. Ký", "Ký ban hành", "leader")
    desk.do("records_clerk", issuer, "Task_issue", {"issued_on": local_date(desk.clock.now()).isoformat()})
    rec.row(label, "5. Ban hành", "Cấp số, đăng ký, phát hành; giao nhiệm vụ", "records_clerk")
    run_followup(desk, rec, label, issuer, late_body, did)
    rec.row(label, "7. Theo dõi", "Tổng hợp báo cáo các cơ quan", "clerk")
    desk.do("clerk", issuer, "Task_closeout_draft", {"summary": "Các cơ quan đã hoàn thành nhiệm vụ được giao."})
    desk.do("leader", issuer, "Task_closeout_approve", approve)
    desk.do("records_clerk", issuer, "Task_archive", {"file_code": f"HS-{did:03d}"})
    rec.row(label, "8. Kết thúc", "Báo cáo tổng kết được duyệt; lập hồ sơ lưu trữ", "records_clerk")
    return did


DEMO_START = datetime(2022, 5, 23, 1, 0, tzinfo=UTC)  # the Cần Thơ directive is drafted


def run_demo(engine: Any, clock: FrozenClock, out_dir: Path) -> list[StageRow]:
    """Run both directives' lives on `engine` (an empty, migrated database; its clock is `clock`, at
    DEMO_START), copy every stored document into `out_dir`, return the stage table."""
    from ..documents import DocumentStore, GeneratedDocument

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    engine.deploy_directory()
    load_reference_data(engine)
    for (role, body), name in DEMO_PEOPLE.items():  # names printed on slips and reports
        if not engine.accounts.exists(person(role, body).username):
            engine.accounts.create_user(person(role, body).username, name, "chithi-demo", [role], body)
    desk, rec = Desk(engine, clock), Recorder(engine, clock)
    seeds = workflows_dir() / "directives"
    cantho = life_of(desk, rec, seeds / CANTHO, "Cần Thơ 2022 (Đảng)", route="party", consult=None, return_at="sign",
            signer=Signature("T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Phạm Văn Hiếu"), late_body=None)
    desk.move_to(datetime(2024, 5, 20, 1, 0, tzinfo=UTC))
    langson = life_of(desk, rec, seeds / LANGSON, "Lạng Sơn 2024 (Nhà nước)", route="state", consult="LS.CA,LS.SYT",
            return_at="office", signer=Signature(None, "CHỦ TỊCH", "Hồ Tiến Thiệu"),
            late_body="LS.SYT", intake="LS.SGDDT")
    with engine.db.session() as s:
        for doc in s.query(GeneratedDocument).order_by(GeneratedDocument.id):
            folder = out_dir / f"chi-thi-{doc.directive_id or 0:03d}"
            folder.mkdir(exist_ok=True)
            (folder / f"{doc.id:03d}-{doc.filename}").write_bytes(DocumentStore().content(s, doc.id))
        for did in (cantho, langson):  # the follow-up board as offices send it upward
            folder = out_dir / f"chi-thi-{did:03d}"
            folder.mkdir(exist_ok=True)
            (folder / BOARD_FILE).write_bytes(board_workbook(s, did, clock.now()).content)
    return rec.rows


def format_table(rows: list[StageRow]) -> str:
    """The stage table as plain text: directive, stage, step, time (Vietnam), actor, documents."""
    lines = [f"{'Chỉ thị':<26} {'Giai đoạn':<18} {'Thời điểm (GMT+7)':<17} {'Người làm':<15} Bước / văn bản"]
    for r in rows:
        when = local(r.at).strftime("%Y-%m-%d %H:%M")
        lines.append(f"{r.directive:<26} {r.stage:<18} {when:<17} {r.actor:<15} {r.step}")
        lines += [f"{'':<80}  ↳ {d}" for d in _short(r.documents)]
    return "\n".join(lines)


def _short(documents: list[str]) -> list[str]:
    """Every document name when there are few; else a count per kind with the first and last file."""
    if len(documents) <= 4:
        return documents
    kinds: dict[str, list[str]] = {}
    for name in documents:
        kind = name.split("-", 2)[1] if name.count("-") >= 2 else ""
        title = KINDS[kind].title if kind in KINDS else "Khác"
        kinds.setdefault(title, []).append(name)
    return [f"{len(names)} × {kind} ({names[0]} … {names[-1]})" if len(names) > 1 else names[0]
            for kind, names in kinds.items()]





def main(engine: Any, clock: FrozenClock, out_dir: Path) -> int:
    """Run the demo and print the table with the elapsed time."""
    start = time.perf_counter()
    rows = run_demo(engine, clock, out_dir)
    print(format_table(rows))
    docs = sum(len(r.documents) for r in rows)
    print(f"\n{len(rows)} bước, {docs} văn bản trong {out_dir} — {time.perf_counter() - start:.1f} s")
    return 0
