"""Registers and numbering: yearly State series, Party series through a term, cancellation kept,
incoming arrival numbers, and unique gapless numbers under concurrent processes."""
from __future__ import annotations

import multiprocessing
from datetime import UTC, date, datetime

import pytest

from engine.kernel.errors import FormError, InvalidState
from engine.registers import (
    add_party_term,
    cancel_issuance,
    incoming_page,
    issue_number,
    load_party_terms,
    outgoing_page,
    register_incoming,
)
from tests.engine.registers_worker import issue_many

NOW = datetime(2024, 6, 3, 2, 0, tzinfo=UTC)


def issue(s, on: date, *, issuer="LS.UBND", instrument="CT", side="state", **kw):
    kw.setdefault("issuer_symbol", "UBND" if side == "state" else "TU")
    return issue_number(s, issuer_code=issuer, instrument=instrument, side=side, on=on,
                        subject="Về việc tổ chức Kỳ thi", signer="Hồ Tiến Thiệu", actor="vanthu", now=NOW, **kw)


def test_state_numbers_start_at_one_per_issuer_and_series(database):
    with database.session(write=True) as s:
        a = issue(s, date(2024, 5, 20))
        b = issue(s, date(2024, 5, 21))
        letter = issue(s, date(2024, 5, 21), instrument="CV", drafting_unit="KGVX")
        other = issue(s, date(2024, 5, 21), issuer="HP.UBND")
    assert (a.number, a.number_text) == (1, "01/CT-UBND")
    assert (b.number, b.number_text) == (2, "02/CT-UBND")
    assert (letter.number, letter.number_text, letter.symbol) == (1, "01/UBND-KGVX", "UBND-KGVX")
    assert other.number == 1 and a.period == "2024" and a.status == "issued"


def test_state_numbers_restart_on_1_january(database):
    with database.session(write=True) as s:
        numbers = [issue(s, date(2024, 12, 30)).number, issue(s, date(2024, 12, 31)).number,
                   issue(s, date(2025, 1, 1)).number, issue(s, date(2025, 1, 2)).number]
        assert [e.number for e in outgoing_page(s, "LS.UBND", 2025)] == [1, 2]
    assert numbers == [1, 2, 1, 2]


def test_party_numbers_run_through_the_term_not_the_year(database):
    with database.session(write=True) as s:
        assert load_party_terms(s) >= 3
        first = issue(s, date(2022, 6, 10), issuer="CT.TU", side="party")
        second = issue(s, date(2023, 1, 5), issuer="CT.TU", side="party")
        third = issue(s, date(2025, 9, 30), issuer="CT.TU", side="party")
        new_term = issue(s, date(2025, 10, 1), issuer="CT.TU", side="party")
        plan = issue(s, date(2023, 1, 6), issuer="CT.TU", side="party", instrument="KH")
        page = outgoing_page(s, "CT.TU", "2020-2025", series="CT")
    assert (first.number, first.number_text, first.period) == (1, "01-CT/TU", "2020-2025")
    assert (second.number, third.number) == (2, 3)
    assert (new_term.number, new_term.period) == (1, "2025-2030")
    assert plan.number_text == "01-KH/TU"
    assert [e.number for e in page] == [1, 2, 3]


def test_party_number_without_a_term_says_to_add_one(database):
    with database.session(write=True) as s:
        add_party_term(s, "LS.TU", "2020-2025", date(2020, 10, 1), date(2025, 9, 30))
        with pytest.raises(InvalidState, match="nhiệm kỳ"):
            issue(s, date(2019, 5, 1), issuer="LS.TU", side="party")


def test_cancelled_number_stays_in_the_register_with_its_reason_and_is_not_reused(database):
    with database.session(write=True) as s:
        one = issue(s, date(2024, 6, 3))
        two = issue(s, date(2024, 6, 3))
    with database.session(write=True) as s:
        cancelled = cancel_issuance(s, two.id, "Ký nhầm bản dự thảo", "vanthu", now=NOW)
        three = issue(s, date(2024, 6, 4))
    with database.session() as s:
        page = outgoing_page(s, "LS.UBND", 2024)
    assert [(e.number, e.status) for e in page] == [(1, "issued"), (2, "cancelled"), (3, "issued")]
    assert page[1].cancel_reason == "Ký nhầm bản dự thảo" and page[1].cancelled_by == "vanthu"
    assert page[1].cancelled_at == NOW and cancelled.number == 2 and three.number == 3 and one.number == 1


def test_a_number_taken_in_a_failed_transaction_is_given_again_so_none_is_lost(database):
    with pytest.raises(RuntimeError):
        with database.session(write=True) as s:
            assert issue(s, date(2024, 6, 3)).number == 1
            raise RuntimeError("document generation failed")
    with database.session(write=True) as s:
        assert issue(s, date(2024, 6, 3)).number == 1
        assert [e.number for e in outgoing_page(s, "LS.UBND", 2024)] == [1]


def test_cancelling_needs_a_reason_and_happens_once(database):
    with database.session(write=True) as s:
        entry = issue(s, date(2024, 6, 3))
        with pytest.raises(FormError):
            cancel_issuance(s, entry.id, "  ", "vanthu")
        cancel_issuance(s, entry.id, "Sai trích yếu", "vanthu")
        with pytest.raises(InvalidState):
            cancel_issuance(s, entry.id, "lần hai", "vanthu")


def test_issuing_on_sqlite_outside_a_write_session_is_refused(sqlite_template, tmp_path):
    import shutil

    from engine.kernel.db import Database

    shutil.copy(sqlite_template, tmp_path / "only-sqlite.db")
    database = Database(f"sqlite:///{tmp_path / 'only-sqlite.db'}")  # a rule of the SQLite backend only
    try:
        with database.session() as s, pytest.raises(InvalidState, match="write=True"):
            issue(s, date(2024, 6, 3))
    finally:
        database.dispose()


def test_incoming_register_numbers_arrivals_per_receiver_and_year(database):
    def arrive(s, receiver, on):
        return register_incoming(
            s, receiver_code=receiver, received_on=on, sender="Thủ tướng Chính phủ", sender_code="VN.TTG",
            number_symbol="15/CT-TTg", document_date=date(2024, 5, 16), subject="Về tăng cường chỉ đạo…",
            actor="vanthu", handling_unit="LS.SGDDT", deadline=date(2024, 5, 25),
            instruction="Giao Sở GD&ĐT tham mưu", now=NOW)

    with database.session(write=True) as s:
        numbers = [arrive(s, "LS.UBND", date(2024, 5, 17)).arrival_number,
                   arrive(s, "LS.UBND", date(2024, 12, 31)).arrival_number,
                   arrive(s, "LS.UBND", date(2025, 1, 2)).arrival_number,
                   arrive(s, "LS.TU", date(2024, 5, 18)).arrival_number]
        rows = incoming_page(s, "LS.UBND", 2024)
        with pytest.raises(FormError):
            register_incoming(s, receiver_code="LS.UBND", received_on=date(2024, 5, 1), sender="X",
                              number_symbol="1/CT-TTg", document_date=date(2024, 5, 16), subject="x", actor="v")
    assert numbers == [1, 2, 1, 1]
    assert [r.arrival_number for r in rows] == [1, 2] and rows[0].instruction == "Giao Sở GD&ĐT tham mưu"


@pytest.mark.slow
def test_four_processes_issue_unique_gapless_numbers(db_url):
    workers, each = 4, 15
    ctx = multiprocessing.get_context("spawn")
    gate = ctx.Manager().Barrier(workers)
    with ctx.Pool(workers) as pool:
        results = [pool.apply_async(issue_many, (db_url, w, each, gate, "state", "LS.UBND")) for w in range(workers)]
        got = [r.get(timeout=120) for r in results]
    numbers = sorted(n for chunk in got for n in chunk)
    assert numbers == list(range(1, workers * each + 1))
    assert all(chunk == sorted(chunk) for chunk in got)  # each process saw its numbers increase
    from engine.kernel.db import Database

    db = Database(db_url)
    try:
        with db.session() as s:
            assert [e.number for e in outgoing_page(s, "LS.UBND", 2024)] == numbers
    finally:
        db.dispose()
