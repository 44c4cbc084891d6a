"""Administrators upload BPMN over the API; every problem comes back with its element id."""
from __future__ import annotations

from tests.engine.bpmn_helpers import chain, process, user_task

from .test_api import JSON_POST, basic

GOOD = process("uploaded", '<bpmn:startEvent id="S"/>' + user_task("T", "Việc") + '<bpmn:endEvent id="E"/>'
               + chain("S", "T", "E"), lanes={"Chuyên viên": ["S", "T", "E"]})
BAD = GOOD.replace('<bpmn:endEvent id="E"/>', '<bpmn:intermediateCatchEvent id="Wait"><bpmn:timerEventDefinition>'
                   '<bpmn:timeDuration>P7D</bpmn:timeDuration></bpmn:timerEventDefinition>'
                   '</bpmn:intermediateCatchEvent><bpmn:endEvent id="E"/>')
XML = {**JSON_POST, "Content-Type": "application/xml"}


def test_admin_deploys_bpmn_and_the_same_content_is_not_stored_twice(client, engine):
    headers = {**XML, **basic(engine, "admin")}
    first = client.post("/api/definitions?source=uploaded.bpmn", data=GOOD.encode(), headers=headers)
    assert first.status_code == 201
    assert [(d["process_id"], d["version"], d["created"]) for d in first.get_json()] == [("uploaded", 1, True)]
    again = client.post("/api/definitions", data=GOOD.encode(), headers=headers)
    assert again.status_code == 200 and again.get_json()[0]["created"] is False
    listed = client.get("/api/definitions", headers=basic(engine, "admin")).get_json()
    assert [d["process_id"] for d in listed].count("uploaded") == 1


def test_refused_bpmn_names_the_element_and_stores_nothing(client, engine):
    response = client.post("/api/definitions", data=BAD.encode(), headers={**XML, **basic(engine, "admin")})
    assert response.status_code == 422
    problems = response.get_json()["problems"]
    assert [p["element_id"] for p in problems] == ["Wait"]
    assert '"P7D"' in problems[0]["message"]
    assert "uploaded" not in [d.process_id for d in engine.list_definitions()]


def test_only_administrators_deploy_and_check(client, engine):
    clerk = {**XML, **basic(engine, "chuyenvien")}
    assert client.post("/api/definitions", data=GOOD.encode(), headers=clerk).status_code == 403
    assert client.post("/api/definitions/check", data=GOOD.encode(), headers=clerk).status_code == 403
    clerk = {**XML, **basic(engine, "admin")}
    checked = client.post("/api/definitions/check", data=BAD.encode(), headers=clerk).get_json()
    assert checked["ok"] is False and '"P7D"' in checked["problems"][0]["message"]
    assert client.post("/api/definitions/check", data=GOOD.encode(), headers=clerk).get_json() == {
        "ok": True, "problems": []}
    assert "uploaded" not in [d.process_id for d in engine.list_definitions()]


def test_malformed_xml_and_empty_body_get_clear_errors(client, engine):
    headers = {**XML, **basic(engine, "admin")}
    malformed = client.post("/api/definitions", data=b"<bpmn:definitions", headers=headers)
    assert malformed.status_code == 422 and "not well-formed" in malformed.get_json()["problems"][0]["message"]
    assert client.post("/api/definitions", data=b"  ", headers=headers).status_code == 400


def test_openapi_lists_the_definition_paths(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {"/definitions", "/definitions/check"} <= set(paths)  # paths are relative to the /api server


def test_checks_are_throttled_per_person(app, client, engine):
    headers = {**XML, **basic(engine, "admin")}
    limit = engine.modeling._check_rate
    limit.count = 3
    answers = [client.post("/api/definitions/check", data=GOOD.encode(), headers=headers).status_code
               for _ in range(3)]
    answers.append(client.post("/api/definitions", data=GOOD.encode(), headers=headers).status_code)
    assert answers == [200, 200, 200, 429]  # checks and deploys share the allowance
    refused = client.post("/api/definitions/check", data=GOOD.encode(), headers=headers).get_json()
    assert "một phút" in refused["message"]


def test_a_utf16_model_is_refused_with_a_clear_message(client, engine):
    headers = {**XML, **basic(engine, "admin")}
    data = GOOD.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    for path in ("/api/definitions", "/api/definitions/check"):
        response = client.post(path, data=data, headers=headers)
        assert response.status_code in (200, 422), response.status_code
        problems = response.get_json()["problems"]
        assert "UTF-8" in problems[0]["message"]
