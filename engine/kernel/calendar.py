"""Office time: the one place where Vietnam's clock and the end of the office day live.

Moments are stored and compared in UTC; people read dates and times in Vietnam (UTC+7, no daylight
saving). A deadline given as a bare date ends at 17:00 Vietnam time on that day, whether it is a
task's due date, a report's due date or a date typed in a form.
"""
from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta, timezone

OFFICE_TZ = timezone(timedelta(hours=7), "ICT")
CLOSE_OF_BUSINESS = time(17, 0)


def local(moment: datetime) -> datetime:
    """`moment` on the office clock (an aware datetime; naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(OFFICE_TZ)


def local_date(moment: datetime) -> date:
    """The calendar date in Vietnam at `moment`."""
    return local(moment).date()


def end_of_day(day: date) -> datetime:
    """When a deadline falling on `day` ends: 17:00 Vietnam time, as an aware UTC datetime."""
    return datetime.combine(day, CLOSE_OF_BUSINESS, OFFICE_TZ).astimezone(UTC)


def start_of_day(day: date) -> datetime:
    """Midnight in Vietnam at the start of `day`, as an aware UTC datetime (a "from" date's bound)."""
    return datetime.combine(day, time(0, 0), OFFICE_TZ).astimezone(UTC)


def near_due_days() -> int:
    """"Sắp đến hạn": a deadline within this many days counts as near (CHITHI_DUE_SOON_DAYS, default 3)."""
    try:
        return max(0, min(int(os.environ.get("CHITHI_DUE_SOON_DAYS") or 3), 60))
    except ValueError:
        return 3


def days_late(later: datetime, due: datetime) -> int:
    """Whole office days from `due` to `later` (at least 1: anything after a deadline is a day late)."""
    return max((local_date(later) - local_date(due)).days, 1)
