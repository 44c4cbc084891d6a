"""PDF renditions: asked for, converted once in the background by a real LibreOffice, kept by the
.docx content's hash; a killed conversion is taken again; an unconvertible file fails with its
message and may be asked for again; two schedulers never convert the same file twice."""
from __future__ import annotations

import io
import os
import shutil
import threading
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from engine.app import build_engine
from engine.documents import renditions
from engine.documents.renditions import DONE, FAILED, PENDING, RUNNING, PdfRendition, convert_pending
from engine.documents.store import DocumentStore
from engine.kernel.accounts import cheap_hasher
from engine.kernel.models import StoredBlob

from ..web.directive_helpers import docx_with_text as sample_docx

pytestmark = [pytest.mark.libreoffice, pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice not installed (CI installs it and runs this)")]


@pytest.fixture
def engine(db_url, clock):
    eng = build_engine(db_url, clock=clock, password_hasher=cheap_hasher())
    yield eng
    eng.db.dispose()


def _store(engine, content: bytes) -> str:
    with engine.db.session(write=True) as s:
        return DocumentStore().store_file(s, content, engine.clock.now())


def _request(engine, digest: str):
    with engine.db.session(write=True) as s:
        return renditions.request(s, digest, engine.clock.now())


def _sweep(engine) -> int:
    return convert_pending(lambda: engine.db.session(write=True), engine.clock.now)


def _row(engine, digest: str) -> PdfRendition:
    with engine.db.session() as s:
        return s.get(PdfRendition, digest)


def test_a_pdf_is_converted_once_per_content_and_served_from_the_store(engine):
    digest = _store(engine, sample_docx("Chỉ thị về tăng cường công tác phòng, chống thiên tai"))
    assert _request(engine, digest).status == PENDING
    assert _request(engine, digest).status == PENDING  # asking twice queues it once
    assert _sweep(engine) == 1
    done = _request(engine, digest)
    assert done.status == DONE
    text = " ".join(" ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(done.content)).pages).split())
    assert "phòng, chống thiên tai" in text
    assert _sweep(engine) == 0  # nothing left: the next request reads the stored PDF
    with engine.db.session() as s:
        assert s.scalar(select(func.count()).select_from(PdfRendition)) == 1
        assert s.get(StoredBlob, _row(engine, digest).pdf_sha256).size == len(done.content)


def test_a_conversion_abandoned_by_a_killed_worker_is_taken_again(engine):
    digest = _store(engine, sample_docx("Báo cáo tổng hợp"))
    _request(engine, digest)
    with engine.db.session(write=True) as s:  # a worker claimed it and died before storing the PDF
        row = s.get(PdfRendition, digest)
        row.status, row.attempts, row.lease_until = RUNNING, 1, engine.clock.now() + renditions.LEASE
    assert _sweep(engine) == 0  # its lease still runs: nobody else takes it
    engine.clock.advance(renditions.LEASE + timedelta(seconds=1))
    assert _sweep(engine) == 1 and _row(engine, digest).status == DONE


def test_an_unconvertible_file_fails_with_its_message_and_may_be_asked_again(engine):
    digest = _store(engine, b"PK\x03\x04 not really a zip")  # LibreOffice would make an empty PDF of it
    _request(engine, digest)
    assert _sweep(engine) == 0
    row = _row(engine, digest)
    assert row.status == FAILED and row.attempts == 1 and "không phải văn bản Word" in row.error
    failed = _request(engine, digest)
    assert failed.status == FAILED and failed.content is None
    with engine.db.session(write=True) as s:
        renditions.retry(s, digest, engine.clock.now())
    assert _row(engine, digest).status == PENDING


def test_two_schedulers_never_convert_the_same_file_twice(engine):
    digests = [_store(engine, sample_docx(f"Văn bản số {i}")) for i in range(4)]
    for digest in digests:
        _request(engine, digest)
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def scheduler():
        barrier.wait()
        counts.append(convert_pending(lambda: engine.db.session(write=True), engine.clock.now, limit=2))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(counts) == [2, 2]  # each took two of the four, none twice
    assert all(_row(engine, d).status == DONE and _row(engine, d).attempts == 1 for d in digests)
