"""The reports a reporting cycle asks for: one period after another from `start` to `until` —
every `every_days` days, a week, a calendar month or a calendar quarter — each due at the end of
the office day on its last day, then the final report covering the whole cycle, due on `final_due`.

A cycle `weekly, start=3/6, until=5/7, final_due=15/7` gives 3/6–9/6, 10/6–16/6, …, 1/7–5/7 (the
last one cut at `until`), then the final report. A monthly cycle from 15/5 gives 15/5–31/5, 1/6–30/6….
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from ..kernel.calendar import end_of_day
from .directive import ReportingCycle

REPLAN_ONCE_DAYS = 30  # a final-only cycle re-planned at issuance is due this many days later
MAX_PERIODS = 1_000  # about 20 years of weekly reports; the description format refuses more


@dataclass(frozen=True)
class ReportPeriod:
    """One report a body owes: the period it covers and when it is due."""

    index: int
    start: date
    end: date
    due_at: datetime
    is_final: bool


def _month_end(day: date) -> date:
    first_of_next = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def _quarter_end(day: date) -> date:
    return _month_end(date(day.year, (day.month - 1) // 3 * 3 + 3, 1))


def _spans(cycle: ReportingCycle) -> Iterator[tuple[date, date]]:
    """(first day, last day) of each periodic report of the cycle, in order."""
    frequency = cycle.kind
    if frequency == "once" or cycle.start is None or cycle.until is None:
        return
    step = {"weekly": 7, "days": cycle.every_days or 0}.get(frequency, 0)
    start = cycle.start
    while start <= cycle.until:
        if frequency == "monthly":
            end = _month_end(start)
        elif frequency == "quarterly":
            end = _quarter_end(start)
        else:
            end = start + timedelta(days=max(step, 1) - 1)
        end = min(end, cycle.until)
        yield start, end
        start = end + timedelta(days=1)


def count_periods(cycle: ReportingCycle | None, limit: int = MAX_PERIODS + 1) -> int:
    """How many reports the cycle asks for (counting stops at `limit`: a check, not a plan)."""
    if cycle is None:
        return 0
    count = 0
    for _ in _spans(cycle):
        count += 1
        if count >= limit:
            return count
    return count + (1 if cycle.final_due else 0)


def report_periods(cycle: ReportingCycle | None) -> list[ReportPeriod]:
    """The reports a cycle asks for, in order; the final report (if any) is last."""
    if cycle is None:
        return []
    periods = [ReportPeriod(i, start, end, end_of_day(end), False) for i, (start, end) in enumerate(_spans(cycle))]
    if cycle.final_due:
        first = cycle.start or cycle.final_due
        periods.append(ReportPeriod(len(periods), first, cycle.final_due, end_of_day(cycle.final_due), True))
    return periods


def replanned(cycle: ReportingCycle | None, today: date) -> ReportingCycle | None:
    """The cycle moved to begin on `today` when its first report would already be due before then
    (a directive issued after the dates it was written for); else the cycle unchanged.

    Every date moves by the same number of days, so the periods keep their length and number; a
    cycle with only a final report gets `REPLAN_ONCE_DAYS` from today."""
    periods = report_periods(cycle)
    if cycle is None or not periods or periods[0].end >= today:
        return cycle
    if cycle.start is None:
        shift = today + timedelta(days=REPLAN_ONCE_DAYS) - (cycle.final_due or today)
    else:
        shift = today - cycle.start

    def moved(day: date | None) -> date | None:
        return None if day is None else day + shift

    return replace(cycle, start=moved(cycle.start), until=moved(cycle.until), final_due=moved(cycle.final_due))
