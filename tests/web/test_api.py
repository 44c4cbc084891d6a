"""The JSON API: same inbox and task actions as the pages, typed errors as JSON."""
from __future__ import annotations

import base64

from .helpers import SAMPLE_VALUES, ensure_user, only_task, start_sample

JSON_POST = {"X-Requested-With": "fetch"}


def basic(engine, username: str, password: str = "chithi-demo") -> dict:
    ensure_user(engine, username)
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def json_values(fields) -> dict:
    values = {}
    for f in fields:
        if f.type == "choice":
            values[f.name] = f.options[0][0]
        elif f.type == "number":
            values[f.name] = 3
        elif f.type == "bool":
            values[f.name] = True
        else:
            values[f.name] = SAMPLE_VALUES[f.type]
    return values


def test_api_needs_a_login(client):
    response = client.get("/api/tasks")
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_inbox_task_claim_and_complete_over_json(client, engine):
    instance_id = start_sample(engine)
    task = only_task(engine, "chuyenvien")
    headers = basic(engine, "chuyenvien")

    inbox = client.get("/api/tasks", headers=headers).get_json()
    assert [t["id"] for t in inbox["tasks"]] == [task.id]

    detail = client.get(f"/api/tasks/{task.id}", headers=headers).get_json()
    assert detail["name"] == task.name
    assert [f["name"] for f in detail["form"]] == [f.name for f in task.form]

    claimed = client.post(f"/api/tasks/{task.id}/claim", headers={**headers, **JSON_POST})
    assert claimed.status_code == 200
    assert claimed.get_json()["assignee"] == "chuyenvien"

    done = client.post(f"/api/tasks/{task.id}/complete", headers=headers, json=json_values(task.form))
    assert done.status_code == 200
    body = done.get_json()
    assert body["id"] == instance_id
    assert body["status"] == "running"
    assert task.id not in [t["id"] for t in body["ready_tasks"]]
    assert only_task(engine, "lanhdao").instance_id == instance_id


def test_session_cookie_also_works_for_the_api(client, auth, engine):
    start_sample(engine)
    auth.login("chuyenvien")
    me = client.get("/api/me").get_json()
    assert me["username"] == "chuyenvien"
    assert me["roles"] == ["clerk"]
    assert len(client.get("/api/tasks").get_json()["tasks"]) == 1


def test_api_post_without_json_or_header_is_refused(client, auth, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    auth.login("chuyenvien")
    response = client.post(f"/api/tasks/{task.id}/claim", data={"x": "1"})  # what a cross-site form sends
    assert response.status_code == 403
    assert response.get_json()["error"] == "csrf"
    assert engine.get_task(task.id, engine.accounts.get("chuyenvien")).assignee is None


def test_form_error_names_the_field(client, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    required = next(f for f in task.form if f.required and f.type != "bool")
    values = {**json_values(task.form), required.name: ""}
    response = client.post(f"/api/tasks/{task.id}/complete", headers=basic(engine, "chuyenvien"), json=values)
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_form"
    assert required.name in body["fields"]


def test_second_completion_is_a_conflict(client, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    values = json_values(task.form)
    first = client.post(f"/api/tasks/{task.id}/complete", headers=basic(engine, "chuyenvien"), json=values)
    assert first.status_code == 200
    second = client.post(f"/api/tasks/{task.id}/complete", headers=basic(engine, "chuyenvien"), json=values)
    assert second.status_code == 409
    assert second.get_json()["error"] == "conflict"


def test_other_peoples_tasks_are_not_found(client, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    response = client.get(f"/api/tasks/{task.id}", headers=basic(engine, "chuyenvien2"))
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"
    response = client.post(f"/api/tasks/{task.id}/complete", headers=basic(engine, "lanhdao"), json={})
    assert response.status_code == 404


def test_wrong_basic_password_is_unauthorized(client, engine):
    response = client.get("/api/tasks", headers=basic(engine, "chuyenvien", "wrong-password"))
    assert response.status_code == 401
    assert response.get_json()["message"] == "Sai tên đăng nhập hoặc mật khẩu"


def test_body_must_be_a_json_object(client, engine):
    start_sample(engine)
    task = only_task(engine, "chuyenvien")
    response = client.post(f"/api/tasks/{task.id}/complete", headers=basic(engine, "chuyenvien"), json=[1, 2])
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_admin_starts_an_instance_and_reads_it(client, engine):
    response = client.post("/api/processes/sample_incoming/instances", headers=basic(engine, "admin"),
                           json={"business_key": "CV-DEN-API-1", "body_code": "LS.UBND",
                                 "data": {"subject": "Công văn thử nghiệm"}})
    assert response.status_code == 201
    created = response.get_json()
    assert created["business_key"] == "CV-DEN-API-1"
    assert created["status"] == "running"
    read = client.get(f"/api/instances/{created['id']}", headers=basic(engine, "admin")).get_json()
    assert read["id"] == created["id"]
    assert read["ready_tasks"]


def test_only_admins_start_instances(client, engine):
    response = client.post("/api/processes/sample_incoming/instances", headers=basic(engine, "chuyenvien"), json={})
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"
    assert engine.list_instances() == []


def test_unknown_process_is_not_found(client, engine):
    response = client.post("/api/processes/no_such_process/instances", headers=basic(engine, "admin"), json={})
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_openapi_document_describes_every_route_of_the_api_blueprint(app, client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {"/api" + path.replace("{", "<").replace("}", ">") for path in doc["paths"]}
    routes = {rule.rule.replace("<int:", "<") for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"}
    assert routes and routes <= documented


def test_other_blueprints_can_add_their_paths_to_the_document(app, client):
    from web.openapi import register_openapi_paths

    register_openapi_paths(app, {"/extra/{item_id}": {"get": {"summary": "Một mục"}}})
    doc = client.get("/api/openapi.json").get_json()
    assert doc["paths"]["/extra/{item_id}"]["get"]["summary"] == "Một mục"
    assert "/tasks" in doc["paths"]
