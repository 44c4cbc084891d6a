"""Thông báo in the browser's pages: the unread count in the top bar, the list, opening one (read,
then its task), the e-mail preference with its checks; and the scheduler's sweep sends the e-mail
through the SMTP server of CHITHI_SMTP_* (a real aiosmtpd server)."""
from __future__ import annotations

from engine.notifications import service
from tests.smtp_support import SmtpServer

from .helpers import ensure_user, only_task, start_sample


def test_unread_count_list_open_and_preferences(client, auth, engine):
    ensure_user(engine, "chuyenvien")
    service.collect(engine)  # first sweep: the cursor starts here
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    assert service.collect(engine) == 1
    auth.login("chuyenvien")
    html = client.get("/").get_data(as_text=True)
    assert 'id="nav-notifications-count"' in html and '>1</span>' in html
    page = client.get("/notifications").get_data(as_text=True)
    assert f"Việc mới: {task.name}" in page and "Chỉ trong hệ thống" in page
    (note,) = service.list_for(engine, "chuyenvien")
    opened = client.post(f"/notifications/{note.id}/open", data={"csrf_token": auth.token()})
    assert opened.status_code == 302 and opened.headers["Location"] == f"/tasks/{task.id}"
    assert 'id="nav-notifications-count"' not in client.get("/").get_data(as_text=True)

    bad = client.post("/notifications/preferences", data={"email": "khong-phai-email", "on_overdue": "1",
                                                          "csrf_token": auth.token()})
    assert bad.status_code == 400 and "Địa chỉ e-mail không hợp lệ" in bad.get_data(as_text=True)
    assert 'value="khong-phai-email"' in bad.get_data(as_text=True)
    ok = client.post("/notifications/preferences", data={"email": "an@ubnd.test", "on_overdue": "1",
                                                         "csrf_token": auth.token()})
    assert ok.status_code == 302
    assert service.preference(engine, "chuyenvien") == service.Preference("an@ubnd.test", False, False, True)


def test_someone_elses_notification_is_not_found(client, auth, engine):
    ensure_user(engine, "chuyenvien")
    ensure_user(engine, "lanhdao")
    service.collect(engine)
    start_sample(engine)
    service.collect(engine)
    (note,) = service.list_for(engine, "chuyenvien")
    auth.login("lanhdao")
    assert client.post(f"/notifications/{note.id}/open", data={"csrf_token": auth.token()}).status_code == 404
    assert service.unread_count(engine, "chuyenvien") == 1


def test_the_scheduler_sweep_sends_through_the_configured_server(engine, monkeypatch):
    ensure_user(engine, "chuyenvien")
    service.save_preference(engine, "chuyenvien", service.Preference("an@ubnd.test"))
    with SmtpServer() as smtp:
        monkeypatch.setenv("CHITHI_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CHITHI_SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("CHITHI_SMTP_FROM", "chithi@ubnd.test")
        assert "notifications" in {sweep.name for sweep in engine.sweeps}  # each scheduler runs it
        engine.run_sweeps()
        start_sample(engine)
        engine.run_sweeps()
        engine.run_sweeps()
        mails = smtp.mailbox.to("an@ubnd.test")
        assert len(mails) == 1 and "Việc mới" in mails[0]["Subject"]
