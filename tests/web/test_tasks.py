"""Việc cần xử lý: a task started by the engine is seen by the right person and completed through
the HTML form, advancing the instance."""
from __future__ import annotations

from datetime import timedelta

from .helpers import ensure_user, form_strings, only_task, start_sample


def test_inbox_shows_the_sample_task_to_the_clerk(client, auth, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    auth.login("chuyenvien")
    html = client.get("/").get_data(as_text=True)
    assert task.name in html
    assert task.business_key in html
    assert f'href="/tasks/{task.id}"' in html


def test_inbox_shows_only_my_tasks(client, auth, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    for other in ("lanhdao", "chuyenvien2"):  # another role; the same role in another body
        auth.logout()
        auth.login(other)
        html = client.get("/").get_data(as_text=True)
        assert task.name not in html
        assert "Hiện không có việc nào cần xử lý" in html
        assert client.get(f"/tasks/{task.id}").status_code == 404


def test_overdue_task_is_highlighted(client, auth, engine, clock):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    auth.login("chuyenvien")
    if task.due_at is None:
        html = client.get("/").get_data(as_text=True)
        assert "Quá hạn" not in html
        return
    clock.set(task.due_at + timedelta(minutes=1))
    auth.login("chuyenvien")  # days later: the morning's session has expired on the server
    html = client.get("/").get_data(as_text=True)
    assert "overdue" in html and "Quá hạn" in html


def test_task_page_renders_documentation_and_form(client, auth, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    auth.login("chuyenvien")
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert task.name in html
    if task.documentation:
        assert task.documentation.strip().splitlines()[0] in html
    for field in task.form:
        assert f'name="{field.name}"' in html
        assert field.label in html
    assert "Hoàn thành" in html


def test_completing_through_the_form_advances_the_instance(client, auth, engine):
    instance_id = start_sample(engine)
    task = only_task(engine, "chuyenvien")
    auth.login("chuyenvien")
    response = client.post(f"/tasks/{task.id}", data={**form_strings(task.form), "csrf_token": auth.token()})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert f"Đã hoàn thành: {task.name}" in html
    assert f'href="/tasks/{task.id}"' not in html

    instance = engine.get_instance(instance_id)
    assert task.id not in [t.id for t in instance.ready_tasks]
    leader_task = only_task(engine, "lanhdao")
    assert leader_task.instance_id == instance_id
    auth.logout()
    auth.login("lanhdao")
    assert leader_task.name in client.get("/").get_data(as_text=True)
    page = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "Đang xử lý" in page and leader_task.name in page


def test_form_error_is_shown_next_to_the_field_and_typed_values_are_kept(client, auth, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    required = [f for f in task.form if f.required and f.type != "bool"]
    assert required, "the sample's first task should have a required field"
    values = form_strings(task.form)
    missing = required[0]
    values[missing.name] = ""
    kept = next((f for f in task.form if f.type in ("text", "textarea") and f is not missing), None)
    if kept is not None:
        values[kept.name] = "Nội dung tôi đã gõ <b>"
    auth.login("chuyenvien")
    response = client.post(f"/tasks/{task.id}", data={**values, "csrf_token": auth.token()})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="f-{missing.name}-error"' in html
    assert "bắt buộc" in html
    if kept is not None:
        assert "Nội dung tôi đã gõ &lt;b&gt;" in html
    assert only_task(engine, "chuyenvien").id == task.id  # nothing applied


def test_unreadable_number_is_refused_together_with_every_other_problem(client, auth, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    typed = next((f for f in task.form if f.type in ("number", "date")), None)
    if typed is None:
        return
    other_required = next(f for f in task.form if f.required and f is not typed and f.type != "bool")
    values = {**form_strings(task.form), typed.name: "không phải số", other_required.name: ""}
    auth.login("chuyenvien")
    response = client.post(f"/tasks/{task.id}", data={**values, "csrf_token": auth.token()})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="f-{typed.name}-error"' in html
    assert 'value="không phải số"' in html
    assert f'id="f-{other_required.name}-error"' in html  # every problem at once
    assert only_task(engine, "chuyenvien").id == task.id


def test_second_completion_of_the_same_task_is_a_conflict_and_keeps_the_input(app, client, auth, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    values = form_strings(task.form)

    other = app.test_client()
    from .conftest import AuthActions
    other_auth = AuthActions(other, engine)
    other_auth.login("chuyenvien")
    other_page = other.get(f"/tasks/{task.id}")  # the second clerk opens the form first
    assert other_page.status_code == 200

    auth.login("chuyenvien")
    assert client.post(f"/tasks/{task.id}", data={**values, "csrf_token": auth.token()}).status_code == 302

    late_values = {**values}
    text_field = next((f for f in task.form if f.type in ("text", "textarea")), None)
    if text_field is not None:
        late_values[text_field.name] = "Ý kiến của người đến sau"
    response = other.post(f"/tasks/{task.id}", data={**late_values, "csrf_token": other_auth.token()})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Việc này đã được người khác xử lý" in html
    if text_field is not None:
        assert "Ý kiến của người đến sau" in html


def test_completed_task_page_shows_no_form(client, auth, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    auth.login("chuyenvien")
    client.post(f"/tasks/{task.id}", data={**form_strings(task.form), "csrf_token": auth.token()})
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="task-form"' not in html
    assert "Đã hoàn thành" in html


def test_claim_and_release_from_the_task_page(client, auth, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    auth.login("chuyenvien")
    response = client.post(f"/tasks/{task.id}/claim", data={"csrf_token": auth.token()}, follow_redirects=True)
    assert "Đã nhận việc" in response.get_data(as_text=True)
    assert engine.get_task(task.id, ensure_user(engine, "chuyenvien")).assignee == "chuyenvien"
    response = client.post(f"/tasks/{task.id}/release", data={"csrf_token": auth.token()}, follow_redirects=True)
    assert "Đã trả lại việc" in response.get_data(as_text=True)
    assert engine.get_task(task.id, ensure_user(engine, "chuyenvien")).assignee is None


def test_task_claimed_by_a_colleague_cannot_be_claimed_again(app, client, auth, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    engine.claim_task(task.id, ensure_user(engine, "chuyenvien"))
    engine.accounts.create_user("chuyenvien3", "Lý Văn Minh", "chithi-demo", ["clerk"], "LS.UBND")
    auth.login("chuyenvien3")
    response = client.post(f"/tasks/{task.id}/claim", data={"csrf_token": auth.token()})
    assert response.status_code in (404, 409)


def test_instance_page_is_hidden_from_people_without_a_task_in_it(client, auth, engine):
    instance_id = start_sample(engine)
    auth.login("chuyenvien2")
    assert client.get(f"/instances/{instance_id}").status_code == 404
    auth.logout()
    auth.login("admin")
    html = client.get(f"/instances/{instance_id}").get_data(as_text=True)
    assert "Đang xử lý" in html


def test_unknown_task_is_a_vietnamese_404_page(client, auth):
    auth.login()
    response = client.get("/tasks/999999")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_htmx_refresh_returns_only_the_table(client, auth, engine):
    start_sample(engine)
    auth.login()
    html = client.get("/", headers={"HX-Request": "true", "HX-Target": "inbox"}).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="inbox">')
    assert "<html" not in html


def test_leader_sees_what_the_clerk_registered(client, auth, engine):
    start_sample(engine)
    clerk = ensure_user(engine, "chuyenvien")
    task = only_task(engine, "chuyenvien")
    engine.complete_task(task.id, clerk, {"arrival_number": 125, "subject": "Chỉ thị 15/CT-TTg <về Kỳ thi>",
                                          "sender": "Văn phòng Chính phủ"})
    leader_task = only_task(engine, "lanhdao")
    auth.login("lanhdao")
    html = client.get(f"/tasks/{leader_task.id}").get_data(as_text=True)
    assert 'id="task-context"' in html and "Thông tin hồ sơ" in html
    assert "125" in html and "Văn phòng Chính phủ" in html
    assert "Chỉ thị 15/CT-TTg &lt;về Kỳ thi&gt;" in html  # escaped, not markup


def test_inbox_folders_filters_and_search(client, auth, engine, clock):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    auth.login("chuyenvien")
    html = client.get("/").get_data(as_text=True)
    for label in ("Chờ xử lý", "Sắp đến hạn", "Quá hạn", "Đã xử lý"):
        assert label in html
    assert 'id="folder-open"' in html and 'data-count="1"' in html
    found = client.get("/?q=" + task.name.split()[0].lower()).get_data(as_text=True)
    assert f'href="/tasks/{task.id}"' in found
    missing = client.get("/?q=khong+co+dau+viec+nay").get_data(as_text=True)
    assert f'href="/tasks/{task.id}"' not in missing and "Không có việc nào khớp bộ lọc" in missing
    bad = client.get("/?due_from=31/02/2024")
    assert bad.status_code == 400 and "ngày không hợp lệ" in bad.get_data(as_text=True)
    if task.due_at is not None:
        from engine.kernel.calendar import local_date

        day = local_date(task.due_at).strftime("%d/%m/%Y")
        assert f'href="/tasks/{task.id}"' in client.get(f"/?due_from={day}&due_to={day}").get_data(as_text=True)
    done = client.get("/?folder=done").get_data(as_text=True)
    assert "Bạn chưa xử lý việc nào" in done
