"""Document pages: HTML preview (escaped), .docx download with a Vietnamese-safe file name, PDF
through a real LibreOffice (or a clear 503 without it), and 404 for anyone who may not read it."""
from __future__ import annotations

import io
import os
import shutil
from urllib.parse import unquote

import pytest
from docx import Document
from pypdf import PdfReader

from .directive_helpers import attach_document, docx_with_text, drafted, import_langson, user

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _login(auth, engine, username):
    user(engine, username)
    assert auth.login(username).status_code == 302


def _draft_document_id(client, directive_id: int) -> int:
    import re

    html = client.get(f"/directives/{directive_id}").get_data(as_text=True)
    return int(re.search(r'href="/documents/(\d+)"', html).group(1))


def test_preview_renders_the_document_and_escapes_its_text(engine, client, auth):
    directive_id, _ = import_langson(engine)
    hostile = docx_with_text("CHỈ THỊ về Kỳ thi", "<script>alert('x')</script><img src=x onerror=alert(1)>")
    document_id = attach_document(engine, directive_id, hostile)
    _login(auth, engine, "chuyenvien")
    response = client.get(f"/documents/{document_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "CHỈ THỊ về Kỳ thi" in html and "Dự thảo chỉ thị" in html
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]  # no inline script runs
    assert f'href="/documents/{document_id}/download"' in html and f'href="/documents/{document_id}/pdf"' in html


def test_generated_draft_previews_with_its_subject(engine, client, auth):
    directive_id = drafted(engine)
    _login(auth, engine, "chuyenvien")
    html = client.get(f"/documents/{_draft_document_id(client, directive_id)}").get_data(as_text=True)
    assert 'class="chithi-doc"' in html and "Kỳ thi tốt nghiệp trung học phổ thông năm 2024" in html


def test_docx_download_is_a_real_docx_with_a_vietnamese_file_name(engine, client, auth):
    directive_id, _ = import_langson(engine)
    document_id = attach_document(engine, directive_id, docx_with_text("Nội dung dự thảo"),
                                  filename="Dự thảo chỉ thị Lạng Sơn.docx")
    _login(auth, engine, "chuyenvien")
    response = client.get(f"/documents/{document_id}/download")
    assert response.status_code == 200
    assert response.mimetype == DOCX_MIME
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.encode("latin-1")  # the header itself is ASCII-safe
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Dự thảo chỉ thị Lạng Sơn.docx"
    paragraphs = [p.text for p in Document(io.BytesIO(response.data)).paragraphs]
    assert "Nội dung dự thảo" in paragraphs


def test_outsiders_and_assigned_bodies_get_404_for_documents(engine, client, auth):
    directive_id, _ = import_langson(engine)
    document_id = attach_document(engine, directive_id, docx_with_text("Nội bộ"))
    orphan_id = attach_document(engine, None, docx_with_text("Không thuộc chỉ thị"))
    for username in ("ngoai", "donvi"):
        _login(auth, engine, username)
        for path in (f"/documents/{document_id}", f"/documents/{document_id}/download",
                     f"/documents/{document_id}/pdf", f"/documents/{orphan_id}"):
            assert client.get(path).status_code == 404, (username, path)
        auth.logout()
    _login(auth, engine, "chuyenvien")
    assert client.get(f"/documents/{orphan_id}").status_code == 404  # no directive: admin only
    assert client.get("/documents/999999").status_code == 404
    auth.logout()
    _login(auth, engine, "admin")
    assert client.get(f"/documents/{orphan_id}").status_code == 200


def test_pdf_without_libreoffice_answers_503_in_vietnamese(engine, client, auth, monkeypatch):
    directive_id, _ = import_langson(engine)
    document_id = attach_document(engine, directive_id, docx_with_text("Nội dung"))
    _login(auth, engine, "chuyenvien")
    monkeypatch.setenv("PATH", "/nonexistent")  # soffice can no longer be found
    response = client.get(f"/documents/{document_id}/pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "chưa cài LibreOffice" in html and "libreoffice-writer" in html


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("CI"),
                                 reason="LibreOffice not installed (CI installs it and runs this)")
def test_pdf_download_is_a_real_pdf_of_the_draft(engine, client, auth):
    directive_id = drafted(engine)
    _login(auth, engine, "chuyenvien")
    url = f"/documents/{_draft_document_id(client, directive_id)}/pdf"
    waiting = client.get(url)  # nobody converted it yet: a page that says so and reloads itself
    page = waiting.get_data(as_text=True)
    assert waiting.status_code == 202 and waiting.headers["Retry-After"] == "2"
    assert "Đang chuyển văn bản sang PDF" in page and 'http-equiv="refresh"' in page
    assert engine.run_sweeps()["pdf"] >= 1  # the scheduler's sweep, as `chithi scheduler` runs it
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].endswith(".pdf")
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    assert "Lạng Sơn" in " ".join(text.split())


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("CI"),
                    reason="LibreOffice not installed (CI installs it and runs this)")
def test_a_pdf_that_cannot_be_made_says_why_and_can_be_asked_again(engine, client, auth):
    from .conftest import csrf_token_of

    directive_id, _ = import_langson(engine)
    document_id = attach_document(engine, directive_id, b"PK\x03\x04 a damaged file")
    _login(auth, engine, "chuyenvien")
    url = f"/documents/{document_id}/pdf"
    assert client.get(url).status_code == 202
    engine.run_sweeps()
    failed = client.get(url)
    html = failed.get_data(as_text=True)
    assert failed.status_code == 503 and "Chưa chuyển được sang PDF" in html
    assert "không phải văn bản Word" in html and 'id="pdf-retry"' in html
    again = client.post(url, data={"csrf_token": csrf_token_of(html)})
    assert again.status_code == 302 and again.headers["Location"].endswith(url)
    assert client.get(url).status_code == 202  # queued again
