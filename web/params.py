"""Numbers and JSON as a request carries them, converted in one place.

Every whole number from a URL (`<int:…>`), a query string or a form (`type=db_int`) must fit the
database's 64-bit integer, so `/api/tasks/18446744073709551616` is a 404 and `offset=2**64` a 400,
never a database overflow (500). JSON bodies nested deeper than Python can parse are a 400."""
from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**63 - 1  # BIGINT; ids, offsets, versions and years are all far below
MAX_OFFSET = 10_000_000  # how far into a list the API pages


def db_int(text: str) -> int:
    """A whole number from 0 to DB_INT_MAX; ValueError otherwise (for `request.args.get(..., type=db_int)`,
    which then gives the default)."""
    stripped = str(text).strip()
    if not stripped.isdigit() or not stripped.isascii() or len(stripped) > 19:
        raise ValueError(f"not a whole number from 0 to {DB_INT_MAX}")
    value = int(stripped)
    if value > DB_INT_MAX:
        raise ValueError(f"not a whole number from 0 to {DB_INT_MAX}")
    return value


MAX_PAGE_NUMBER = 100_000


def page_number(text: str) -> int:
    """A page of a list: 1 to MAX_PAGE_NUMBER; ValueError otherwise (the caller's default: page 1)."""
    value = db_int(text)
    if not 1 <= value <= MAX_PAGE_NUMBER:
        raise ValueError(f"pages are 1 to {MAX_PAGE_NUMBER}")
    return value


def optional_db_int(text: str | None) -> int | None:
    """db_int of `text`, or None when it is missing or not such a number."""
    try:
        return db_int(text) if text is not None else None
    except ValueError:
        return None


class DbIntConverter(IntegerConverter):
    """`<int:…>` in every route: a number the database can hold, else no route matches (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 — werkzeug's name
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body too deeply nested to parse is a ValueError (a 400), not a RecursionError."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON lồng quá sâu / JSON nested too deeply") from None


def init_app(app: Flask) -> None:
    """Install the converter (before any blueprint is registered) and the JSON provider."""
    app.url_map.converters["int"] = DbIntConverter
    app.json = BoundedJSONProvider(app)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Vietnamese stays readable
