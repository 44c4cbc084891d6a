"""Notifications: a new task, a deadline near and a deadline passed become one notification per
person and event, shown in the app and sent by e-mail through a real SMTP server (aiosmtpd) — once,
even with several sweepers at once, again later after the server refused, one bad row never holding
back the others; nothing about a closed directive."""
from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.directives import store
from engine.directives.life import import_directive
from engine.kernel.models import HumanTask
from engine.notifications import service
from engine.notifications.mailer import Mailer, SmtpConfig
from engine.notifications.models import EMAIL_CANCELLED, EMAIL_FAILED, EMAIL_PENDING, EMAIL_SENT, Notification
from tests.smtp_support import SmtpServer
from tests.web.directive_helpers import LANGSON, user

SAMPLE = Path(__file__).resolve().parents[2] / "workflows" / "sample_incoming.bpmn"


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def config(smtp):
    return SmtpConfig(host="127.0.0.1", port=smtp.port, sender="chithi@ubnd.test", timeout=5)


def _sample(engine, n: int = 1) -> list[int]:
    from web.seed import SAMPLE_START

    engine.deploy_xml(SAMPLE.read_bytes(), source=SAMPLE.name)
    ids = []
    for i in range(n):
        info = engine.start_instance("sample_incoming", business_key=f"CV-{i}", data=dict(SAMPLE_START["data"]),
                                     body_code="LS.UBND")
        ids.append(info.ready_tasks[0].id)
    return ids


def _email(engine, username: str, address: str, **flags) -> None:
    service.save_preference(engine, username, service.Preference(email=address, **flags))


def test_a_new_task_is_told_once_in_the_app_and_by_email(engine, config, smtp):
    clerk = user(engine, "chuyenvien")
    _email(engine, "chuyenvien", "an@ubnd.test")
    service.sweep(engine, config)  # the first sweep: what exists is not news
    (task_id,) = _sample(engine)
    first = service.sweep(engine, config)
    assert first.collected == 1 and first.sent == 1
    again = service.sweep(engine, config)
    assert again.collected == 0 and again.sent == 0
    mails = smtp.mailbox.to("an@ubnd.test")
    assert len(mails) == 1
    assert mails[0]["Subject"].startswith("[Chỉ thị] Việc mới: ")
    assert "Hạn xử lý:" in mails[0].get_content()
    assert service.unread_count(engine, clerk.username) == 1
    (note,) = service.list_for(engine, clerk.username)
    assert note.link == f"/tasks/{task_id}" and note.email_status == EMAIL_SENT
    assert service.mark_read(engine, clerk.username, note.id) == 1
    assert service.unread_count(engine, clerk.username) == 0
    assert service.mark_read(engine, "someone_else", note.id) == 0


def test_preference_and_no_address_keep_it_in_the_app(engine, config, smtp):
    user(engine, "chuyenvien")
    _email(engine, "chuyenvien", "an@ubnd.test", on_new_task=False)
    service.sweep(engine, config)
    _sample(engine)
    assert service.sweep(engine, config).collected == 1
    assert smtp.mailbox.messages == []
    assert service.unread_count(engine, "chuyenvien") == 1


def test_near_due_then_overdue_each_once(engine, config, smtp, clock):
    user(engine, "chuyenvien")
    _email(engine, "chuyenvien", "an@ubnd.test", on_new_task=False)
    service.sweep(engine, config)
    (task_id,) = _sample(engine)
    due = clock.now() + timedelta(days=10)
    with engine.transaction() as s:
        s.get(HumanTask, task_id).due_at = due
    service.sweep(engine, config)  # new: in the app only (the person wants no e-mail for new tasks)
    assert smtp.mailbox.messages == []
    clock.set(due - timedelta(days=4))  # not yet within 3 days
    service.sweep(engine, config)
    assert smtp.mailbox.messages == []
    clock.set(due - timedelta(days=2))
    service.sweep(engine, config)
    service.sweep(engine, config)
    clock.set(due)  # on the minute: not late yet
    service.sweep(engine, config)
    subjects = [m["Subject"] for m in smtp.mailbox.to("an@ubnd.test")]
    assert len(subjects) == 1 and "Sắp đến hạn" in subjects[0]
    clock.set(due + timedelta(minutes=1))
    service.sweep(engine, config)
    service.sweep(engine, config)
    subjects = [m["Subject"] for m in smtp.mailbox.to("an@ubnd.test")]
    assert len(subjects) == 2 and "Quá hạn 1 ngày" in subjects[1]


def test_retried_after_the_server_refused_and_one_failure_isolated(engine, config, smtp, clock):
    user(engine, "chuyenvien")
    _email(engine, "chuyenvien", "an@ubnd.test")
    service.sweep(engine, config)
    _sample(engine)
    smtp.mailbox.refuse_next = 1
    result = service.sweep(engine, config)
    assert result.sent == 0 and result.failed == 1
    with engine.db.session() as s:
        row = s.scalars(select(Notification)).one()
        assert row.email_status == EMAIL_PENDING and row.attempts == 1 and "451" in (row.last_error or "")
        assert row.next_attempt_at == clock.now() + service.backoff(1)
    assert service.sweep(engine, config).sent == 0  # not before its time
    clock.advance(service.backoff(1))
    assert service.sweep(engine, config).sent == 1
    assert len(smtp.mailbox.to("an@ubnd.test")) == 1

    # an address the server refuses fails on its own row; the other person's mail goes out
    ensure_second_clerk(engine)
    _email(engine, "chuyenvien3", "bad@ubnd.test")
    smtp.mailbox.refuse_to.add("bad@ubnd.test")
    _sample(engine)
    result = service.sweep(engine, config)
    assert result.sent == 1 and result.failed == 1
    assert len(smtp.mailbox.to("an@ubnd.test")) == 2
    with engine.db.session() as s:  # a 5xx refusal is for good: not tried again
        bad = s.scalars(select(Notification).where(Notification.email_to == "bad@ubnd.test")).one()
        assert bad.email_status == EMAIL_FAILED and bad.attempts == 1 and "550" in (bad.last_error or "")
    # a server that keeps answering 4xx is tried MAX_ATTEMPTS times, then given up
    smtp.mailbox.refuse_to.clear()
    smtp.mailbox.refuse_next = 10 ** 6
    _sample(engine)
    for _ in range(service.MAX_ATTEMPTS + 2):
        service.sweep(engine, config)
        clock.advance(timedelta(hours=7))
    with engine.db.session() as s:
        rows = s.scalars(select(Notification).where(Notification.event_key == f"new_task:{_last_task(s)}")).all()
        assert {(r.email_status, r.attempts) for r in rows} == {(EMAIL_FAILED, service.MAX_ATTEMPTS)}


def _last_task(s) -> int:
    return s.scalar(select(HumanTask.id).order_by(HumanTask.id.desc()).limit(1))


def ensure_second_clerk(engine):
    from web.seed import DemoUser, ensure_demo_users

    ensure_demo_users(engine, [DemoUser("chuyenvien3", "Lý Văn Ba", ("clerk",))])


def test_concurrent_sweepers_send_each_mail_once(engine, config, smtp):
    user(engine, "chuyenvien")
    _email(engine, "chuyenvien", "an@ubnd.test")
    service.sweep(engine, config)
    _sample(engine, 12)
    errors: list[BaseException] = []

    def run():
        try:
            service.collect(engine)
            service.deliver(engine, Mailer(config))
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    mails = smtp.mailbox.to("an@ubnd.test")
    assert len(mails) == 12
    assert len({m["Message-ID"] for m in mails}) == 12
    with engine.db.session() as s:
        assert s.scalar(select(Notification.id).where(Notification.email_status != EMAIL_SENT)) is None


def test_nothing_about_a_closed_directive(engine, config, smtp, clock):
    engine.deploy_directory()
    user(engine, "truongphong")
    _email(engine, "truongphong", "dung@ubnd.test")
    service.sweep(engine, config)
    directive_id, _ = import_directive(engine, LANGSON, actor=user(engine, "chuyenvien"))
    assert service.collect(engine) == 1  # queued while the directive is open…
    with engine.transaction() as s:
        store.set_stage(s, directive_id, "closed", actor="test", now=engine.clock.now())
        task = s.scalars(select(HumanTask).where(HumanTask.ref_id == directive_id)).one()
        task.due_at = clock.now() + timedelta(hours=5)
    result = service.sweep(engine, config)  # …closed before it went out: not sent, and no reminder
    assert result == service.SweepResult(0, 0, 0)
    assert smtp.mailbox.messages == []
    with engine.db.session() as s:
        (row,) = s.scalars(select(Notification)).all()
        assert row.email_status == EMAIL_CANCELLED
    clock.advance(timedelta(hours=6))
    assert service.sweep(engine, config).collected == 0


def test_smtp_config_from_environment():
    assert SmtpConfig.from_env({}) is None
    cfg = SmtpConfig.from_env({"CHITHI_SMTP_HOST": "mail.ubnd.test", "CHITHI_SMTP_PORT": "587",
                               "CHITHI_SMTP_USER": "u", "CHITHI_SMTP_PASSWORD": "p",
                               "CHITHI_SMTP_FROM": "no-reply@ubnd.test", "CHITHI_SMTP_STARTTLS": "1"})
    assert cfg == SmtpConfig("mail.ubnd.test", 587, "u", "p", "no-reply@ubnd.test", True, 20.0)
