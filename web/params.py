"""Numbers, text and JSON as a request carries them, converted in one place.

Every text a request carries — query strings, form fields, JSON strings — reaches the app in
Unicode NFC: Vietnamese typed on a keyboard that sends decomposed letters (NFD) is stored, compared
and searched as the same text as everyone else's.

Every whole number from a URL (`<int:…>`), a query string or a form (`type=db_int`) must fit the
database's integer columns (ids are 32-bit INTEGER on PostgreSQL), so `/api/tasks/2147483648` is a
404 and `offset=2**64` a 400, never a database overflow (500). JSON bodies nested deeper than Python
can parse are a 400."""
from __future__ import annotations

import json
import unicodedata
from typing import Any

from flask import Flask, Request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1  # INTEGER on PostgreSQL (ids); offsets, versions and years are all far below
MAX_OFFSET = 10_000_000  # how far into a list the API pages


def db_int(text: str) -> int:
    """A whole number from 0 to DB_INT_MAX; ValueError otherwise (for `request.args.get(..., type=db_int)`,
    which then gives the default)."""
    stripped = str(text).strip()
    if not stripped.isdigit() or not stripped.isascii() or len(stripped) > 10:
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


def nfc(value: Any) -> Any:
    """`value` with every text in it in NFC: dict keys and values, list items, at any depth (no
    recursion: a body nested as deep as JSON allows is walked too). Lists and dicts are changed in
    place: they are the request's own, just parsed."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    stack = [value] if isinstance(value, list | dict) else []
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            for i, v in enumerate(item):
                if isinstance(v, str):
                    item[i] = unicodedata.normalize("NFC", v)
                elif isinstance(v, list | dict):
                    stack.append(v)
            continue
        for key in list(item):
            v = item[key]
            if isinstance(v, str):
                v = item[key] = unicodedata.normalize("NFC", v)
            elif isinstance(v, list | dict):
                stack.append(v)
            if isinstance(key, str) and (composed := unicodedata.normalize("NFC", key)) != key:
                del item[key]
                item[composed] = v
    return value


class NfcMultiDict(ImmutableMultiDict):  # type: ignore[type-arg]
    """The query string's and the form's fields, their text in NFC."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            items = list(mapping.items(multi=True))
        elif isinstance(mapping, dict):
            items = list(mapping.items())
        else:
            items = list(mapping)
        super().__init__([(nfc(k), nfc(list(v)) if isinstance(v, list | tuple) else nfc(v)) for k, v in items])


class NfcRequest(Request):
    """Flask's request, whose args and form hold NFC text."""

    parameter_storage_class = NfcMultiDict


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a body too deeply nested to parse is a ValueError (a 400), not a
    RecursionError, and every text of the body is NFC."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return nfc(json.loads(s, **kwargs))
        except RecursionError:
            raise ValueError("JSON lồng quá sâu / JSON nested too deeply") from None


def init_app(app: Flask) -> None:
    """Install the converter (before any blueprint is registered) and the JSON provider."""
    app.url_map.converters["int"] = DbIntConverter
    app.request_class = NfcRequest
    app.json = BoundedJSONProvider(app)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Vietnamese stays readable
