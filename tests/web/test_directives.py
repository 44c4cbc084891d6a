"""Directive pages: the task page's directive panel with the return comments, the list and detail
pages (visibility by the engine's rule), the import page, the OpenAPI entries and the demo seed."""
from __future__ import annotations

import re

from engine.directives.store import directive_of
from web.seed import DEMO_PASSWORD, seed

from .conftest import csrf_token_of
from .directive_helpers import LANGSON, act, drafted, ready_task, user


def _login(auth, engine, username):
    user(engine, username)
    assert auth.login(username).status_code == 302


def test_task_page_shows_the_return_comments_newest_first_with_the_documents(engine, client, auth):
    directive_id = drafted(engine)
    act(engine, "truongphong", "Task_head_review", {"decision": "return", "comment": "Làm rõ mục 2 <b>ngay</b>."})
    act(engine, "chuyenvien", "Task_draft", {"note": "Đã sửa mục 2."})
    act(engine, "truongphong", "Task_head_review", {"decision": "return", "comment": "Bổ sung Nơi nhận."})
    task = ready_task(engine, "chuyenvien", "Task_draft")
    assert directive_of(task) == directive_id

    _login(auth, engine, "chuyenvien")
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)

    panel = html[html.index('id="directive-panel"'):html.index("</section>", html.index('id="directive-panel"'))]
    assert "Dự thảo" in panel and "tăng cường công tác chỉ đạo" in panel
    returns = panel[panel.index('id="return-comments"'):]
    newest, older = returns.index("Bổ sung Nơi nhận."), returns.index("Làm rõ mục 2")
    assert newest < older
    assert "&lt;b&gt;ngay&lt;/b&gt;" in returns  # comment text is escaped
    assert "Đã sửa mục 2." not in returns  # drafting notes are not returns
    assert "Phạm Văn Dũng" in returns  # the full name of who returned it
    assert "Thẩm định dự thảo" in returns
    links = re.findall(r'href="/documents/(\d+)"', panel)
    assert len(links) == 2 and "Dự thảo chỉ thị" in panel  # one draft per drafting round


def test_task_page_without_a_directive_has_no_panel(engine, client, auth):
    from .helpers import only_task, start_sample

    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    _login(auth, engine, "chuyenvien")
    assert 'id="directive-panel"' not in client.get(f"/tasks/{task.id}").get_data(as_text=True)


def test_directive_list_and_detail_follow_the_engine_visibility_rule(engine, client, auth):
    directive_id = drafted(engine)
    act(engine, "truongphong", "Task_head_review", {"decision": "return", "comment": "Sửa lại phần căn cứ."})

    _login(auth, engine, "chuyenvien")
    assert f'href="/directives/{directive_id}"' in client.get("/directives").get_data(as_text=True)
    detail = client.get(f"/directives/{directive_id}").get_data(as_text=True)
    assert "Sửa lại phần căn cứ." in detail and "Sở Giáo dục và Đào tạo" in detail
    assert 'href="/documents/' in detail
    auth.logout()

    _login(auth, engine, "donvi")  # officer of an assigned body: header and its own assignment
    assert f'href="/directives/{directive_id}"' in client.get("/directives").get_data(as_text=True)
    limited = client.get(f"/directives/{directive_id}").get_data(as_text=True)
    assert "Sở Giáo dục và Đào tạo" in limited and "Công an tỉnh" not in limited
    assert "Sửa lại phần căn cứ." not in limited and 'href="/documents/' not in limited
    auth.logout()

    _login(auth, engine, "ngoai")
    assert f'/directives/{directive_id}"' not in client.get("/directives").get_data(as_text=True)
    assert client.get(f"/directives/{directive_id}").status_code == 404


def test_import_page_pasted_yaml_starts_the_life_and_shows_the_detail(engine, client, auth):
    _login(auth, engine, "chuyenvien")
    page = client.get("/directives/new")
    assert page.status_code == 200
    response = client.post("/directives/new", data={"text": LANGSON.read_text(encoding="utf-8"),
                                                    "csrf_token": csrf_token_of(page.get_data(as_text=True))},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Đã nhập chỉ thị" in html
    assert 'id="directive-title"' in html and "Soạn thảo" in html
    assert ready_task(engine, "truongphong", "Task_choose")


def test_import_page_accepts_an_uploaded_file(engine, client, auth):
    import io

    _login(auth, engine, "truongphong")
    token = csrf_token_of(client.get("/directives/new").get_data(as_text=True))
    response = client.post("/directives/new", data={"file": (io.BytesIO(LANGSON.read_bytes()), "langson.yaml"),
                                                    "text": "", "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and re.search(r"/directives/\d+$", response.headers["Location"])


def test_import_page_shows_each_problem_path_and_keeps_the_pasted_text(engine, client, auth):
    _login(auth, engine, "chuyenvien")
    token = csrf_token_of(client.get("/directives/new").get_data(as_text=True))
    pasted = "side: state\ninstrument: CT\nsubject: <Thiếu trường>\n"
    response = client.post("/directives/new", data={"text": pasted, "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="import-problems"' in html and "<code>$" in html
    assert "issuer_code" in html
    assert "subject: &lt;Thiếu trường&gt;" in html  # kept in the textarea, escaped
    assert 'aria-invalid="true"' in html


def test_import_page_is_refused_to_a_leader(engine, client, auth):
    _login(auth, engine, "lanhdao")
    assert client.get("/directives/new").status_code == 403
    assert 'id="import-link"' not in client.get("/directives").get_data(as_text=True)


def test_navigation_links_to_the_directives(engine, client, auth):
    _login(auth, engine, "chuyenvien")
    assert 'id="nav-directives"' in client.get("/").get_data(as_text=True)


def test_openapi_lists_the_directive_paths(client):
    doc = client.get("/api/openapi.json").get_json()
    assert "post" in doc["paths"]["/directives"]
    get = doc["paths"]["/directives/{directive_id}"]["get"]
    assert get["parameters"][0]["name"] == "directive_id" and "200" in get["responses"]


def test_seed_is_idempotent_and_gives_truongphong_the_first_directive_task(engine, client):
    first = seed(engine)
    again = seed(engine)
    assert first.directive_imported and not again.directive_imported
    assert again.directive_id == first.directive_id
    assert first.reference["bodies"] > 50 and first.reference["party_terms"] > 0
    assert ("Chọn hình thức văn bản", "unit_head") in first.directive_tasks
    admin = engine.accounts.get("admin")
    from engine.directives.life import list_visible

    assert [d["id"] for d in list_visible(engine, admin)] == [first.directive_id]

    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "truongphong", "password": DEMO_PASSWORD, "csrf_token": token})
    inbox = client.get("/").get_data(as_text=True)
    assert "Chọn hình thức văn bản" in inbox
    task = ready_task(engine, "truongphong", "Task_choose")
    assert directive_of(task) == first.directive_id
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="directive-panel"' in page and "Dự thảo chưa bị trả lại" in page


def test_a_consulted_body_sees_the_header_and_the_draft_but_no_comments_in_the_task_panel(engine, client, auth):
    drafted(engine)
    act(engine, "truongphong", "Task_head_review", {"decision": "return", "comment": "Nội bộ: sửa mục 3."})
    act(engine, "chuyenvien", "Task_draft", {"note": "Lần 2.", "consult": True,
                                             "consult_bodies": "LS.SGDDT", "consult_deadline": "2024-05-23"})
    task = ready_task(engine, "donvi", "Task_give_opinion")  # Sở GD&ĐT is consulted and assigned
    assert directive_of(task)
    _login(auth, engine, "donvi")
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="directive-panel"' in html and "tăng cường công tác chỉ đạo" in html
    assert "Nội bộ: sửa mục 3." not in html and "Ý kiến trả lại" not in html
    links = re.findall(r'href="/documents/(\d+)"', html)
    assert links and "Dự thảo chỉ thị" in html and "Phiếu trình" not in html
    assert client.get(f"/documents/{links[0]}").status_code == 200


def test_import_page_with_a_national_only_description_starts_at_intake(engine, client, auth):
    _login(auth, engine, "chuyenvien")
    token = csrf_token_of(client.get("/directives/new").get_data(as_text=True))
    national = ("national: {number: '15', symbol: CT-TTg, issuer: Thủ tướng Chính phủ, date: 2024-05-16, "
                "subject: về tổ chức Kỳ thi năm 2024}\n"
                "receiver: {issuer_code: LS.UBND, issuer_name: UBND TỈNH LẠNG SƠN, issuer_symbol: UBND,"
                " place: Lạng Sơn}\n")
    response = client.post("/directives/new", data={"text": national, "csrf_token": token}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Đã vào sổ văn bản đến số 1" in html
    assert "Tiếp nhận văn bản đến" in html and "Chỉ thị số 15/CT-TTg" in html  # the directive answering it


def test_a_clerk_of_another_province_cannot_import_through_the_page_or_the_api(engine, client, auth):
    """The engine refuses, whatever the way in; the page keeps what was pasted and says why."""
    import json

    import yaml

    from .directive_helpers import user

    cantho = (LANGSON.parent / "cantho-2022-ct-tu.yaml").read_text(encoding="utf-8")
    user(engine, "chuyenvien")  # a Lạng Sơn clerk
    _login(auth, engine, "chuyenvien")
    page = client.get("/directives/new")
    response = client.post("/directives/new", data={"text": cantho, "csrf_token": csrf_token_of(page.get_data(as_text=True))})
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and "Thành ủy Cần Thơ" in html and "Ban Thường vụ Thành ủy" in html
    api = client.post("/api/directives", data=json.dumps(yaml.safe_load(cantho), default=str),
                      content_type="application/json", headers={"X-Requested-With": "test"})
    assert api.status_code == 403 and api.get_json()["error"] == "forbidden"
    with engine.db.session() as s:
        from engine.directives.store import DirectiveRow

        assert s.query(DirectiveRow).count() == 0


def test_a_directive_imported_twice_is_refused_by_the_page_the_api_and_the_cli_with_a_pointer(engine, client, auth,
                                                                                               db_url, capsys):
    """Whatever the way in: a clear message naming the directive already stored, the text kept."""
    import json

    import yaml

    from web.cli import main as cli

    _login(auth, engine, "chuyenvien")
    text = LANGSON.read_text(encoding="utf-8")
    page = client.get("/directives/new")
    token = csrf_token_of(page.get_data(as_text=True))
    assert client.post("/directives/new", data={"text": text, "csrf_token": token}).status_code == 302
    again = client.post("/directives/new", data={"text": text, "csrf_token": token})
    html = again.get_data(as_text=True)
    assert again.status_code == 422 and "dự thảo này đã được nhập: chỉ thị #1" in html and "Hồ Tiến Thiệu" in html
    api = client.post("/api/directives", data=json.dumps(yaml.safe_load(text), default=str),
                      content_type="application/json", headers={"X-Requested-With": "test"})
    assert api.status_code == 422 and "chỉ thị #1" in api.get_json()["fields"]["$"]
    assert cli(["--database-url", db_url, "directive", "import", str(LANGSON)]) == 1
    assert "chỉ thị #1" in capsys.readouterr().err
