"""Reporting cycles give their periods by frequency; impossible cycles are refused when described."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.model.directive import ReportingCycle
from engine.model.periods import MAX_PERIODS, report_periods
from tests.engine.test_directive_loader import problems


def spans(cycle: ReportingCycle) -> list[tuple[str, str, bool]]:
    return [(f"{p.start:%d/%m}", f"{p.end:%d/%m}", p.is_final) for p in report_periods(cycle)]


def test_weekly_monthly_and_quarterly_cycles_follow_the_calendar():
    weekly = ReportingCycle(frequency="weekly", start=date(2024, 6, 3), until=date(2024, 6, 20),
                            final_due=date(2024, 6, 28))
    assert spans(weekly) == [("03/06", "09/06", False), ("10/06", "16/06", False), ("17/06", "20/06", False),
                             ("03/06", "28/06", True)]
    monthly = ReportingCycle(frequency="monthly", start=date(2024, 5, 15), until=date(2024, 8, 10))
    assert spans(monthly) == [("15/05", "31/05", False), ("01/06", "30/06", False), ("01/07", "31/07", False),
                              ("01/08", "10/08", False)]
    quarterly = ReportingCycle(frequency="quarterly", start=date(2024, 11, 20), until=date(2025, 6, 30))
    assert spans(quarterly) == [("20/11", "31/12", False), ("01/01", "31/03", False), ("01/04", "30/06", False)]


def test_a_period_is_due_at_the_end_of_its_last_office_day():
    monthly = ReportingCycle(frequency="monthly", start=date(2024, 1, 1), until=date(2024, 2, 29))
    assert [p.due_at for p in report_periods(monthly)] == [
        datetime(2024, 1, 31, 10, 0, tzinfo=UTC), datetime(2024, 2, 29, 10, 0, tzinfo=UTC)]


def test_once_is_the_final_report_only_and_every_days_keeps_its_meaning():
    assert spans(ReportingCycle(frequency="once", start=date(2024, 6, 1), final_due=date(2024, 7, 15))) == [
        ("01/06", "15/07", True)]
    old_style = ReportingCycle(every_days=7, start=date(2024, 6, 1), until=date(2024, 6, 7))
    assert old_style.kind == "days" and spans(old_style) == [("01/06", "07/06", False)]


@pytest.mark.parametrize("cycle,field,words", [
    ({"frequency": "monthly", "start": "2024-06-01"}, "$.assignments[0].cycle.until", "until"),
    ({"frequency": "weekly", "start": "2024-06-10", "until": "2024-06-01"}, "$.assignments[0].cycle.until", "trước"),
    ({"frequency": "once"}, "$.assignments[0].cycle.final_due", "final_due"),
    ({"frequency": "days", "every_days": 1, "start": "2024-01-01", "until": "2030-01-01"}, "$.assignments[0].cycle",
     f"{MAX_PERIODS:,}"),
])
def test_a_cycle_that_cannot_be_planned_is_refused_with_its_path(data, cycle, field, words):
    data["assignments"][0]["cycle"] = cycle
    found = problems(data)
    assert words in found[field]


@pytest.fixture
def data():
    from tests.engine.test_directive_loader import SEED, directive_to_dict, load_directive_file

    return directive_to_dict(load_directive_file(SEED))

