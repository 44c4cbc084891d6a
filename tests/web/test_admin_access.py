"""Every administration route — whatever it is, found from the app's URL map — refuses every other
role (403, before anything is looked up) and answers guessed ids and codes with 404; anonymous
visitors are sent to the login page."""
from __future__ import annotations

import re

import pytest

from web.seed import DEMO_USERS, ensure_demo_users

OTHER_ROLES = [u.username for u in DEMO_USERS if "admin" not in u.roles]
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
GUESSES = {"int": "987654"}
FORM = {"reason": "thử", "version": "1", "instance": "987654", "active": "0", "new_password": "mat-khau-123",
        "confirm_password": "mat-khau-123", "name": "Thử", "kind": "office"}


def admin_routes(app) -> list[tuple[str, str, bool]]:
    """(method, path with guessed values, has a guessed part) of every rule under /admin."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        path = PARAM.sub(lambda m: GUESSES.get(m.group(1) or "", "KHONG-CO"), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, path, bool(PARAM.search(rule.rule))))
    return out


def call(client, auth, method: str, path: str):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={**FORM, "csrf_token": auth.token()}, headers={"X-CSRF-Token": auth.token()})


@pytest.fixture
def everyone(engine):
    ensure_demo_users(engine, DEMO_USERS)


def test_the_route_list_covers_the_administration(app):
    paths = {path for _m, path, _g in admin_routes(app)}
    for expected in ("/admin", "/admin/processes", "/admin/instances", "/admin/directory", "/admin/users",
                     "/admin/audit", "/admin/modeler/check", "/admin/instances/987654/repair",
                     "/admin/processes/KHONG-CO/migrate", "/admin/directory/KHONG-CO", "/admin/users/987654/active"):
        assert expected in paths
    assert len(admin_routes(app)) >= 40


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_every_other_role_is_refused_everywhere(app, client, auth, everyone, username):
    auth.login(username)
    wrong = [(m, p, r.status_code) for m, p, _g in admin_routes(app)
             if (r := call(client, auth, m, p)).status_code != 403]
    assert wrong == []


def test_guessed_ids_and_codes_are_not_found_for_administrators(app, client, auth, everyone):
    auth.login("admin")
    wrong = [(m, p, r.status_code) for m, p, guessed in admin_routes(app)
             if guessed and (r := call(client, auth, m, p)).status_code != 404]
    assert wrong == []


def test_anonymous_visitors_are_sent_to_login(app, client):
    for method, path, _g in admin_routes(app):
        if method == "GET":
            response = client.get(path)
            assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


def test_instance_pages_of_others_and_guessed_ones_are_not_found(client, auth, everyone, engine):
    from .helpers import start_sample

    instance_id = start_sample(engine)  # LS.UBND's sample
    auth.login("donvi")  # an officer of another body
    for path in (f"/instances/{instance_id}", f"/instances/{instance_id}/diagram.bpmn", "/instances/987654",
                 "/instances/987654/diagram.bpmn"):
        assert client.get(path).status_code == 404, path
