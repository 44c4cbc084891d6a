"""What may be stored in a workflow's data (one rule, one place): checked where data enters — a
script's assignments, the data an instance starts with, a message's payload, an administrator's
repair — so every save can be loaded back.

SpiffWorkflow's serializer reads any dict with a `typename` key as a typed object (an unknown name
made every later step of the instance fail; `{"typename": "chithi.date", "value": …}` silently
became a date), and a value nested ~900 deep cannot be loaded (RecursionError). The check is one
walk over the value that came in, never over the whole workflow.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

MAX_DATA_DEPTH = 32  # lists and dicts inside one another
MAX_DATA_ITEMS = 1_000_000  # items and characters of one value
RESERVED_KEYS = frozenset({"typename"})  # keys SpiffWorkflow's serializer treats as a type tag
_SCALARS = (type(None), bool, int, float, str, date, datetime, time, timedelta)
_CONTAINERS = (list, tuple, set, frozenset)
_SCALAR_TYPES = frozenset(_SCALARS)
_FLAT = frozenset({type(None), bool, int, float})  # nothing to check inside, counted with their container


def _path(where: Any) -> str:
    """'a.b[2]' from the linked (parent, key) pairs the walk keeps (rendered only for a message)."""
    parts: list[str] = []
    while where is not None:
        where, key = where
        parts.append(f"[{key}]" if isinstance(key, int) and not isinstance(key, bool) else f".{key}")
    text = "".join(reversed(parts)).lstrip(".")
    return text if len(text) <= 120 else text[:60] + "…" + text[-59:]


def data_problem(value: Any, name: str = "") -> str | None:
    """What is wrong with storing `value` (under `name`) in workflow data, in Vietnamese and English,
    or None when it may be stored."""
    seen = 0
    root = (None, name) if name else None
    stack: list[tuple[Any, int, Any]] = [(value, 0, root)]
    while stack:
        item, depth, where = stack.pop()
        kind = type(item)
        if kind is str:
            seen += len(item)
        elif kind in _SCALAR_TYPES:
            seen += 1
        elif kind is dict or kind in _CONTAINERS:
            if depth >= MAX_DATA_DEPTH:
                return (f"dữ liệu '{_path(where)}' lồng quá sâu (tối đa {MAX_DATA_DEPTH} mức) / "
                        f"data '{_path(where)}' is nested too deeply (at most {MAX_DATA_DEPTH} levels)")
            seen += len(item)
            if seen > MAX_DATA_ITEMS:
                break
            if kind is dict:
                for key, inner in item.items():
                    if type(key) is not str and type(key) is not int:
                        return (f"khoá của dữ liệu '{_path(where)}' phải là chữ, không phải {type(key).__name__} / "
                                f"keys in data '{_path(where)}' must be text")
                    if key in RESERVED_KEYS:
                        return (f"khoá '{key}' trong dữ liệu '{_path(where)}' được dành cho máy; hãy đổi tên / "
                                f"the key '{key}' in data '{_path(where)}' is reserved; rename it")
                    if type(inner) not in _FLAT:
                        stack.append((inner, depth + 1, (where, key)))
            else:
                stack.extend((inner, depth + 1, (where, i)) for i, inner in enumerate(item)
                             if type(inner) not in _FLAT)
        elif not isinstance(item, _SCALARS):
            return (f"dữ liệu '{_path(where)}' có kiểu {kind.__name__} không lưu được / "
                    f"data '{_path(where)}' of type {kind.__name__} cannot be stored")
        if seen > MAX_DATA_ITEMS:
            break
    if seen > MAX_DATA_ITEMS:
        return (f"dữ liệu '{name}' quá lớn (tối đa {MAX_DATA_ITEMS:,} phần tử/ký tự) / "
                f"data '{name}' is too large (at most {MAX_DATA_ITEMS:,} items/characters)")
    return None


def mapping_problem(data: Any) -> str | None:
    """data_problem of each entry of a mapping of names to values (the data an instance starts with…)."""
    if not isinstance(data, dict):
        return "dữ liệu phải là một đối tượng JSON / data must be a JSON object"
    for key, value in data.items():
        if not isinstance(key, str):
            return "tên biến phải là chữ / data names must be text"
        problem = data_problem({key: value})
        if problem:
            return problem
    return None
