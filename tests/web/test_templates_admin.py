"""Mẫu văn bản pages: an administrator sees every slot, downloads, uploads (a refused template is
named on the page with 422) and reverts; anyone else is refused. And the `chithi template` command."""
from __future__ import annotations

import io

import pytest

from engine.app import build_engine
from engine.documents.kinds import KINDS
from engine.documents.render import shipped_template
from engine.documents.store import DOCX_MIME
from engine.kernel.accounts import cheap_hasher
from web.cli import main

from ..documents.template_edit import MARK, edited_template

KIND, SIDE = "transmittal_letter", "party"
BASE = f"/admin/templates/{KIND}/{SIDE}"


def _upload(client, auth, data: bytes, filename: str = "mau moi.docx"):
    return client.post(f"{BASE}/upload", content_type="multipart/form-data",
                       data={"csrf_token": auth.token(), "template": (io.BytesIO(data), filename)})


def test_admin_sees_every_slot_and_the_nav_link(client, auth):
    auth.login("admin")
    page = client.get("/admin/templates")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="nav-templates"' in html
    assert html.count('<tr id="slot-') == 2 * len(KINDS)
    assert "Công văn gửi văn bản" in html and "Mẫu gốc" in html


def test_a_clerk_is_refused_and_sees_no_link(client, auth):
    auth.login("chuyenvien")
    assert 'id="nav-templates"' not in client.get("/").get_data(as_text=True)
    assert client.get("/admin/templates").status_code == 403
    assert client.get(f"{BASE}/download").status_code == 403
    assert _upload(client, auth, edited_template(KIND, SIDE)).status_code == 403
    assert client.post(f"{BASE}/revert", data={"csrf_token": auth.token()}).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/admin/templates")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_upload_download_and_revert_through_the_pages(client, auth):
    auth.login("admin")
    detail = client.get(BASE).get_data(as_text=True)
    assert 'type="file"' in detail and 'accept=".docx' in detail
    assert "{{ cv_subject }}" in detail and "{{ addressees }}" in detail

    shipped = client.get(f"{BASE}/download")
    assert shipped.status_code == 200 and shipped.mimetype == DOCX_MIME
    assert shipped.data == shipped_template(KIND, SIDE)
    assert f"filename*=UTF-8''{KIND}.{SIDE}.docx" in shipped.headers["Content-Disposition"]

    data = edited_template(KIND, SIDE)
    response = _upload(client, auth, data)
    assert response.status_code == 302
    page = client.get(BASE).get_data(as_text=True)
    assert "phiên bản 1" in page and 'id="template-history"' in page
    downloaded = client.get(f"{BASE}/download")
    assert downloaded.data == data and f"{KIND}.{SIDE}.v1.docx" in downloaded.headers["Content-Disposition"]
    assert "Mẫu tải lên, phiên bản 1" in client.get("/admin/templates").get_data(as_text=True)

    assert client.post(f"{BASE}/revert", data={"csrf_token": auth.token()}).status_code == 302
    assert client.get(f"{BASE}/download").data == shipped_template(KIND, SIDE)
    assert MARK.encode() not in client.get(f"{BASE}/download").data


def test_a_refused_template_is_named_on_the_page(client, auth):
    auth.login("admin")
    bad = edited_template(KIND, SIDE, "{{ cv_subject }}", "{{ trich_yeu_cv }}")
    response = _upload(client, auth, bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="upload-errors"' in html and "trich_yeu_cv" in html
    assert 'type="file"' in html  # the form stays on the page
    assert client.get(f"{BASE}/download").data == shipped_template(KIND, SIDE)

    assert _upload(client, auth, b"PK not really a docx").status_code == 422
    no_file = client.post(f"{BASE}/upload", data={"csrf_token": auth.token()})
    assert no_file.status_code == 422 and "Chưa chọn tệp" in no_file.get_data(as_text=True)


def test_oversized_uploads_get_a_vietnamese_message(app, client, auth):
    auth.login("admin")
    over_engine_limit = _upload(client, auth, b"\0" * (3 * 1024 * 1024))
    assert over_engine_limit.status_code == 422
    assert "tệp quá lớn" in over_engine_limit.get_data(as_text=True)

    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    over_request_limit = _upload(client, auth, b"\0" * (128 * 1024))
    assert over_request_limit.status_code == 413
    assert "Tệp mẫu quá lớn" in over_request_limit.get_data(as_text=True)


def test_unknown_kind_is_not_found(client, auth):
    auth.login("admin")
    assert client.get("/admin/templates/thu_moi/state").status_code == 404


# --- chithi template ------------------------------------------------------------------------------

@pytest.fixture
def admin_account(db_url):
    eng = build_engine(db_url, password_hasher=cheap_hasher())
    try:
        eng.accounts.create_user("quantri", "Quản trị", "mat-khau-rat-dai", ["admin"], None)
        eng.accounts.create_user("chuyenvien", "Chuyên viên", "mat-khau-rat-dai", ["clerk"], None)
    finally:
        eng.shutdown()
        eng.db.dispose()
    return "quantri"


def test_cli_upload_list_download_and_revert(db_url, tmp_path, capsys, admin_account):
    good = tmp_path / "mau.docx"
    good.write_bytes(edited_template(KIND, SIDE))
    assert main(["--database-url", db_url, "template", "upload", KIND, SIDE, str(good),
                 "--actor", admin_account]) == 0
    assert main(["--database-url", db_url, "template", "list"]) == 0
    listing = capsys.readouterr().out
    line = next(row for row in listing.splitlines() if row.startswith(f"{KIND} ") and f" {SIDE} " in row)
    assert "uploaded v1 by quantri" in line
    assert sum(" shipped " in row for row in listing.splitlines()) == 2 * len(KINDS) - 1

    assert main(["--database-url", db_url, "template", "download", KIND, SIDE, str(tmp_path)]) == 0
    assert (tmp_path / f"{KIND}.{SIDE}.v1.docx").read_bytes() == good.read_bytes()
    assert main(["--database-url", db_url, "template", "revert", KIND, SIDE]) == 0
    out = tmp_path / "back.docx"
    assert main(["--database-url", db_url, "template", "download", KIND, SIDE, str(out)]) == 0
    assert out.read_bytes() == shipped_template(KIND, SIDE)


def test_cli_refuses_a_bad_template_with_exit_code_2(db_url, tmp_path, capsys, admin_account):
    bad = tmp_path / "hong.docx"
    bad.write_bytes(edited_template(KIND, SIDE, "{{ cv_subject }}", "{{ so_cong_van }}"))
    assert main(["--database-url", db_url, "template", "upload", KIND, SIDE, str(bad),
                 "--actor", admin_account]) == 2
    assert "so_cong_van" in capsys.readouterr().err
    assert main(["--database-url", db_url, "template", "upload", KIND, SIDE, str(bad),
                 "--actor", "chuyenvien"]) == 1
    assert "quản trị" in capsys.readouterr().err
