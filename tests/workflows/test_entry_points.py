"""The two ways in: `chithi directive import FILE [--json]` and `POST /api/directives` (JSON or YAML),
plus `GET /api/directives/<id>`; a wrong description is refused with JSON paths."""
from __future__ import annotations

import base64
import json

import pytest
import yaml

from engine.directives.life import directive_summary
from tests.workflows.helpers import DIRECTIVES, state_directive
from web import create_app
from web.cli import main as cli

PASSWORD = "mat-khau-123"


@pytest.fixture
def app(db_url, clock):
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "SECRET_KEY": "test", "CLOCK": clock})
    eng = app.extensions["chithi"]
    eng.accounts.create_user("chuyenvien", "Nguyễn Văn A", PASSWORD, ["clerk"], "LS.UBND")
    eng.accounts.create_user("donvi", "Cán bộ Công an", PASSWORD, ["body_officer"], "LS.CA")
    eng.accounts.create_user("khac", "Cán bộ tỉnh khác", PASSWORD, ["clerk"], "CT.TU")
    yield app
    eng.shutdown()


def as_json(data: dict) -> dict:
    """The description as a client sends it: dates as ISO strings."""
    return json.loads(json.dumps(data, default=str))


def auth(username: str) -> dict:
    token = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_post_json_description_creates_the_directive_at_drafting(app):
    client = app.test_client()
    response = client.post("/api/directives", json=as_json(state_directive()), headers=auth("chuyenvien"))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["start"] == "drafting" and response.headers["Location"] == f"/api/directives/{body['directive_id']}"
    shown = client.get(f"/api/directives/{body['directive_id']}", headers=auth("chuyenvien")).get_json()
    assert shown["stage"] == "drafting" and shown["instance_id"] == body["instance_id"]
    assert [a["body_code"] for a in shown["assignments"]] == ["LS.CA", "LS.SYT"]
    assert shown["comments"] == [] and shown["signature"]["title"] == "CHỦ TỊCH"
    seen_by_body = client.get(f"/api/directives/{body['directive_id']}", headers=auth("donvi")).get_json()
    assert [a["body_code"] for a in seen_by_body["assignments"]] == ["LS.CA"] and "comments" not in seen_by_body


def test_post_yaml_national_only_starts_at_intake(app):
    text = yaml.safe_dump({"national": {"number": "15", "symbol": "CT-TTg", "issuer": "Thủ tướng Chính phủ",
                                        "date": "2024-05-16", "subject": "về Kỳ thi 2024"},
                           "receiver": {"issuer_code": "LS.UBND", "issuer_name": "ỦY BAN NHÂN DÂN\nTỈNH LẠNG SƠN",
                                        "issuer_symbol": "UBND", "place": "Lạng Sơn"}}, allow_unicode=True)
    response = app.test_client().post("/api/directives", data=text.encode(), content_type="application/yaml",
                                      headers={**auth("chuyenvien"), "X-Requested-With": "test"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["directive_id"] == 1 and body["start"] == "intake"
    info = app.extensions["chithi"].get_instance(body["instance_id"])
    assert info.process_id == "directive_intake" and info.ready_tasks[0].element_id == "Task_assign"


def test_wrong_description_is_422_with_json_paths_and_others_may_not_import(app):
    client = app.test_client()
    bad = state_directive()
    bad["assignments"][0]["section_ref"] = "9.z)"
    response = client.post("/api/directives", json=as_json(bad), headers=auth("chuyenvien"))
    assert response.status_code == 422
    assert "9.z)" in response.get_json()["fields"]["$.assignments[0].section_ref"]
    del bad["subject"]
    fields = client.post("/api/directives", json=as_json(bad), headers=auth("chuyenvien")).get_json()["fields"]
    assert "subject" in fields["$"]
    assert client.post("/api/directives", json=as_json(state_directive()), headers=auth("donvi")).status_code == 403
    assert client.post("/api/directives", json=as_json(state_directive())).status_code == 401
    assert client.get("/api/directives/999", headers=auth("chuyenvien")).status_code == 404
    created = client.post("/api/directives", json=as_json(state_directive()), headers=auth("chuyenvien")).get_json()
    assert client.get(f"/api/directives/{created['directive_id']}", headers=auth("khac")).status_code == 404


def test_cli_imports_yaml_and_json_files(db_url, tmp_path, capsys, clock):
    assert cli(["--database-url", db_url, "directive", "import", str(DIRECTIVES / "langson-2024-ct-ubnd.yaml")]) == 0
    assert "Created directive #1" in capsys.readouterr().out
    as_json = tmp_path / "cantho.txt"
    as_json.write_text(json.dumps(yaml.safe_load((DIRECTIVES / "cantho-2022-ct-tu.yaml").read_text()), default=str))
    assert cli(["--database-url", db_url, "directive", "import", str(as_json), "--json"]) == 0
    assert "Created directive #2" in capsys.readouterr().out
    from engine.app import build_engine

    eng = build_engine(db_url, clock=clock)
    try:
        assert directive_summary(eng, 2)["symbol"] == "CT/TU"
    finally:
        eng.db.dispose()
    with pytest.raises(SystemExit):
        cli(["--database-url", db_url, "directive", "import", str(tmp_path / "missing.yaml")])
