"""The life of a directive as four small BPMN descriptions (built into XML by build_models.py).

* `directive_intake`  — văn bản đến: register the national directive, the leader's instruction,
  the proposed instrument; creates the directive and starts its life.
* `directive_life`    — choice of instrument, drafting with optional consultation, review, sign-off
  (Party / State / lighter route), issuance, distribution with one follow-up instance per assigned
  body, consolidated report, close-out and archive.
* `directive_consultation` — one consulted department: comment by a deadline, else "no comment".
* `directive_followup` — one assigned body: its report plan (the facts of engine/directives/tracking.py),
  acknowledgement with a reminder, then one `directive_period` instance per reporting period and
  waiting until all are done — no loop, so a cycle of any length runs (each instance stays small).
* `directive_period` — one report of one body: opens when the previous period falls due, a reminder
  before the due date, a chasing letter drafted when overdue (reviewed by the drafter — text and
  signer — before it is numbered and sent, unless the directive sends them automatically), and
  escalation to the leader naming the body, period, due date and days late.

`col` is the grid column of a node (left to right), its lane gives the row.
"""
from __future__ import annotations

from dataclasses import dataclass, field

CLERK, HEAD, OFFICE, LEADER, RECORDS, BODY = (
    "Chuyên viên", "Lãnh đạo đơn vị", "Văn phòng", "Lãnh đạo", "Văn thư", "Đơn vị được giao")


@dataclass
class Node:
    id: str
    kind: str  # user service script start end catch boundary xor event
    name: str
    lane: str
    col: int
    dy: int = 0
    doc: str = ""
    form: str = ""
    props: dict = field(default_factory=dict)
    service: str = ""
    result: str = ""
    params: dict = field(default_factory=dict)
    script: str = ""
    timer: tuple[str, str] | None = None
    message: str = ""
    attached: str = ""
    interrupting: bool = True
    default: str = ""


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str = ""


@dataclass
class Model:
    id: str
    name: str
    participant: str
    lanes: list[str]
    nodes: list[Node]
    flows: list[Flow]
    lane_heights: dict = field(default_factory=dict)  # lanes drawn taller than the default

    def check(self) -> None:
        ids = [n.id for n in self.nodes] + [f.id for f in self.flows]
        if len(ids) != len(set(ids)):
            raise ValueError(f"{self.id}: duplicate ids")
        known = {n.id for n in self.nodes}
        for f in self.flows:
            if f.source not in known or f.target not in known:
                raise ValueError(f"{self.id}: flow {f.id} links unknown nodes")


def q(text: str) -> str:
    """A string literal for the expression evaluator."""
    return '"' + text + '"'


def decision_form(approve: str, extra: str = "") -> str:
    return f"""
- name: decision
  label: Quyết định
  type: choice
  required: true
  options:
    approve: {approve}
    return: Trả lại để sửa
- name: comment
  label: Ý kiến (bắt buộc khi trả lại; được lưu và hiện cho người soạn thảo)
  type: textarea
  required_when: {{decision: return}}
{extra}"""


SIGNER_FIELD = """- name: signer
  label: Người ký
  widget: signer
  help: Chọn trong danh sách người ký của cơ quan ban hành; mặc định là người ký ghi trong dự thảo.
"""


REPORT_FORM = """
- name: content
  label: Nội dung báo cáo kết quả thực hiện
  type: textarea
  required: true
"""

# The instrument choice, asked at intake (clerk proposes) and at the start of drafting (unit head).
ROUTE_FIELD = """
- name: route
  label: Hình thức văn bản
  type: choice
  required: true
  options: {party: Chỉ thị của Ban Thường vụ (Đảng), state: Chỉ thị của UBND (Nhà nước), cong_van: Công văn, ke_hoach: Kế hoạch, cong_dien: Công điện}
"""

ISSUER_BODY = {"body": 'directive["issuer_code"]'}


def _flows(*chains: str) -> list[Flow]:
    """Flows from "A>B>C" chains; a step "X>[cond|name]Y" puts a condition on the flow into Y
    (conditions are written without ">" so the chain splits cleanly)."""
    out = []
    for chain in chains:
        steps = chain.split(">")
        for a, b in zip(steps, steps[1:]):
            cond = name = ""
            if b.startswith("["):
                spec, b = b[1:].rsplit("]", 1)
                cond, _, name = spec.rpartition("|")
            a = a.rsplit("]", 1)[-1]
            out.append(Flow(f"Flow_{a}_{b}", a, b, name, cond))
    return out


# ------------------------------------------------------------------ directive_intake

INTAKE = Model(
    "directive_intake", "Tiếp nhận chỉ thị cấp trên", "Văn phòng cơ quan tiếp nhận", [RECORDS, LEADER, CLERK],
    [
        Node("Start_received", "start", "Văn bản đến đã vào sổ", RECORDS, 0),
        Node("Task_assign", "user", "Cho ý kiến chỉ đạo, giao đơn vị chủ trì", LEADER, 1,
             doc="Đọc văn bản đến (bên trái; tải về nếu cần), giao đơn vị chủ trì tham mưu, các đơn vị phối "
                 "hợp, thời hạn giải quyết và cho ý kiến chỉ đạo (bút phê). Phiếu giải quyết văn bản đến được "
                 "lập theo ý kiến này.",
             props={"body": 'receiver["issuer_code"]', "due": q("P2D")},
             form="""
- name: lead_unit
  label: Đơn vị chủ trì tham mưu
  required: true
  widget: body
- name: partner_units
  label: Đơn vị phối hợp
  widget: bodies
- name: deadline
  label: Thời hạn giải quyết
  type: date
  required: true
- name: confirm_past
  label: Xác nhận thời hạn đã qua (ghi nhận một chỉ đạo đã cho trước đây)
  type: bool
- name: instruction
  label: Ý kiến chỉ đạo (bút phê)
  type: textarea
  required: true
"""),
        Node("Service_assign", "service", "Ghi ý kiến chỉ đạo, lập phiếu giải quyết", LEADER, 2,
             service="assign_incoming", result="assignment"),
        Node("Task_propose", "user", "Đề xuất hình thức văn bản", CLERK, 3,
             doc="Theo ý kiến chỉ đạo, đề xuất hình thức văn bản triển khai: chỉ thị của Ban Thường vụ "
                 "(Đảng), chỉ thị của UBND (Nhà nước), hoặc văn bản nhẹ hơn (công văn, kế hoạch, công điện). "
                 "Dự thảo bắt đầu từ trích yếu và căn cứ của văn bản cấp trên.",
             props={"body": 'receiver["issuer_code"]', "due": "deadline"},
             form=ROUTE_FIELD + """- name: subject
  label: Trích yếu dự kiến
  type: textarea
  help: Để trống để dùng trích yếu theo văn bản cấp trên; sửa được trong trình soạn thảo.
- name: reason
  label: Lý do đề xuất
  type: textarea
"""),
        Node("Service_create", "service", "Ghi hình thức văn bản", CLERK, 4, service="create_directive",
             result="created"),
        Node("Service_start_life", "service", "Chuyển sang soạn thảo", CLERK, 5, service="start_life",
             result="life"),
        Node("End_intake", "end", "Đã chuyển soạn thảo", CLERK, 6),
    ],
    _flows("Start_received>Task_assign>Service_assign>Task_propose>Service_create>Service_start_life>End_intake"),
)

# ------------------------------------------------------------------ directive_consultation

CONSULTATION = Model(
    "directive_consultation", "Lấy ý kiến góp ý dự thảo", "Cơ quan được lấy ý kiến", [BODY, CLERK],
    [
        Node("Start_consult", "start", "Nhận dự thảo", BODY, 0),
        Node("Task_give_opinion", "user", "Góp ý dự thảo", BODY, 1,
             doc="Nghiên cứu dự thảo và gửi ý kiến góp ý trước thời hạn; quá hạn không trả lời được "
                 "ghi nhận là thống nhất, không có ý kiến.",
             props={"due": 'item["deadline_at"]'},
             form="""
- name: opinion
  label: Ý kiến
  type: choice
  required: true
  options: {agree: Thống nhất với dự thảo, comment: Có ý kiến góp ý}
- name: comment
  label: Nội dung góp ý
  type: textarea
  required_when: {opinion: comment}
"""),
        Node("Timer_consult_deadline", "boundary", "Hết hạn góp ý", BODY, 1, attached="Task_give_opinion",
             timer=("timeDate", 'item["deadline_at"]')),
        Node("Service_record_opinion", "service", "Ghi nhận ý kiến", CLERK, 2, service="record_consultation",
             result="recorded", params={"silent": "False"}),
        Node("Service_record_silence", "service", "Ghi nhận: không có ý kiến", CLERK, 3, dy=0,
             service="record_consultation", result="recorded", params={"silent": "True"}),
        Node("End_consult", "end", "Đã góp ý", CLERK, 4),
        Node("End_silent", "end", "Không trả lời", CLERK, 5),
    ],
    _flows("Start_consult>Task_give_opinion>Service_record_opinion>End_consult",
           "Timer_consult_deadline>Service_record_silence>End_silent"),
)

# ------------------------------------------------------------------ directive_followup

FOLLOWUP = Model(
    "directive_followup", "Theo dõi thực hiện của cơ quan được giao", "Theo dõi thực hiện chỉ thị",
    [BODY, CLERK],
    [
        Node("Start_followup", "start", "Nhận nhiệm vụ", BODY, 0),
        Node("Service_plan", "service", "Lập lịch báo cáo", CLERK, 1, service="plan_reports", result="plan"),
        Node("Task_acknowledge", "user", "Xác nhận đã nhận nhiệm vụ", BODY, 2,
             doc="Xác nhận cơ quan, đơn vị đã nhận văn bản và các nhiệm vụ được giao.",
             props={"due": 'plan["ack_remind_at"]'},
             form="""
- name: note
  label: Ghi chú (người đầu mối, kế hoạch triển khai)
  type: textarea
"""),
        Node("Timer_ack_remind", "boundary", "Chưa xác nhận", BODY, 2, attached="Task_acknowledge",
             interrupting=False, timer=("timeDate", 'plan["ack_remind_at"]')),
        Node("Service_ack_remind", "service", "Nhắc xác nhận", CLERK, 3, dy=40, service="send_reminder",
             result="ack_reminder", params={"what": q("ack")}),
        Node("End_ack_remind", "end", "Đã nhắc", CLERK, 4, dy=40),
        Node("Service_acknowledge", "service", "Ghi nhận xác nhận", BODY, 3, service="acknowledge",
             result="acknowledged"),
        Node("Gateway_any_period", "xor", "Có kỳ báo cáo?", BODY, 4, default="Flow_Gateway_any_period_End_followup"),
        Node("Service_start_periods", "service", "Mở các kỳ báo cáo", BODY, 5, dy=-50, service="start_periods",
             result="periods"),
        Node("Catch_periods_done", "catch", "Đã báo cáo đủ các kỳ", BODY, 6, dy=-50, message="periods_done"),
        Node("End_followup", "end", "Hoàn thành nhiệm vụ", BODY, 7),
    ],
    _flows("Start_followup>Service_plan>Task_acknowledge>Service_acknowledge>Gateway_any_period",
           'Gateway_any_period>[0 < plan["count"]|Có]Service_start_periods>Catch_periods_done>End_followup',
           "Gateway_any_period>End_followup",
           "Timer_ack_remind>Service_ack_remind>End_ack_remind"),
)

# ------------------------------------------------------------------ directive_period

REPORT_PERIOD_FORM = REPORT_FORM + """- name: body_number
  label: Số, ký hiệu báo cáo của cơ quan (ví dụ 12/BC-SGDĐT)
  help: Số trong sổ văn bản đi của cơ quan; để trống nếu báo cáo chưa vào sổ.
- name: body_date
  label: Ngày báo cáo của cơ quan
  type: date
"""

PERIOD = Model(
    "directive_period", "Một kỳ báo cáo của cơ quan được giao", "Theo dõi một kỳ báo cáo",
    [BODY, CLERK, LEADER],
    [
        Node("Start_period", "start", "Kỳ báo cáo", BODY, 0),
        Node("Script_period", "script", "Kỳ báo cáo này", BODY, 1, script='period = item["period"]'),
        Node("Gateway_open", "xor", "Đã đến kỳ?", BODY, 2, default="Flow_Gateway_open_Task_report"),
        Node("Timer_open", "catch", "Đến kỳ báo cáo", BODY, 3, dy=-60, timer=("timeDate", 'period["open_at"]')),
        Node("Task_report", "user", "Gửi báo cáo định kỳ", BODY, 4,
             doc="Gửi báo cáo kết quả thực hiện nhiệm vụ được giao cho kỳ này, trước hạn; ghi số, ngày của "
                 "báo cáo theo sổ văn bản đi của cơ quan.",
             props={"due": 'period["due_at"]', "show": 'period["show"]'}, form=REPORT_PERIOD_FORM),
        Node("Timer_remind", "boundary", "Sắp đến hạn", BODY, 4, attached="Task_report", interrupting=False,
             timer=("timeDate", 'period["remind_at"]')),
        Node("Timer_chase", "boundary", "Quá hạn", BODY, 4, attached="Task_report", interrupting=False,
             timer=("timeDate", 'period["chase_at"]')),
        Node("Timer_escalate", "boundary", "Vẫn chưa báo cáo", BODY, 4, attached="Task_report",
             timer=("timeDate", 'period["escalate_at"]')),
        Node("Service_remind", "service", "Gửi công văn nhắc báo cáo", CLERK, 5, dy=-60, service="send_reminder",
             result="reminder", params={"what": q("report")}),
        Node("End_remind", "end", "Đã nhắc", CLERK, 6, dy=-60),
        Node("Service_chase_draft", "service", "Dự thảo công văn đôn đốc", CLERK, 5, dy=40,
             service="draft_chasing", result="chasing"),
        Node("Gateway_auto_send", "xor", "Gửi tự động?", CLERK, 6, dy=40,
             default="Flow_Gateway_auto_send_Task_review_chasing"),
        Node("Task_review_chasing", "user", "Duyệt công văn đôn đốc", CLERK, 7, dy=70,
             doc="Xem dự thảo công văn đôn đốc (bên trái), sửa nội dung nếu cần và chọn người ký; công văn "
                 "được cấp số và gửi khi hoàn thành việc này. Nếu cơ quan đã báo cáo trong lúc chờ duyệt, "
                 "công văn không được gửi.",
             props={"body": 'item["issuer_code"]', "due": q("P1D"), "show": 'chasing["show"]'},
             form="""
- name: letter_text
  label: Nội dung công văn đôn đốc
  type: textarea
  help: Để trống để gửi nội dung đã soạn sẵn (ở trên); mỗi dòng là một đoạn của công văn.
""" + SIGNER_FIELD),
        Node("Service_send_chasing", "service", "Cấp số, gửi công văn đôn đốc", CLERK, 8, dy=40,
             service="send_chasing", result="chased"),
        Node("End_chased", "end", "Đã đôn đốc", CLERK, 9, dy=40),
        Node("Service_escalate", "service", "Báo cáo lãnh đạo cơ quan chậm báo cáo", LEADER, 5,
             service="mark_escalated", result="escalation_info"),
        Node("Task_escalation", "user", "Xử lý cơ quan chậm báo cáo", LEADER, 6,
             doc="Cơ quan được giao đã bị đôn đốc mà vẫn chưa báo cáo (cơ quan, kỳ, hạn và số ngày chậm ở trên; "
                 "công văn đôn đốc trong hồ sơ chỉ thị): cho ý kiến chỉ đạo xử lý.",
             props={"body": 'item["issuer_code"]', "due": q("P2D"), "show": 'escalation_info["show"]'},
             form="""
- name: instruction
  label: Ý kiến chỉ đạo
  type: textarea
  required: true
"""),
        Node("Service_escalation", "service", "Ghi nhận ý kiến chỉ đạo", LEADER, 7, service="record_comment",
             result="escalation", params={"stage": q("following_up"), "text": "instruction"}),
        Node("Task_report_after", "user", "Gửi báo cáo theo chỉ đạo", BODY, 8, dy=60,
             doc="Thực hiện ý kiến chỉ đạo của lãnh đạo và gửi ngay báo cáo của kỳ này.",
             props={"show": 'period["show"]'}, form=REPORT_PERIOD_FORM),
        Node("Service_record_report", "service", "Ghi nhận báo cáo", BODY, 9, service="record_report",
             result="report"),
        Node("End_period", "end", "Đã báo cáo", BODY, 10),
    ],
    _flows("Start_period>Script_period>Gateway_open",
           'Gateway_open>[item["wait"]|Chưa đến kỳ]Timer_open>Task_report',
           "Gateway_open>Task_report>Service_record_report>End_period",
           "Timer_remind>Service_remind>End_remind",
           'Timer_chase>Service_chase_draft>Gateway_auto_send>[chasing["auto"]|Tự động]Service_send_chasing>End_chased',
           "Gateway_auto_send>Task_review_chasing>Service_send_chasing",
           "Timer_escalate>Service_escalate>Task_escalation>Service_escalation>Task_report_after>Service_record_report"),
    lane_heights={CLERK: 260},
)

# ------------------------------------------------------------------ directive_life

ROUTE = 'directive["route"]'

LIFE = Model(
    "directive_life", "Vòng đời chỉ thị", "Cơ quan ban hành chỉ thị", [CLERK, HEAD, OFFICE, LEADER, RECORDS],
    [
        Node("Start_life", "start", "Bắt đầu", CLERK, 0),
        Node("Service_load", "service", "Mở hồ sơ văn bản", CLERK, 1, service="load_directive", result="directive"),
        Node("Gateway_issued", "xor", "Đã ban hành?", CLERK, 2, dy=-70, default="Flow_Gateway_issued_Gateway_chosen"),
        Node("Gateway_chosen", "xor", "Đã chọn hình thức?", CLERK, 2, default="Flow_Gateway_chosen_Task_choose"),
        Node("Task_choose", "user", "Chọn hình thức văn bản", HEAD, 3, props=ISSUER_BODY,
             doc="Chọn hình thức văn bản ban hành: chỉ thị của Ban Thường vụ (Đảng), chỉ thị của UBND "
                 "(Nhà nước) hoặc công văn, kế hoạch, công điện.",
             form=ROUTE_FIELD + """- name: reason
  label: Lý do
  type: textarea
"""),
        Node("Service_choose", "service", "Ghi hình thức văn bản", HEAD, 4, service="choose_instrument",
             result="directive", params={"route": "route"}),
        Node("Task_draft", "user", "Soạn thảo dự thảo", CLERK, 5, props={**ISSUER_BODY, "due": q("P5D")},
             doc="Viết (hoặc sửa) dự thảo trong trình soạn thảo bên trái: trích yếu, căn cứ, các mục, bảng giao "
                 "nhiệm vụ, Nơi nhận và người ký; mỗi lần lưu là một phiên bản, bản xem trước cập nhật theo. "
                 "Nếu dự thảo bị trả lại, ý kiến trả lại hiện bên cạnh trình soạn thảo. Khi xong, hoàn thành "
                 "việc này để trình, hoặc gửi lấy ý kiến các cơ quan trước khi trình.",
             form="""
- name: note
  label: Ghi chú vòng soạn thảo (phần đã sửa, đã tiếp thu — không bắt buộc)
  type: textarea
- name: consult
  label: Gửi dự thảo lấy ý kiến các cơ quan trước khi trình
  type: bool
- name: consult_bodies
  label: Cơ quan được lấy ý kiến
  widget: bodies
  required_when: {consult: true}
- name: consult_deadline
  label: Hạn góp ý
  type: date
  required_when: {consult: true}
"""),
        Node("Service_record_draft", "service", "Ghi nhận vòng soạn thảo", CLERK, 6, service="record_draft",
             result="draft"),
        Node("Gateway_consult", "xor", "Lấy ý kiến?", CLERK, 7, default="Flow_Gateway_consult_Gateway_consult_join"),
        Node("Service_consult", "service", "Gửi dự thảo lấy ý kiến", CLERK, 8, dy=-45,
             service="start_consultation", result="consultation"),
        Node("Gateway_any_consulted", "xor", "Có cơ quan?", CLERK, 9, dy=-45,
             default="Flow_Gateway_any_consulted_Gateway_consult_join"),
        Node("Catch_consulted", "catch", "Các cơ quan đã góp ý", CLERK, 10, dy=-45, message="consultation_done"),
        Node("Service_collect", "service", "Tổng hợp ý kiến góp ý", CLERK, 11, dy=-45,
             service="collect_consultation", result="consultation_comments"),
        Node("Task_absorb", "user", "Tiếp thu, giải trình ý kiến góp ý", CLERK, 12, dy=-45, props=ISSUER_BODY,
             doc="Đọc ý kiến góp ý của các cơ quan (cơ quan không trả lời đúng hạn được ghi là không có ý "
                 "kiến); với từng ý kiến, ghi tiếp thu hay giải trình trong bảng bên trái và sửa dự thảo theo. "
                 "Khi hoàn thành, bản tổng hợp, tiếp thu, giải trình được lập thành văn bản.",
             form="""
- name: note
  label: Ghi chú chung (không bắt buộc)
  type: textarea
"""),
        Node("Service_absorb_doc", "service", "Lập bản tổng hợp, tiếp thu, giải trình", CLERK, 13, dy=-45,
             service="summarize_consultation", result="consultation_summary"),
        Node("Gateway_consult_join", "xor", "", CLERK, 13),
        Node("Service_draft_doc", "service", "Lập dự thảo (.docx)", CLERK, 14, service="generate_document",
             result="draft_doc", params={"kind": q("directive_draft"), "stage": q("review")}),
        Node("Task_head_review", "user", "Kiểm tra nội dung dự thảo", HEAD, 15, props={**ISSUER_BODY, "due": q("P2D")},
             doc="Lãnh đạo đơn vị soạn thảo kiểm tra nội dung dự thảo; đồng ý thì trình, không thì trả lại "
                 "với ý kiến.", form=decision_form("Đồng ý, trình Văn phòng")),
        Node("Gateway_head", "xor", "Đồng ý?", HEAD, 16, default="Flow_Gateway_head_Service_slip"),
        Node("Service_comment_head", "service", "Lưu ý kiến trả lại", HEAD, 17, dy=50, service="record_comment",
             result="comments", params={"stage": q("review"), "text": "comment", "returned": "True"}),
        Node("Service_slip", "service", "Lập phiếu trình", HEAD, 17, dy=-40, service="generate_document",
             result="slip_doc", params={"kind": q("submission_slip"), "stage": q("review")}),
        Node("Gateway_office_needed", "xor", "Công điện khẩn?", OFFICE, 18,
             default="Flow_Gateway_office_needed_Task_office"),
        Node("Task_office", "user", "Thẩm định thể thức, kỹ thuật trình bày", OFFICE, 19,
             props={**ISSUER_BODY, "due": q("P2D")},
             doc="Văn phòng kiểm tra thể thức, kỹ thuật trình bày (NĐ 30/2020 hoặc HD 36-HD/VPTW), căn cứ "
                 "và Nơi nhận; đồng ý thì trình ký, không thì trả lại với ý kiến.",
             form=decision_form("Đủ điều kiện trình ký")),
        Node("Gateway_office", "xor", "Đạt?", OFFICE, 20, default="Flow_Gateway_office_Service_to_signing"),
        Node("Service_comment_office", "service", "Lưu ý kiến trả lại", OFFICE, 21, dy=50,
             service="record_comment", result="comments",
             params={"stage": q("review"), "text": "comment", "returned": "True"}),
        Node("Service_to_signing", "service", "Trình ký", LEADER, 20, service="set_stage", result="stage_signing",
             params={"stage": q("signing")}),
        Node("Gateway_sign_route", "xor", "Tuyến ký", LEADER, 21, default="Flow_Gateway_sign_route_Task_sign_light"),
        Node("Task_sign_party", "user", "Ban Thường vụ cho ý kiến, ký (T/M BAN THƯỜNG VỤ)", LEADER, 22, dy=-95,
             props=ISSUER_BODY,
             doc="Ban Thường vụ cho ý kiến; Bí thư hoặc Phó Bí thư ký T/M BAN THƯỜNG VỤ, hoặc trả lại với ý kiến.",
             form=decision_form("Thông qua, ký ban hành", SIGNER_FIELD)),
        Node("Task_sign_state", "user", "Lãnh đạo UBND ký ban hành", LEADER, 22, props=ISSUER_BODY,
             doc="Chủ tịch hoặc Phó Chủ tịch xem xét, ký ban hành (TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH hoặc "
                 "CHỦ TỊCH), hoặc trả lại với ý kiến.",
             form=decision_form("Ký ban hành", SIGNER_FIELD)),
        Node("Task_sign_light", "user", "Lãnh đạo ký văn bản", LEADER, 22, dy=95, props=ISSUER_BODY,
             doc="Xem xét, ký công văn / kế hoạch / công điện, hoặc trả lại với ý kiến.",
             form=decision_form("Ký ban hành", SIGNER_FIELD)),
        Node("Gateway_signed", "xor", "Ký?", LEADER, 23, default="Flow_Gateway_signed_Service_sign"),
        Node("Service_comment_sign", "service", "Lưu ý kiến trả lại", LEADER, 24, dy=60, service="record_comment",
             result="comments", params={"stage": q("signing"), "text": "comment", "returned": "True"}),
        Node("Service_sign", "service", "Ghi chữ ký", LEADER, 24, dy=-50, service="set_signature",
             result="signature"),
        Node("Task_issue", "user", "Cấp số, ngày; đăng ký văn bản đi", RECORDS, 25, props={**ISSUER_BODY, "due": q("P1D")},
             doc="Văn thư cấp số và ngày ban hành theo sổ văn bản đi, đăng ký, đóng dấu/ký số và phát hành.",
             form="""
- name: issued_on
  label: Ngày ban hành
  type: date
  required: true
"""),
        Node("Service_issue", "service", "Cấp số văn bản đi", RECORDS, 26, service="issue_number", result="issued"),
        Node("Service_final_doc", "service", "Lập văn bản ban hành (.docx)", RECORDS, 27,
             service="generate_document", result="final_doc", params={"kind": q("directive_final")}),
        Node("Service_imported_doc", "service", "Lập văn bản đã ban hành (nhập)", RECORDS, 28, dy=70,
             service="generate_document", result="final_doc", params={"kind": q("directive_final")}),
        Node("Service_register_page", "service", "In trang sổ văn bản đi", RECORDS, 28,
             service="generate_document", result="register_doc", params={"kind": q("register_page")}),
        Node("Service_transmittal", "service", "Lập công văn gửi văn bản", RECORDS, 29,
             service="generate_document", result="transmittal_doc", params={"kind": q("transmittal_letter")}),
        Node("Service_distribute", "service", "Phát hành, giao nhiệm vụ các cơ quan", CLERK, 30,
             service="distribute", result="fanout"),
        Node("Gateway_any_assigned", "xor", "Có cơ quan được giao?", CLERK, 31,
             default="Flow_Gateway_any_assigned_Service_aggregate"),
        Node("Receive_all_reported", "receive", "Chờ các cơ quan hoàn thành", CLERK, 32, dy=-45,
             message="followup_done"),
        Node("Timer_deadline", "boundary", "Đến hạn tổng hợp", CLERK, 32, attached="Receive_all_reported",
             timer=("timeDate", 'fanout["deadline_at"]')),
        Node("Service_aggregate", "service", "Tổng hợp báo cáo các cơ quan", CLERK, 34,
             service="aggregate_reports", result="aggregate"),
        Node("Task_closeout_draft", "user", "Dự thảo báo cáo tổng kết", CLERK, 35, props=ISSUER_BODY,
             doc="Dự thảo báo cáo tổng kết việc thực hiện chỉ thị từ báo cáo tổng hợp; nếu bị trả lại, "
                 "sửa theo ý kiến đã lưu.",
             form="""
- name: summary
  label: Nội dung tổng kết
  type: textarea
  required: true
"""),
        Node("Service_closeout_doc", "service", "Lập báo cáo tổng kết (.docx)", CLERK, 36,
             service="generate_document", result="closeout_doc", params={"kind": q("closeout_report")}),
        Node("Task_closeout_approve", "user", "Phê duyệt báo cáo tổng kết", LEADER, 37, props=ISSUER_BODY,
             doc="Xem xét, phê duyệt báo cáo tổng kết hoặc trả lại với ý kiến.",
             form=decision_form("Phê duyệt")),
        Node("Gateway_closeout", "xor", "Phê duyệt?", LEADER, 38, default="Flow_Gateway_closeout_Service_close"),
        Node("Service_comment_closeout", "service", "Lưu ý kiến trả lại", LEADER, 39, dy=60,
             service="record_comment", result="comments", params={"stage": q("closing"), "text": "comment"}),
        Node("Service_close", "service", "Kết thúc chỉ thị", LEADER, 39, dy=-50, service="close_directive",
             result="closed"),
        Node("Task_archive", "user", "Lập hồ sơ, lưu trữ", RECORDS, 40, props=ISSUER_BODY,
             doc="Lập hồ sơ công việc gồm toàn bộ văn bản đã tạo và nộp lưu.",
             form="""
- name: file_code
  label: Ký hiệu hồ sơ
  required: true
"""),
        Node("Service_archive", "service", "Nộp lưu hồ sơ", RECORDS, 41, service="archive", result="archived"),
        Node("End_life", "end", "Hoàn thành", RECORDS, 42),
    ],
    _flows(
        "Start_life>Service_load>Gateway_issued",
        'Gateway_issued>[directive["issued"]|Đã ban hành nơi khác]Service_imported_doc>Service_distribute',
        "Gateway_issued>Gateway_chosen",
        'Gateway_chosen>[directive["chosen"]|Đã chọn khi tiếp nhận]Task_draft',
        "Gateway_chosen>Task_choose>Service_choose>Task_draft",
        "Task_draft>Service_record_draft>Gateway_consult",
        f'Gateway_consult>[consult and {ROUTE} != "cong_dien"|Lấy ý kiến]Service_consult>Gateway_any_consulted',
        'Gateway_any_consulted>[0 < consultation["count"]|Có]Catch_consulted>Service_collect>Task_absorb'
        ">Service_absorb_doc>Gateway_consult_join",
        "Gateway_any_consulted>Gateway_consult_join",
        "Gateway_consult>Gateway_consult_join>Service_draft_doc>Task_head_review>Gateway_head",
        'Gateway_head>[decision == "return"|Trả lại]Service_comment_head>Task_draft',
        "Gateway_head>Service_slip>Gateway_office_needed",
        f'Gateway_office_needed>[{ROUTE} == "cong_dien"|Công điện]Service_to_signing',
        "Gateway_office_needed>Task_office>Gateway_office",
        'Gateway_office>[decision == "return"|Trả lại]Service_comment_office>Task_draft',
        "Gateway_office>Service_to_signing>Gateway_sign_route",
        f'Gateway_sign_route>[{ROUTE} == "party"|Đảng]Task_sign_party>Gateway_signed',
        f'Gateway_sign_route>[{ROUTE} == "state"|Nhà nước]Task_sign_state>Gateway_signed',
        "Gateway_sign_route>Task_sign_light>Gateway_signed",
        'Gateway_signed>[decision == "return"|Trả lại]Service_comment_sign>Task_draft',
        "Gateway_signed>Service_sign>Task_issue>Service_issue>Service_final_doc>Service_register_page"
        ">Service_transmittal>Service_distribute>Gateway_any_assigned",
        'Gateway_any_assigned>[0 < fanout["count"]|Có]Receive_all_reported>Service_aggregate',
        "Timer_deadline>Service_aggregate",
        "Gateway_any_assigned>Service_aggregate>Task_closeout_draft>Service_closeout_doc>Task_closeout_approve"
        ">Gateway_closeout",
        'Gateway_closeout>[decision == "return"|Trả lại]Service_comment_closeout>Task_closeout_draft',
        "Gateway_closeout>Service_close>Task_archive>Service_archive>End_life",
    ),
    lane_heights={LEADER: 300},
)

MODELS = (INTAKE, LIFE, CONSULTATION, FOLLOWUP, PERIOD)
