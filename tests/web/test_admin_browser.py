"""The issue's acceptance walks in a real Chromium, as an administrator: the modeler on
directive_followup (a reminder step added with the properties panel, the unquoted timer marked on
its element, fixed, deployed as version 2, a running follow-up moved to it and the new step run);
an instance in error repaired and retried from its page; a body given a successor; the modeler's
export re-imported and deployed, behaving as the original; and a tour of the other pages.
Every page visited is photographed (test-screenshots/<test>/)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.directives.demo import Desk
from engine.directives.life import import_directive
from engine.directives.reference import load_reference_data
from engine.directory.admin import save_body
from engine.directory.service import map_to_successors
from engine.documents import GeneratedDocument
from engine.kernel.accounts import SYSTEM, cheap_hasher
from engine.kernel.clock import FrozenClock
from engine.kernel.models import AuditEvent
from web import create_app
from web.seed import DEMO_PASSWORD

from ..workflows.helpers import CLERK_LS, ISSUER_LS, draft, issue, review_to_signing, signer, state_directive
from .browser_support import WAIT_SECONDS, log_in, served, wait_text

pytestmark = pytest.mark.browser

BODY = "LS.SGDDT"  # the assigned body whose follow-up the walks move and run


class Live:
    """The served app, its engine, its clock and a desk acting as the office's roles."""

    def __init__(self, base: str, engine, clock: FrozenClock):
        self.base, self.engine, self.clock = base, engine, clock
        self.desk = Desk(engine, clock)

    def issue_directive(self, subject_note: str = "") -> tuple[int, int]:
        """The Lạng Sơn directive (one assigned body) carried to issuance; (directive id, its follow-up).
        A second directive needs its own `subject_note`: the same draft is not imported twice."""
        before = {t.instance_id for t in self.desk.tasks("body_officer", BODY, "Task_acknowledge")}
        description = state_directive((BODY,))
        description["subject"] += subject_note
        did, _iid = import_directive(self.engine, description, actor=CLERK_LS)
        self.desk.do("unit_head", ISSUER_LS, "Task_choose", {"route": "state"})
        draft(self.desk, ISSUER_LS)
        review_to_signing(self.desk, ISSUER_LS)
        issue(self.desk, ISSUER_LS, "Task_sign_state", signer("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Hồ Tiến Thiệu"),
              "2024-05-21")
        [followup] = [t.instance_id for t in self.desk.tasks("body_officer", BODY, "Task_acknowledge")
                      if t.instance_id not in before]
        return did, followup


@pytest.fixture
def live(tmp_path):
    """The app on a fresh SQLite file with the shipped models, the directory and one administrator,
    its clock frozen (the tests move it), served by a real threaded server."""
    clock = FrozenClock()
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'chithi.db'}", "SECRET_KEY": "browser-test",
                      "PASSWORD_HASHER": cheap_hasher(), "CLOCK": clock,
                      "PERMANENT_SESSION_LIFETIME": timedelta(days=60)})  # the tests move the clock by days
    eng = app.extensions["chithi"]
    eng.upgrade_schema()
    eng.deploy_directory()
    load_reference_data(eng)
    eng.accounts.create_user("admin", "Quản trị hệ thống", DEMO_PASSWORD, ["admin"], None)
    with served(app, "admin-app") as base:
        yield Live(base, eng, clock)


def wait_for(driver, condition, message: str):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # A page being replaced by the next one answers "stale" or "no such element" for a moment.
    wait = WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=(StaleElementReferenceException,
                                                                   NoSuchElementException))
    return wait.until(condition, message)


def modeler_ready(driver) -> None:
    wait_for(driver, lambda d: d.find_element("tag name", "body").get_attribute("data-modeler-ready") == "1",
             "the modeler did not open the model")
    wait_text(driver, "#modeler-status", "qua kiểm tra")


def click_element(driver, element_id: str, at: str = "top") -> None:
    """Click a shape on the canvas, as a person would (scrolled into view first): near its top edge,
    or on its left strip (where a lane shows its name)."""
    from selenium.webdriver.common.action_chains import ActionChains

    driver.execute_script("var m = window.chithiModeler; m.get('canvas').scrollToElement("
                          "m.get('elementRegistry').get(arguments[0]), {top: 200, bottom: 200, left: 300, right: 300})",
                          element_id)
    shape = driver.find_element("css selector", f'g.djs-element[data-element-id="{element_id}"] .djs-hit')
    # Near the top edge: in the generated layouts some flows cross the middle of a task.
    offset = (0, -shape.rect["height"] / 2 + 6) if at == "top" else (-shape.rect["width"] / 2 + 12, 0)
    ActionChains(driver).move_to_element_with_offset(shape, *offset).click().perform()
    wait_text(driver, "#panel-title", driver.execute_script(
        "return window.chithiModeler.get('elementRegistry').get(arguments[0]).businessObject.name", element_id))


def type_into(driver, element_id: str, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    field = driver.find_element("id", element_id)
    field.clear()
    field.send_keys(text, Keys.TAB)  # the panel applies a field when it is left


def selected_id(driver) -> str:
    return driver.execute_script("return window.chithiModeler.get('selection').get()[0].id")


def console_errors(driver) -> list[str]:
    """Script errors in the console; a refused form's 422 answer is the page working, not an error."""
    return [e["message"] for e in driver.get_log("browser")
            if "favicon.ico" not in e["message"] and "status of 422" not in e["message"]]


def test_admin_adds_a_reminder_step_deploys_it_and_moves_a_running_followup(live, browser, camera):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    did, followup = live.issue_directive()
    live.desk.do("body_officer", BODY, "Task_acknowledge", {"note": "Đã nhận"})  # its periods start (version 1)
    with live.engine.db.session() as s:
        from engine.directives.store import find_assignment
        from engine.directives.tracking import fact_of

        final_period = fact_of(s, find_assignment(s, did, BODY).id, 1).instance_id  # opens when period 1 is due
    log_in(browser, live.base, "admin")
    camera("inbox")
    browser.find_element(By.ID, "nav-admin").click()
    wait_text(browser, "h1", "Quản trị hệ thống")
    camera("admin-home")
    browser.find_element(By.ID, "admin-nav-processes").click()
    wait_text(browser, "h1", "Quy trình")
    camera("processes")
    browser.find_element(By.CSS_SELECTOR, "#process-directive_period a.open-modeler").click()
    modeler_ready(browser)
    camera("modeler-version-1")

    # A reminder one day after the report task opens: a timer attached to it, left unquoted.
    click_element(browser, "Task_report")
    browser.find_element(By.ID, "add-boundary-timer").click()
    timer_id = selected_id(browser)
    type_into(browser, "p-name", "Nhắc sớm")
    type_into(browser, "p-timer", "P1D")
    problem = wait_text(browser, "#problems", "ngoặc kép")
    wait_for(browser, lambda d: "has-problem" in d.find_element(
        By.CSS_SELECTOR, f'g.djs-element[data-element-id="{timer_id}"]').get_attribute("class"),
        "the problem is not marked on the timer")
    badge = browser.find_element(By.CSS_SELECTOR, f'.problem-badge[data-element="{timer_id}"]')
    assert badge.is_displayed() and '"P1D"' in badge.get_attribute("title")
    assert "Nhắc sớm" in problem.text
    camera("timer-unquoted-marked")

    # The problem list selects the element; the panel explains the rule and fixes it.
    click_element(browser, "Script_period")
    browser.find_element(By.CSS_SELECTOR, f'#problems li[data-element="{timer_id}"] .problem-link').click()
    wait_text(browser, "#panel-title", "Nhắc sớm")
    assert selected_id(browser) == timer_id
    assert "ngoặc kép" in browser.find_element(By.ID, "p-timer").find_element(By.XPATH, "..").text
    browser.find_element(By.ID, "timer-quote").click()
    wait_text(browser, "#modeler-status", "qua kiểm tra")
    assert browser.find_elements(By.CSS_SELECTOR, ".problem-badge") == []

    # The reminder letter itself: a service task from the registered services, then an end.
    browser.find_element(By.ID, "add-service-task").click()
    service_id = selected_id(browser)
    type_into(browser, "p-name", "Gửi công văn nhắc sớm")
    Select(browser.find_element(By.ID, "p-service")).select_by_visible_text("Gửi công văn nhắc")
    type_into(browser, "p-param-what", '"report"')
    browser.find_element(By.ID, "add-end").click()
    type_into(browser, "p-name", "Đã nhắc sớm")
    wait_text(browser, "#modeler-status", "qua kiểm tra")
    camera("reminder-step-added")

    browser.find_element(By.ID, "deploy").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "deploy-confirm").is_displayed(), "no deploy confirmation")
    browser.find_element(By.ID, "deploy-yes").click()
    wait_text(browser, "#modeler-status", "phiên bản 2")
    camera("deployed-version-2")

    # The process page: versions, the comparison, and the running follow-up moved to version 2.
    browser.find_element(By.CSS_SELECTOR, "#after-deploy a").click()
    wait_text(browser, "#versions", "mới nhất")
    camera("process-versions")
    browser.find_element(By.ID, "compare-submit").click()
    wait_text(browser, "h1", "So sánh phiên bản 1 và 2")
    comparison = browser.find_element(By.ID, "comparison").text
    assert "Nhắc sớm" in comparison and "Gửi công văn nhắc sớm" in comparison
    camera("compare-1-2")
    browser.back()
    wait_text(browser, "#migrate", "Chuyển hồ sơ")
    browser.find_element(By.ID, f"migrate-{final_period}").click()
    Select(browser.find_element(By.ID, "migrate-version")).select_by_value("2")
    browser.find_element(By.CSS_SELECTOR, "#migrate-confirm-box summary").click()
    browser.find_element(By.ID, "migrate-reason").send_keys("Thêm bước nhắc sớm")
    camera("migrate-confirm")
    browser.find_element(By.ID, "migrate-confirm").click()
    wait_text(browser, "#migration-summary", "Đã chuyển 1/1")
    camera("migrated")

    # The final period opens when the first falls due; a day later the new step sends the letter.
    from datetime import UTC, datetime

    live.desk.move_to(datetime(2024, 6, 7, 10, 1, tzinfo=UTC))
    live.desk.wait(days=1, minutes=1)
    with live.engine.db.session() as s:
        letters = s.query(GeneratedDocument).filter_by(directive_id=did, kind="reminder_letter").all()
        early = [d for d in letters if d.task_ref == f"directive_period:{service_id}"]
        assert [d.instance_id for d in early] == [final_period]
    browser.get(f"{live.base}/instances/{final_period}")
    wait_for(browser, lambda d: d.find_element(By.ID, "diagram").get_attribute("data-ready") == "1", "no diagram")
    done = browser.find_element(By.CSS_SELECTOR, f'#diagram g.djs-element[data-element-id="{service_id}"]')
    assert "element-done" in done.get_attribute("class")
    timeline = browser.find_element(By.ID, "timeline").text
    assert "Chuyển sang phiên bản mới" in timeline and "Gửi công văn nhắc sớm" in timeline
    assert "phiên bản 2" in browser.find_element(By.CSS_SELECTOR, "dl.meta").text
    camera("followup-after-the-new-step")
    assert console_errors(browser) == []


FAILING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_don" targetNamespace="http://chithi.local/t">
  <bpmn:process id="xu_ly_don" name="Xử lý đơn thư" isExecutable="true">
    <bpmn:startEvent id="S" name="Nhận đơn"/>
    <bpmn:scriptTask id="Calc" name="Tính hạn giải quyết"><bpmn:script>han = add_days(parse_date(ngay_nhan), so_ngay_xu_ly)</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="Handle" name="Giải quyết đơn"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="role" value="clerk"/><spiffworkflow:property name="due" value="han"/>
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="E" name="Xong"/>
    <bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="Calc"/><bpmn:sequenceFlow id="F2" sourceRef="Calc" targetRef="Handle"/>
    <bpmn:sequenceFlow id="F3" sourceRef="Handle" targetRef="E"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_don"><bpmndi:BPMNPlane id="Plane_don" bpmnElement="xu_ly_don">
    <bpmndi:BPMNShape id="S_di" bpmnElement="S"><dc:Bounds x="152" y="102" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="Calc_di" bpmnElement="Calc"><dc:Bounds x="240" y="80" width="110" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="Handle_di" bpmnElement="Handle"><dc:Bounds x="400" y="80" width="110" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="E_di" bpmnElement="E"><dc:Bounds x="562" y="102" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="F1_di" bpmnElement="F1"><di:waypoint x="188" y="120"/><di:waypoint x="240" y="120"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="F2_di" bpmnElement="F2"><di:waypoint x="350" y="120"/><di:waypoint x="400" y="120"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="F3_di" bpmnElement="F3"><di:waypoint x="510" y="120"/><di:waypoint x="562" y="120"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>"""


def test_an_instance_in_error_is_repaired_and_retried_from_its_page(live, browser, camera):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    live.engine.deploy_xml(FAILING, actor="admin")
    instance = live.engine.start_instance("xu_ly_don", business_key="DON-2024-017", body_code="LS.UBND",
                                          data={"ngay_nhan": "2024-05-20"})
    assert live.engine.get_instance(instance.id).status == "error"
    log_in(browser, live.base, "admin")
    browser.find_element(By.ID, "nav-admin").click()
    assert wait_text(browser, "#card-errors", "hồ sơ gặp lỗi").text.split()[0] == "1"
    camera("admin-home-with-an-error")
    browser.find_element(By.ID, "admin-nav-instances").click()
    row = wait_text(browser, f"#error-{instance.id}", "so_ngay_xu_ly")
    assert "Tính hạn giải quyết" in row.text and "Xử lý đơn thư" in row.text
    camera("error-list")
    row.find_element(By.TAG_NAME, "a").click()
    wait_text(browser, "#instance-error", "Tính hạn giải quyết")
    wait_for(browser, lambda d: d.find_element(By.ID, "diagram").get_attribute("data-ready") == "1", "no diagram")
    failed = browser.find_element(By.CSS_SELECTOR, '#diagram g.djs-element[data-element-id="Calc"]')
    assert "element-failed" in failed.get_attribute("class")
    camera("instance-in-error")

    # A first try with a value that is not a number: refused, everything typed still there.
    browser.find_element(By.CSS_SELECTOR, "#repair summary").click()
    assert browser.find_element(By.ID, "var-name-0").get_attribute("value") == "so_ngay_xu_ly"
    Select(browser.find_element(By.ID, "var-type-0")).select_by_value("number")
    browser.find_element(By.ID, "var-value-0").send_keys("mười lăm")
    browser.find_element(By.ID, "repair-reason").send_keys("Đơn thư thường: 15 ngày theo Luật Khiếu nại")
    browser.find_element(By.ID, "repair-submit").click()
    wait_text(browser, "#repair-errors", "phải là một số")
    assert browser.find_element(By.ID, "var-value-0").get_attribute("value") == "mười lăm"
    assert "15 ngày" in browser.find_element(By.ID, "repair-reason").get_attribute("value")
    camera("repair-refused")
    value = browser.find_element(By.ID, "var-value-0")
    value.clear()
    value.send_keys("15")
    browser.find_element(By.ID, "repair-submit").click()
    wait_text(browser, ".flash-success", "Đã sửa dữ liệu và chạy lại hồ sơ")
    assert browser.find_element(By.ID, "instance-status").get_attribute("data-status") == "running"
    assert "Giải quyết đơn" in browser.find_element(By.CSS_SELECTOR, ".ready-tasks").text
    timeline = browser.find_element(By.ID, "timeline").text
    assert "Sửa dữ liệu rồi chạy lại" in timeline and "15 ngày theo Luật Khiếu nại" in timeline
    camera("instance-repaired")
    assert str(live.engine.instance_data(instance.id)["han"]) == "2024-06-04"  # 20/05 + 15 days
    assert console_errors(browser) == []


def test_a_body_is_given_a_successor(live, browser, camera):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    save_body(live.engine, SYSTEM, "LS.SNNPTNT", {"name": "Sở Nông nghiệp và Phát triển nông thôn tỉnh Lạng Sơn",
                                                  "kind": "department", "parent_code": "LS.UBND",
                                                  "province": "Lạng Sơn", "short_names": "Sở NN&PTNT"}, create=True)
    save_body(live.engine, SYSTEM, "LS.SNNMT", {"name": "Sở Nông nghiệp và Môi trường tỉnh Lạng Sơn",
                                                "kind": "department", "parent_code": "LS.UBND",
                                                "province": "Lạng Sơn", "valid_from": "01/03/2025"}, create=True)
    log_in(browser, live.base, "admin")
    browser.get(f"{live.base}/admin")
    browser.find_element(By.ID, "admin-nav-directory").click()
    wait_text(browser, "h1", "Danh mục cơ quan")
    browser.find_element(By.ID, "reform-2025").click()
    browser.find_element(By.ID, "body-filter-submit").click()
    wait_text(browser, "#body-LS\\.SLDTBXH", "Sở Nội vụ")  # the 2025 reform as data: ended, with successors
    camera("directory-2025-reform")
    search = browser.find_element(By.ID, "body-search")
    search.send_keys("nong nghiep")  # no accents needed
    browser.find_element(By.ID, "reform-2025").click()
    browser.find_element(By.ID, "body-filter-submit").click()
    wait_text(browser, "#bodies", "Phát triển nông thôn")
    camera("directory-search")
    browser.find_element(By.CSS_SELECTOR, "#body-LS\\.SNNPTNT a").click()
    wait_text(browser, "h1", "Sở Nông nghiệp và Phát triển nông thôn")
    browser.find_element(By.ID, "valid_to").send_keys("28/02/2025")
    Select(browser.find_element(By.ID, "successor-code-0")).select_by_visible_text("Sở Nông nghiệp và Môi trường tỉnh Lạng Sơn")
    browser.find_element(By.ID, "successor-functions-0").send_keys("toàn bộ")
    browser.find_element(By.ID, "reason").send_keys("Hợp nhất theo Nghị định 45/2025/NĐ-CP")
    camera("body-edit")
    browser.find_element(By.ID, "body-save").click()
    wait_text(browser, ".flash-success", "Đã lưu")
    state = browser.find_element(By.ID, "body-state").text
    assert "28/02/2025" in state and "Sở Nông nghiệp và Môi trường tỉnh Lạng Sơn (toàn bộ)" in state
    history = browser.find_element(By.ID, "history-2").text
    assert "Đến hết ngày" in history and "28/02/2025" in history and "Nghị định 45/2025" in history
    camera("body-with-successor")
    with live.engine.db.session() as s:
        from datetime import date

        [mapping] = map_to_successors(s, ["LS.SNNPTNT"], date(2025, 8, 1))
        assert mapping.status == "replaced" and [x.code for x in mapping.successors] == ["LS.SNNMT"]
    assert console_errors(browser) == []


def test_the_modeler_export_reimported_and_deployed_behaves_as_the_original(live, browser, camera, tmp_path):
    from selenium.webdriver.common.by import By

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    did_1, followup_1 = live.issue_directive()  # runs on version 1, the shipped model

    log_in(browser, live.base, "admin")
    browser.get(f"{live.base}/admin/processes/directive_followup/modeler?version=1")
    modeler_ready(browser)
    browser.find_element(By.ID, "export").click()
    exported = downloads / "directive_followup.bpmn"
    wait_for(browser, lambda _d: exported.exists() and exported.stat().st_size > 10_000, "no exported file")
    text = exported.read_text(encoding="utf-8")
    assert "spiffworkflow:serviceTaskOperator" in text and text != live.engine.modeling.version(SYSTEM,
                                                                                                "directive_followup", 1)[1]
    browser.get(f"{live.base}/admin/processes")
    browser.find_element(By.ID, "bpmn-file").send_keys(str(exported))
    camera("import-form")
    browser.find_element(By.ID, "import-submit").click()
    modeler_ready(browser)
    camera("reimported-draft")
    browser.find_element(By.ID, "deploy").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "deploy-confirm").is_displayed(), "no deploy confirmation")
    browser.find_element(By.ID, "deploy-yes").click()
    wait_text(browser, "#modeler-status", "phiên bản 2")
    browser.get(f"{live.base}/admin/processes/directive_followup/compare?from=1&to=2")
    wait_text(browser, "#no-changes", "giống nhau")
    camera("compare-no-changes")

    # Same behaviour: a second directive's follow-up runs on version 2; both walk the same path.
    did_2, followup_2 = live.issue_directive(" (lần 2)")
    with live.engine.db.session() as s:
        from engine.kernel.models import ProcessDefinition, ProcessInstance

        versions = [s.get(ProcessDefinition, s.get(ProcessInstance, i).definition_id).version
                    for i in (followup_1, followup_2)]
    assert versions == [1, 2]
    live.desk.wait(days=2, minutes=1)  # both late to acknowledge: reminded
    for instance_id in (followup_1, followup_2):
        live.desk.do("body_officer", BODY, "Task_acknowledge", {"note": "Đã nhận"}, instance_id=instance_id)
    from datetime import UTC, datetime

    live.desk.move_to(datetime(2024, 6, 8, 10, 1, tzinfo=UTC))  # a day past the first report: chasing drafted

    def periods(instance_id: int) -> list[int]:
        return sorted(i.id for i in live.engine.list_instances(parent_id=instance_id))

    for instance_id in (followup_1, followup_2):
        first, final = periods(instance_id)
        live.desk.do("body_officer", BODY, "Task_report", {"content": "Báo cáo kỳ 1"}, instance_id=first)
        live.desk.do("clerk", ISSUER_LS, "Task_review_chasing", {"letter_text": "", "signer": ""}, instance_id=first)
        live.desk.do("body_officer", BODY, "Task_report", {"content": "Báo cáo cuối kỳ"}, instance_id=final)

    def path(instance_id: int) -> list:
        with live.engine.db.session() as s:
            return [(e.action, e.payload.get("element_id"), tuple(e.payload.get("ran", [])))
                    for e in s.query(AuditEvent).filter_by(instance_id=instance_id).order_by(AuditEvent.seq)]

    def documents(directive_id: int) -> list[tuple[str, str]]:
        with live.engine.db.session() as s:
            return [(d.kind, d.task_ref) for d in s.query(GeneratedDocument).filter_by(directive_id=directive_id)
                    .order_by(GeneratedDocument.id)
                    if d.instance_id in {followup_1, followup_2, *periods(followup_1), *periods(followup_2)}]

    assert path(followup_1) == path(followup_2)
    assert live.engine.get_instance(followup_2).status == "completed"
    assert documents(did_1) == documents(did_2) and len(documents(did_1)) >= 4


def test_a_tour_of_the_other_administration_pages(live, browser, camera):
    """Users (a refused form keeps what was typed, then created; disabled with a reason), one's own
    password, the audit log with its verification, a new process, the instance list by status, a
    new body; and a clerk's view of an instance (no data, no actions)."""
    from selenium.webdriver.common.by import By

    live.engine.accounts.create_user("chuyenvien", "Nguyễn Văn An", DEMO_PASSWORD, ["clerk"], "LS.UBND")
    _did, followup = live.issue_directive()
    log_in(browser, live.base, "admin")
    browser.get(f"{live.base}/admin")
    browser.find_element(By.ID, "admin-nav-users").click()
    wait_text(browser, "h1", "Người dùng")
    camera("users")
    browser.find_element(By.ID, "user-new").click()
    browser.find_element(By.ID, "username").send_keys("lanhdao2")
    browser.find_element(By.ID, "full_name").send_keys("Trần Thị Bình")
    browser.find_element(By.ID, "password").send_keys("ngan")
    browser.find_element(By.ID, "title").send_keys("PHÓ CHỦ TỊCH")
    browser.find_element(By.ID, "user-save").click()
    wait_text(browser, "#form-alert", "Chưa tạo được")
    assert browser.find_element(By.ID, "full_name").get_attribute("value") == "Trần Thị Bình"
    assert "ít nhất 8 ký tự" in browser.find_element(By.ID, "password-error").text
    camera("user-new-refused")
    browser.find_element(By.ID, "password").send_keys("mat-khau-ld2")
    browser.find_element(By.ID, "confirm_password").send_keys("mat-khau-ld2")
    browser.find_element(By.ID, "role-leader").click()
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "body_code")).select_by_visible_text("Ủy ban nhân dân tỉnh Lạng Sơn")
    browser.find_element(By.ID, "signer").click()
    browser.find_element(By.ID, "user-save").click()
    row = wait_text(browser, "#user-lanhdao2", "Trần Thị Bình")
    assert "Người ký" in row.text and "PHÓ CHỦ TỊCH" in row.text
    browser.find_element(By.CSS_SELECTOR, "#user-chuyenvien a").click()
    wait_text(browser, "h1", "Nguyễn Văn An")
    browser.find_element(By.CSS_SELECTOR, "#disable-user summary").click()
    browser.find_element(By.ID, "disable-user-reason").send_keys("Chuyển công tác")
    camera("user-disable-confirm")
    browser.find_element(By.ID, "disable-user-confirm").click()
    wait_text(browser, "#account-state", "Đã khóa")
    camera("user-disabled")

    browser.find_element(By.ID, "change-password").click()
    wait_text(browser, "h1", "Đổi mật khẩu")
    camera("own-password")

    browser.find_element(By.ID, "nav-admin").click()
    browser.find_element(By.ID, "admin-nav-audit").click()
    wait_text(browser, "h1", "Nhật ký hệ thống")
    Select(browser.find_element(By.ID, "filter-action")).select_by_visible_text("Khóa tài khoản")
    browser.find_element(By.ID, "audit-filter-submit").click()
    wait_text(browser, "#audit-events", "Chuyển công tác")
    browser.find_element(By.ID, "verify-chain").click()
    wait_text(browser, "#verification", "Nhật ký toàn vẹn")
    camera("audit-verified")

    browser.find_element(By.ID, "admin-nav-processes").click()
    browser.find_element(By.ID, "process-new").click()
    wait_text(browser, "h1", "Quy trình mới")
    browser.find_element(By.ID, "name").send_keys("Tiếp nhận đơn thư")
    browser.find_element(By.ID, "process_id").send_keys("tiep_nhan_don")
    browser.find_element(By.ID, "new-process-submit").click()
    modeler_ready(browser)
    camera("new-process-blank")

    # A user task's form and a lane's role, edited in the panel (no XML typed).
    browser.get(f"{live.base}/admin/processes/sample_incoming/modeler")
    modeler_ready(browser)
    click_element(browser, "Task_register")
    wait_for(browser, lambda d: d.find_element(By.ID, "ff-name-0").get_attribute("value") == "arrival_number",
             "the form's fields are not listed")
    assert browser.find_element(By.ID, "ff-label-0").get_attribute("value") == "Số đến"
    browser.find_element(By.ID, "ff-add").click()
    type_into(browser, "ff-name-3", "ghi_chu")
    type_into(browser, "ff-label-3", "Ghi chú của văn thư")
    Select(browser.find_element(By.ID, "ff-type-3")).select_by_value("textarea")
    type_into(browser, "p-prop-due", '"P2D"')
    wait_text(browser, "#modeler-status", "qua kiểm tra")
    camera("form-fields-edited")
    click_element(browser, "Lane_leader", at="left")
    assert "Lãnh đạo" in browser.find_element(By.ID, "lane-role").text
    Select(browser.find_element(By.ID, "p-lane-role")).select_by_value("unit_head")
    wait_text(browser, "#lane-role", "Trưởng phòng")
    wait_text(browser, "#modeler-status", "qua kiểm tra")
    camera("lane-role-changed")
    xml = browser.execute_async_script(
        "var done = arguments[0]; window.chithiModeler.saveXML().then(function (r) { done(r.xml); });")
    assert "- name: ghi_chu" in xml and "Ghi chú của văn thư" in xml and "type: textarea" in xml
    assert 'name="Lãnh đạo đơn vị"' in xml
    assert 'name="due" value="&#34;P2D&#34;"' in xml or "name=\"due\" value='\"P2D\"'" in xml

    browser.get(f"{live.base}/admin/instances")
    Select(browser.find_element(By.CSS_SELECTOR, "#instance-filters select[name=status]")).select_by_value("running")
    browser.find_element(By.CSS_SELECTOR, "#instance-filters button").click()
    wait_text(browser, "#instances", "Theo dõi thực hiện")
    camera("instances-running")

    browser.find_element(By.ID, "admin-nav-directory").click()
    browser.find_element(By.ID, "body-new").click()
    browser.find_element(By.ID, "code").send_keys("ls so moi")
    browser.find_element(By.ID, "body-save").click()
    wait_text(browser, "#form-alert", "Chưa thêm được")
    assert browser.find_element(By.ID, "code").get_attribute("value") == "ls so moi"
    camera("body-new-refused")

    browser.find_element(By.ID, "logout").click()
    live.engine.accounts.create_user("canbo", "Đỗ Văn Hùng", DEMO_PASSWORD, ["body_officer"], BODY)
    log_in(browser, live.base, "canbo")
    browser.get(f"{live.base}/instances/{followup}")
    wait_text(browser, "#timeline", "Khởi tạo hồ sơ")
    assert browser.find_elements(By.ID, "instance-data") == [] and browser.find_elements(By.ID, "actions-title") == []
    camera("followup-seen-by-the-body")
    assert console_errors(browser) == []
