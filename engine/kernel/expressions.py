"""Safe expressions and scripts for BPMN models (biểu thức an toàn).

Administrators upload BPMN, so every condition, timer expression and script is untrusted. Source is
parsed with `ast`, checked against a whitelist of constructs, and compiled once into nested Python
closures that interpret it; nothing is ever handed to `eval` or `exec`. Every operation that could
build something big (powers, shifts, repetition, concatenation, joins) is measured before it runs,
and one evaluation may only do a bounded amount of work.
"""
from __future__ import annotations

import ast
import contextlib
import contextvars
import operator
import re
import textwrap
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, cast

from .calendar import local_date
from .clock import UTC, Clock, SystemClock
from .errors import ExpressionError
from .taskdata import data_problem

MAX_SOURCE_CHARS = 4_000
MAX_NODES = 1_000
MAX_DEPTH = 64
MAX_STATEMENTS = 200
MAX_INT_BITS = 4_096
MAX_SIZE = 1_000_000  # items plus characters of one value, counted through nesting
MAX_WORK = 4_000_000  # items measured or built during one evaluation or script run
MAX_ROUND_DIGITS = 1_000
EVALUATION_COST = 1_000  # charged for every expression or script run, however small (bounds a step's count)
MAX_SAME_HASH = 64  # distinct keys of one set or dict that share a hash (real data: one or two)
CACHE_SIZE = 4_096

_SCALARS = frozenset({type(None), bool, float, date, datetime, time, timedelta})
_FLAT = _SCALARS | {int}
_NOT_COUNTED = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)


def _refusal(vi: str, en: str) -> ExpressionError:
    return ExpressionError(f"{vi} / {en}")


def _underscored(text: str) -> bool:
    """True for names and keys that start with '_' (also after Unicode NFKC folding)."""
    return text[:1] == "_" or (not text[:8].isascii() and unicodedata.normalize("NFKC", text[:8])[:1] == "_")


# ---------------------------------------------------------------- limits on values and work


class WorkMeter:
    """A budget shared by every evaluation inside one `shared_budget` block (a model check, a step).

    One evaluation may do MAX_WORK; a check of a whole document or one step of an instance may do
    `limit` in total, so a thousand conditions that each stay under the limit cannot add up to minutes."""

    __slots__ = ("left", "limit", "vi", "en")

    def __init__(self, limit: int, vi: str, en: str):
        self.left = self.limit = limit
        self.vi, self.en = vi, en


_METER: contextvars.ContextVar[WorkMeter | None] = contextvars.ContextVar("chithi_work_meter", default=None)


@contextlib.contextmanager
def shared_budget(limit: int, vi: str = "quá nhiều tính toán trong một lần",
                  en: str = "too much work in one go") -> Iterator[WorkMeter]:
    """Every evaluation inside the block draws from one budget of `limit` work units (nested: the outer one)."""
    outer = _METER.get()
    if outer is not None:
        yield outer
        return
    meter = WorkMeter(limit, vi, en)
    token = _METER.set(meter)
    try:
        yield meter
    finally:
        _METER.reset(token)


class _Run:
    """The state of one evaluation: the names it reads and writes, and the work it has left."""

    __slots__ = ("scope", "work", "meter", "assigned")

    def __init__(self, scope: MutableMapping[str, Any]):
        self.scope = scope
        self.work = MAX_WORK
        self.meter = _METER.get()
        self.assigned: set[str] = set()  # names a script wrote (checked as storable data at its end)

    def charge(self, amount: int) -> None:
        self.work -= amount
        if self.work < 0:
            raise _refusal("biểu thức tốn quá nhiều tính toán", "too much work for one evaluation")
        meter = self.meter
        if meter is not None:
            meter.left -= amount
            if meter.left < 0:
                raise _refusal(f"{meter.vi} (tối đa {meter.limit:,} đơn vị)",
                               f"{meter.en} (at most {meter.limit:,} units)")


def _too_big(size: int) -> ExpressionError:
    return _refusal(f"kết quả quá lớn ({size:,} phần tử/ký tự, tối đa {MAX_SIZE:,})",
                    f"result too large ({size:,} items/chars, at most {MAX_SIZE:,})")


def _weight(value: Any, avoid: Any = None) -> int:
    """Count the items and characters reachable from `value` (shared parts counted each time),
    stopping just past MAX_SIZE. `avoid` is a container `value` must not contain (it would be a cycle)."""
    total, stack = 1, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, (list, tuple, set, frozenset, dict)):
            if item is avoid:
                raise _refusal("không được đặt một dict/list vào chính nó", "cannot put a dict or list inside itself")
            total += len(item)
            if total > MAX_SIZE:
                break
            stack += [v for v in item if type(v) not in _FLAT]
            if isinstance(item, dict):
                stack += [v for v in item.values() if type(v) not in _FLAT]
        elif callable(item):
            raise _refusal("giá trị không phải dữ liệu (hàm hoặc lớp)", "value is not data (a function or class)")
        if total > MAX_SIZE:
            break
    return total


def _measure(value: Any, run: _Run, avoid: Any = None) -> int:
    """Count what `value` holds (see _weight), charge it, and refuse it past MAX_SIZE."""
    total = _weight(value, avoid)
    run.charge(min(total, MAX_SIZE))
    if total > MAX_SIZE:
        raise _too_big(total)
    return total


def _admit(value: Any, run: _Run) -> Any:
    """Let a freshly built value through only if it is plain data within the limits."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is int:
        return _int_ok(value)
    if kind is str:
        if len(value) > MAX_SIZE:
            raise _too_big(len(value))
        run.charge(len(value))
        return value
    _measure(value, run)
    return value


def _int_ok(value: Any) -> Any:
    if type(value) is int and value.bit_length() > MAX_INT_BITS:
        raise _refusal(f"số nguyên quá lớn (hơn {MAX_INT_BITS} bit)", f"integer too large (over {MAX_INT_BITS} bits)")
    return value


_DIGITS_PER_BIT = 0.30103


def _text_estimate(value: Any, in_container: bool = False) -> int:
    """An upper estimate of the characters str()/repr() of `value` makes, found before making them.

    Stops counting once past MAX_SIZE, so the walk itself is bounded."""
    total, stack = 0, [(value, in_container)]
    while stack and total <= MAX_SIZE:
        item, nested = stack.pop()
        kind = type(item)
        if kind is str:
            if not nested:
                total += len(item)
            elif item.isascii():
                total += (len(item) if item.isprintable() else 4 * len(item)) + 2
            else:
                total += 10 * len(item) + 2
        elif kind is int:
            total += int(item.bit_length() * _DIGITS_PER_BIT) + 2
        elif kind in (list, tuple, set, frozenset):
            total += 2 + 2 * len(item)
            if total <= MAX_SIZE:
                stack += [(v, True) for v in item]
        elif kind is dict:
            total += 2 + 4 * len(item)
            if total <= MAX_SIZE:
                stack += [(v, True) for pair in item.items() for v in pair]
        else:
            total += 100  # None, bool, float, dates, times, durations: short reprs
    return total


def _text(convert: Callable[[Any], str]) -> Callable[[Any], str]:
    """str()/repr()/ascii() that refuse a value whose text would be too large, before writing it."""
    def guarded(value: Any) -> str:
        if type(value) is str and convert is str:
            return value
        size = _text_estimate(value, in_container=convert is not str)
        if size > MAX_SIZE:
            raise _too_big(size)
        return convert(value)
    return guarded


_str, _repr, _ascii = _text(str), _text(repr), _text(ascii)


def text_of(value: Any, limit: int = MAX_SIZE) -> str:
    """str(value) cut to `limit` characters; ExpressionError (before writing anything) if it would be huge."""
    return _str(value)[:limit]


def _check_hashing(keys: list[Any], run: _Run) -> None:
    """Refuse building a set or dict of keys chosen to share one hash (each insertion would scan them all).

    Python's hash of an int is the int modulo 2**61-1, so multiples of it all land on one slot chain:
    40,000 of them took 10 s. Hashes are counted first (in C); only keys whose hash repeats are
    grouped, and a group may hold MAX_SAME_HASH distinct keys."""
    try:
        hashes = list(map(hash, keys))
    except TypeError:
        return  # unhashable: building the set or dict refuses it with a TypeError
    if len(set(hashes)) == len(hashes):  # hashes of hashes are the hashes: this set has no collisions
        return
    run.charge(len(hashes))
    counts = Counter(hashes)
    groups: dict[int, list[Any]] = {}
    for key, code in zip(keys, hashes):
        if counts[code] < 2:
            continue
        group = groups.setdefault(code, [])
        run.charge(len(group))
        if key not in group:
            group.append(key)
            if len(group) > MAX_SAME_HASH:
                raise _refusal(f"quá nhiều giá trị có cùng mã băm (tối đa {MAX_SAME_HASH})",
                               f"too many values with the same hash (at most {MAX_SAME_HASH})")


def _set(values: Iterable[Any] = (), *, run: _Run) -> set[Any]:
    values = list(values)
    _check_hashing(values, run)
    return set(values)


def _dict(*args: Any, run: _Run, **named: Any) -> dict[Any, Any]:
    if args:
        if len(args) > 1:
            raise TypeError(f"dict expected at most 1 argument, got {len(args)}")
        source = args[0]
        pairs = list(source.items()) if isinstance(source, dict) else [tuple(p) for p in source]
        for pair in pairs:
            if len(pair) != 2:
                raise ValueError("dictionary update sequence element has length "
                                 f"{len(pair)}; 2 is required")
        _check_hashing([k for k, _ in pairs], run)
        result = dict(pairs)
        result.update(named)
        return result
    return dict(named)


# Helpers that need the evaluation's budget (they build hashed containers) are called with run=.
_set.needs_run = _dict.needs_run = True  # type: ignore[attr-defined]


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (str, list, tuple))


_CONTAINERS = (list, tuple, dict, set, frozenset)
_SIZED = (str, *_CONTAINERS)


def _cost(values: Iterable[Any]) -> int:
    """Work for an operation that walks its operands once (comparisons, helpers, methods)."""
    return sum(len(v) for v in values if isinstance(v, _SIZED))


# ---------------------------------------------------------------- guarded operators


def _add(a: Any, b: Any, run: _Run) -> Any:
    if _is_sequence(a) and _is_sequence(b):
        size = _measure(a, run) + _measure(b, run) - 1
        if size > MAX_SIZE:
            raise _too_big(size)
    return _int_ok(a + b)


def _sub(a: Any, b: Any, run: _Run) -> Any:
    run.charge(_cost((a, b)))
    return _int_ok(a - b)


def _mul(a: Any, b: Any, run: _Run) -> Any:
    if isinstance(a, int) and isinstance(b, int):
        if a.bit_length() + b.bit_length() > MAX_INT_BITS + 1:
            raise _refusal("số nguyên quá lớn", f"integer too large (over {MAX_INT_BITS} bits)")
        return _int_ok(a * b)
    sequence, count = (a, b) if _is_sequence(a) else (b, a)
    if _is_sequence(sequence) and isinstance(count, int) and count > 0:
        size = 1 + (_measure(sequence, run) - 1) * count
        if size > MAX_SIZE:
            raise _too_big(size)
        run.charge(size)
    return a * b


def _pow(a: Any, b: Any, run: _Run) -> Any:
    if isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1:
        if (abs(a).bit_length() - 1) * b >= MAX_INT_BITS:
            raise _refusal("lũy thừa quá lớn", f"power too large (over {MAX_INT_BITS} bits)")
    result = a ** b
    if isinstance(result, complex):
        raise _refusal("kết quả là số phức", "complex results are not allowed")
    return _int_ok(result)


def _lshift(a: Any, b: Any, run: _Run) -> Any:
    if isinstance(a, int) and isinstance(b, int) and a and b > 0 and a.bit_length() + b > MAX_INT_BITS:
        raise _refusal("dịch bit quá lớn", f"left shift too large (over {MAX_INT_BITS} bits)")
    return a << b


def _mod(a: Any, b: Any, run: _Run) -> Any:
    if isinstance(a, (str, bytes)):
        raise _refusal("định dạng chuỗi bằng '%' không được phép", "string formatting with '%' is not allowed")
    return a % b


def _plain(function: Callable[[Any, Any], Any]) -> Callable[[Any, Any, _Run], Any]:
    def apply(a: Any, b: Any, run: _Run) -> Any:
        run.charge(_cost((a, b)))
        return function(a, b)
    return apply


_BINARY = {
    ast.Add: _add, ast.Sub: _sub, ast.Mult: _mul, ast.Pow: _pow, ast.LShift: _lshift, ast.Mod: _mod,
    ast.Div: _plain(operator.truediv), ast.FloorDiv: _plain(operator.floordiv),
    ast.RShift: _plain(operator.rshift), ast.BitAnd: _plain(operator.and_),
    ast.BitOr: _plain(operator.or_), ast.BitXor: _plain(operator.xor),
}
_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_, ast.IsNot: operator.is_not,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}


# ---------------------------------------------------------------- methods allowed on data values


def _join(separator: str, items: Iterable[Any]) -> str:
    items = list(items)
    size = len(separator) * max(len(items) - 1, 0) + sum(len(i) if isinstance(i, str) else 0 for i in items)
    if size > MAX_SIZE:
        raise _too_big(size)
    return separator.join(items)


def _replace(text: str, old: str, new: str, count: int = -1) -> str:
    hits = text.count(old) if old else len(text) + 1
    if count >= 0:
        hits = min(hits, count)
    size = len(text) + hits * max(len(new) - len(old), 0)
    if size > MAX_SIZE:
        raise _too_big(size)
    return text.replace(old, new, count)


_METHODS: dict[str, tuple[tuple[type | tuple[type, ...], Callable[..., Any]], ...]] = {
    "get": ((dict, dict.get),),
    "keys": ((dict, lambda d: list(d.keys())),),
    "values": ((dict, lambda d: list(d.values())),),
    "items": ((dict, lambda d: [list(pair) for pair in d.items()]),),
    "count": ((str, str.count), (list, list.count), (tuple, tuple.count)),
    "index": ((str, str.index), (list, list.index), (tuple, tuple.index)),
    "lower": ((str, str.lower),), "upper": ((str, str.upper),), "title": ((str, str.title),),
    "capitalize": ((str, str.capitalize),), "casefold": ((str, str.casefold),),
    "strip": ((str, str.strip),), "lstrip": ((str, str.lstrip),), "rstrip": ((str, str.rstrip),),
    "startswith": ((str, str.startswith),), "endswith": ((str, str.endswith),),
    "split": ((str, str.split),), "splitlines": ((str, str.splitlines),), "join": ((str, _join),),
    "replace": ((str, _replace),), "find": ((str, str.find),),
    "isdigit": ((str, str.isdigit),), "isalpha": ((str, str.isalpha),), "isspace": ((str, str.isspace),),
    "isoformat": ((date, lambda d: d.isoformat()), (time, lambda t: t.isoformat())),
}


# ---------------------------------------------------------------- helper functions


def _sum(values: Iterable[Any], start: Any = 0) -> Any:
    """Sum numbers (or durations) only: adding lists or strings this way is quadratic."""
    total = start
    for value in values:
        if not isinstance(value, (int, float, timedelta)):
            raise _refusal("sum() chỉ cộng số hoặc khoảng thời gian", "sum() adds numbers or durations only")
        total = _int_ok(total + value)
    return total


_NO_DEFAULT = object()


def _extreme(pick: Callable[..., Any], values: tuple[Any, ...], default: Any) -> Any:
    if len(values) == 1:
        return pick(values[0]) if default is _NO_DEFAULT else pick(values[0], default=default)
    return pick(values)


def _min(*values: Any, default: Any = _NO_DEFAULT) -> Any:
    return _extreme(min, values, default)


def _max(*values: Any, default: Any = _NO_DEFAULT) -> Any:
    return _extreme(max, values, default)


def _round(number: Any, digits: int | None = None) -> Any:
    if digits is not None and abs(digits) > MAX_ROUND_DIGITS:
        raise _refusal("số chữ số làm tròn quá lớn", f"round() digits must be within ±{MAX_ROUND_DIGITS}")
    return round(number, digits)


def _sorted(values: Iterable[Any], reverse: bool = False) -> list[Any]:
    return sorted(values, reverse=bool(reverse))


def parse_date(value: Any) -> date | datetime:
    """An ISO date ("2024-05-20") or date-time (naive means UTC) as a date or aware datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) > 64:
        raise _refusal("cần một ngày dạng ISO (YYYY-MM-DD)", f"expected an ISO date string, got {type(value).__name__}")
    text = value.strip()
    try:
        if len(text) <= 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _refusal(f"ngày không hợp lệ: {text!r}", f"not an ISO date: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def add_days(value: Any, days: int | float) -> date | datetime:
    """The date (or date-time) `days` days after `value`; negative goes back."""
    return parse_date(value) + timedelta(days=days)


def _calendar_day(value: Any) -> date:
    moment = parse_date(value)
    return local_date(moment) if isinstance(moment, datetime) else moment


def days_between(start: Any, end: Any) -> int:
    """Whole calendar days from `start` to `end` (date-times count by their date in Vietnam)."""
    return (_calendar_day(end) - _calendar_day(start)).days


_DURATION = re.compile(
    r"^(-)?P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$"
)


def duration(value: Any) -> timedelta:
    """An ISO 8601 duration ("P7D", "PT2H30M", "P1W") as a timedelta; years and months are refused."""
    if isinstance(value, timedelta):
        return value
    match = _DURATION.match(value.strip().upper()) if isinstance(value, str) and len(value) <= 64 else None
    if match is None:
        raise _refusal(f"khoảng thời gian không hợp lệ: {value!r} (ví dụ \"P7D\")",
                       f"not an ISO 8601 duration: {value!r} (e.g. \"P7D\")")
    sign, years, months, weeks, days, hours, minutes, seconds = match.groups()
    if years or months:
        raise _refusal("khoảng thời gian theo năm/tháng không xác định số ngày; hãy dùng ngày (D) hoặc tuần (W)",
                       "year/month durations have no fixed length; use days (D) or weeks (W)")
    delta = timedelta(weeks=int(weeks or 0), days=int(days or 0), hours=int(hours or 0),
                      minutes=int(minutes or 0), seconds=float((seconds or "0").replace(",", ".")))
    return -delta if sign else delta


def _iso_duration(delta: timedelta) -> str:
    sign, delta = ("-", -delta) if delta < timedelta(0) else ("", delta)
    hours, rest = divmod(delta.seconds, 3600)
    minutes, whole_seconds = divmod(rest, 60)
    seconds = whole_seconds + delta.microseconds / 1_000_000
    clock = "".join(f"{n:g}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    day = f"{delta.days}D" if delta.days or not clock else ""
    return f"{sign}P{day}" + (f"T{clock}" if clock else "")


def iso(value: Any) -> str:
    """ISO 8601 text of a date, date-time, time or duration."""
    if isinstance(value, timedelta):
        return _iso_duration(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    return parse_date(value).isoformat()


DEFAULT_HELPERS: dict[str, Callable[..., Any]] = {
    "len": len, "min": _min, "max": _max, "sum": _sum, "abs": abs, "round": _round,
    "int": int, "float": float, "str": _str, "bool": bool, "sorted": _sorted, "any": any, "all": all,
    "list": list, "dict": _dict, "set": _set, "tuple": tuple,
    "date": date, "add_days": add_days, "days_between": days_between, "parse_date": parse_date,
    "iso": iso, "duration": duration,
}


# ---------------------------------------------------------------- checking and compiling

Code = Callable[[_Run], Any]
Store = Callable[[_Run, Any], None]
_IMMUTABLE = frozenset({type(None), bool, int, float, str})


def _foldable(code: Code) -> Code:
    """Mark `code` as computable when the model is checked (its operands are all constants)."""
    setattr(code, "foldable", True)  # noqa: B010 — an attribute of the closure, read by _Compiler.fold
    return code


def _constant(value: Any) -> Code:
    def code(run: _Run) -> Any:
        return value
    return _foldable(code)


def _small_immutable(value: Any) -> bool:
    """Worth keeping as a constant in the cache: immutable and no bigger than a source text."""
    if type(value) is str:
        return len(value) <= MAX_SOURCE_CHARS
    if type(value) is tuple:
        return len(value) <= MAX_NODES and all(_small_immutable(v) for v in value)
    return type(value) in _IMMUTABLE


# Constructs that are never allowed, with the words used to refuse them (Vietnamese, English).
_REFUSED: dict[type, tuple[str, str]] = {
    ast.Lambda: ("hàm lambda", "lambda"),
    ast.ListComp: ("list comprehension", "list comprehension"),
    ast.SetComp: ("set comprehension", "set comprehension"),
    ast.DictComp: ("dict comprehension", "dict comprehension"),
    ast.GeneratorExp: ("biểu thức sinh (generator expression)", "generator expression"),
    ast.Await: ("await", "await"), ast.Yield: ("yield", "yield"), ast.YieldFrom: ("yield from", "yield from"),
    ast.NamedExpr: ("phép gán ':=' (walrus)", "walrus ':='"),
    ast.Starred: ("giải nén '*'", "'*' unpacking"),
    ast.Attribute: ("truy cập thuộc tính", "attribute access"),
    ast.Import: ("import", "import"), ast.ImportFrom: ("import", "import"),
    ast.Global: ("global", "global"), ast.Nonlocal: ("nonlocal", "nonlocal"),
    ast.Delete: ("del", "del"), ast.With: ("with", "with"), ast.AsyncWith: ("with", "with"),
    ast.Try: ("try/except", "try/except"), ast.TryStar: ("try/except*", "try/except*"),
    ast.ClassDef: ("định nghĩa lớp (class)", "class definition"),
    ast.FunctionDef: ("định nghĩa hàm (def)", "function definition"),
    ast.AsyncFunctionDef: ("định nghĩa hàm (async def)", "function definition"),
    ast.For: ("vòng lặp for", "for loop"), ast.AsyncFor: ("vòng lặp for", "for loop"),
    ast.While: ("vòng lặp while", "while loop"), ast.Raise: ("raise", "raise"),
    ast.Assert: ("assert", "assert"), ast.Return: ("return", "return"), ast.Break: ("break", "break"),
    ast.Continue: ("continue", "continue"), ast.Match: ("match", "match"),
    ast.AnnAssign: ("gán có chú thích kiểu", "annotated assignment"),
}


def _parse(source: str, mode: str) -> ast.AST:
    if len(source) > MAX_SOURCE_CHARS:
        raise _refusal(f"quá dài ({len(source):,} ký tự, tối đa {MAX_SOURCE_CHARS:,})",
                       f"too long ({len(source):,} characters, at most {MAX_SOURCE_CHARS:,})")
    text = source.strip() if mode == "eval" else textwrap.dedent(source)
    try:
        tree = ast.parse(text, mode=mode)
    except SyntaxError as err:
        raise _refusal(f"sai cú pháp: {err.msg} (dòng {err.lineno})",
                       f"syntax error: {err.msg} (line {err.lineno})") from None
    except (RecursionError, MemoryError, ValueError):
        raise _refusal("lồng quá sâu hoặc không đọc được", "nested too deeply or unreadable") from None
    _check_shape(tree)
    return tree


def _check_shape(tree: ast.AST) -> None:
    """Refuse trees that are too big or too deep before anything recurses over them."""
    nodes = statements = 0
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, _NOT_COUNTED):
            continue
        nodes += 1
        statements += isinstance(node, ast.stmt)
        if nodes > MAX_NODES:
            raise _refusal(f"quá nhiều thành phần (tối đa {MAX_NODES})", f"too many elements (at most {MAX_NODES})")
        if depth > MAX_DEPTH:
            raise _refusal(f"lồng quá sâu (tối đa {MAX_DEPTH} mức)", f"nested too deeply (at most {MAX_DEPTH} levels)")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    if statements > MAX_STATEMENTS:
        raise _refusal(f"quá nhiều câu lệnh (tối đa {MAX_STATEMENTS})",
                       f"too many statements (at most {MAX_STATEMENTS})")


class _Compiler:
    """Checks a parsed tree against the whitelist and turns it into closures over a `_Run`."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]], script: bool):
        self.helpers = helpers
        self.script = script
        self.names: set[str] = set()
        self.fold_run = _Run({})  # one work budget for all constant folding of this source
        self.handlers: dict[type, Callable[[Any], Code]] = {
            ast.Constant: self.constant, ast.Name: self.name, ast.BinOp: self.binary,
            ast.UnaryOp: self.unary, ast.BoolOp: self.boolean, ast.Compare: self.compare,
            ast.IfExp: self.conditional, ast.Subscript: self.subscript, ast.Call: self.call,
            ast.List: self.display, ast.Tuple: self.display, ast.Set: self.display, ast.Dict: self.mapping,
            ast.JoinedStr: self.fstring,
        }

    def refuse(self, node: ast.AST, vi: str, en: str) -> ExpressionError:
        line = getattr(node, "lineno", None)
        where = f" (dòng {line} / line {line})" if self.script and line else ""
        return _refusal(vi, en + where)

    def identifier(self, node: ast.AST, name: str, what: tuple[str, str]) -> None:
        if _underscored(name):
            raise self.refuse(node, f"{what[0]} '{name}' không được phép (bắt đầu bằng '_')",
                              f"{what[1]} '{name}' is not allowed (starts with '_')")

    def expr(self, node: ast.AST) -> Code:
        handler = self.handlers.get(type(node))
        if handler is None:
            vi, en = _REFUSED.get(type(node), (f"cấu trúc {type(node).__name__}", f"construct {type(node).__name__}"))
            if isinstance(node, ast.Attribute):
                self.expr(node.value)  # report the innermost problem first, as it would run
                self.identifier(node, node.attr, ("thuộc tính", "attribute"))
                vi, en = f"thuộc tính '{node.attr}'", f"attribute access '{node.attr}'"
            raise self.refuse(node, f"không được dùng {vi}", f"{en} is not allowed")
        return handler(node)

    def constant(self, node: ast.Constant) -> Code:
        value = node.value
        if type(value) not in (type(None), bool, int, float, str):
            raise self.refuse(node, f"hằng kiểu {type(value).__name__} không được phép",
                              f"{type(value).__name__} literals are not allowed")
        if type(value) is int and value.bit_length() > MAX_INT_BITS:
            raise self.refuse(node, "số nguyên quá lớn", f"integer literal over {MAX_INT_BITS} bits")
        return _constant(value)

    def fold(self, code: Code, operands: list[Code]) -> Code:
        """Work out an operation on constants now, so `9**9**9` is refused when the model is checked."""
        if not all(getattr(o, "foldable", False) for o in operands):
            return code
        try:
            value = code(self.fold_run)
        except _RUNTIME_ERRORS:
            return code  # e.g. 1/0: reported when it runs, like any other evaluation error
        if _small_immutable(value):
            return _constant(value)
        return _foldable(code)  # big or mutable results are rebuilt on every run: never cached, never shared

    def name(self, node: ast.Name) -> Code:
        ident = node.id
        self.identifier(node, ident, ("tên", "name"))
        self.names.add(ident)

        def load(run: _Run) -> Any:
            try:
                value = run.scope[ident]
            except KeyError:
                raise _refusal(f"biến '{ident}' chưa có giá trị", f"name '{ident}' is not defined") from None
            if callable(value):
                raise _refusal(f"biến '{ident}' không phải dữ liệu", f"name '{ident}' is not data")
            return value
        return load

    def binary(self, node: ast.BinOp) -> Code:
        if isinstance(node.op, ast.Mod) and isinstance(node.left, (ast.JoinedStr, ast.Constant)) \
                and not isinstance(getattr(node.left, "value", 0), (int, float)):
            raise self.refuse(node, "định dạng chuỗi bằng '%' không được phép",
                              "string formatting with '%' is not allowed")
        function = _BINARY.get(type(node.op))
        if function is None:
            raise self.refuse(node, f"phép toán {type(node.op).__name__} không được phép",
                              f"operator {type(node.op).__name__} is not allowed")
        left, right = self.expr(node.left), self.expr(node.right)
        return self.fold(lambda run: function(left(run), right(run), run), [left, right])

    def unary(self, node: ast.UnaryOp) -> Code:
        function, operand = _UNARY[type(node.op)], self.expr(node.operand)
        return self.fold(lambda run: function(operand(run)), [operand])

    def boolean(self, node: ast.BoolOp) -> Code:
        parts, want = [self.expr(v) for v in node.values], isinstance(node.op, ast.Or)

        def decide(run: _Run) -> Any:
            for part in parts:
                value = part(run)
                if bool(value) is want:
                    return value
            return value
        return decide

    def compare(self, node: ast.Compare) -> Code:
        for op, left, right in zip(node.ops, [node.left, *node.comparators], node.comparators):
            if isinstance(op, (ast.Is, ast.IsNot)) and not any(
                    isinstance(side, ast.Constant) and side.value in (None, True, False) for side in (left, right)):
                raise self.refuse(node, "'is' chỉ dùng để so với None, True hoặc False",
                                  "'is' may only compare with None, True or False")
        operands = [self.expr(node.left)] + [self.expr(c) for c in node.comparators]
        checks = [_COMPARE[type(op)] for op in node.ops]
        if len(checks) == 1:
            (first, second), check = operands, checks[0]

            def compare_once(run: _Run) -> Any:
                left, right = first(run), second(run)
                if isinstance(left, _CONTAINERS) or isinstance(right, _CONTAINERS):
                    run.charge(_weight(left) + _weight(right))
                return check(left, right)
            return compare_once

        def chain(run: _Run) -> bool:
            left = operands[0](run)
            for check, operand in zip(checks, operands[1:]):
                right = operand(run)
                if isinstance(left, _CONTAINERS) or isinstance(right, _CONTAINERS):
                    run.charge(_weight(left) + _weight(right))
                if not check(left, right):
                    return False
                left = right
            return True
        return chain

    def conditional(self, node: ast.IfExp) -> Code:
        test, body, orelse = self.expr(node.test), self.expr(node.body), self.expr(node.orelse)
        return lambda run: body(run) if test(run) else orelse(run)

    def key(self, node: ast.AST) -> Code:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.identifier(node, node.value, ("khoá", "key"))
        key = self.expr(node)

        def checked(run: _Run) -> Any:
            value = key(run)
            if isinstance(value, str) and _underscored(value):
                raise _refusal(f"khoá '{value}' không được phép (bắt đầu bằng '_')",
                               f"key '{value}' is not allowed (starts with '_')")
            return value
        return checked

    def subscript(self, node: ast.Subscript) -> Code:
        container = self.expr(node.value)
        if isinstance(node.slice, ast.Slice):
            parts = (node.slice.lower, node.slice.upper, node.slice.step)
            bounds = [self.expr(p) if p is not None else None for p in parts]
            return lambda run: _admit(container(run)[slice(*(b(run) if b else None for b in bounds))], run)
        key = self.key(node.slice)

        def item(run: _Run) -> Any:
            value, wanted = container(run), key(run)
            try:
                return value[wanted]
            except KeyError:
                raise _refusal(f"không có khoá {wanted!r}", f"no key {wanted!r}") from None
            except IndexError:
                raise _refusal(f"chỉ số {wanted!r} ngoài phạm vi", f"index {wanted!r} out of range") from None
        return item

    def call(self, node: ast.Call) -> Code:
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise self.refuse(node, "gọi hàm với '*' không được phép", "'*' arguments are not allowed")
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.refuse(node, "gọi hàm với '**' không được phép", "'**' arguments are not allowed")
            self.identifier(node, keyword.arg, ("tham số", "keyword"))
        args = [self.expr(a) for a in node.args]
        kwargs = [(str(k.arg), self.expr(k.value)) for k in node.keywords]
        if isinstance(node.func, ast.Name):
            return self.helper_call(node.func, args, kwargs)
        if isinstance(node.func, ast.Attribute):
            return self.method_call(node.func, args, kwargs)
        self.expr(node.func)  # a lambda or subscript being called is refused for what it is
        raise self.refuse(node, "chỉ được gọi hàm trợ giúp theo tên", "only helper functions may be called, by name")

    def helper_call(self, func: ast.Name, args: list[Code], kwargs: list[tuple[str, Code]]) -> Code:
        self.identifier(func, func.id, ("hàm", "function"))
        helper = self.helpers.get(func.id)
        if helper is None:
            allowed = ", ".join(sorted(self.helpers))
            raise self.refuse(func, f"hàm '{func.id}' không được phép (chỉ dùng: {allowed})",
                              f"function '{func.id}' is not allowed")
        if getattr(helper, "needs_run", False):
            def call_with_run(run: _Run) -> Any:
                values, named = [a(run) for a in args], {k: v(run) for k, v in kwargs}
                run.charge(_cost(values) + _cost(named.values()))
                return _admit(helper(*values, run=run, **named), run)
            return call_with_run
        if len(args) == 1 and not kwargs:
            (only,) = args

            def call_one(run: _Run) -> Any:
                value = only(run)
                if isinstance(value, _SIZED):
                    run.charge(len(value))
                return _admit(helper(value), run)
            return call_one

        def call_helper(run: _Run) -> Any:
            values, named = [a(run) for a in args], {k: v(run) for k, v in kwargs}
            run.charge(_cost(values) + _cost(named.values()))
            return _admit(helper(*values, **named), run)
        return call_helper

    def method_call(self, func: ast.Attribute, args: list[Code], kwargs: list[tuple[str, Code]]) -> Code:
        method, receiver = func.attr, self.expr(func.value)
        self.identifier(func, method, ("thuộc tính", "attribute"))
        choices = _METHODS.get(method)
        if choices is None:
            raise self.refuse(func, f"phương thức '{method}' không được phép (chỉ dùng: {', '.join(sorted(_METHODS))})",
                              f"method '{method}' is not allowed")

        def invoke(run: _Run) -> Any:
            target = receiver(run)
            for kind, function in choices:
                if isinstance(target, kind):
                    values = [a(run) for a in args]
                    named = {k: v(run) for k, v in kwargs} if kwargs else {}
                    cost = len(target) if isinstance(target, _SIZED) else 0
                    run.charge(cost + _cost([*values, *named.values()]) if values or named else cost)
                    return _admit(function(target, *values, **named), run)
            raise _refusal(f"phương thức '{method}' không dùng được với kiểu {type(target).__name__}",
                           f"method '{method}' does not apply to {type(target).__name__}")
        return invoke

    def display(self, node: ast.List | ast.Tuple | ast.Set) -> Code:
        items = [self.expr(e) for e in node.elts]
        if isinstance(node, ast.Set):
            return self.fold(lambda run: _admit(_set([item(run) for item in items], run=run), run), items)
        build: Callable[[list[Any]], Any] = list if isinstance(node, ast.List) else tuple
        return self.fold(lambda run: _admit(build([item(run) for item in items]), run), items)

    def mapping(self, node: ast.Dict) -> Code:
        if any(k is None for k in node.keys):
            raise self.refuse(node, "giải nén '**' không được phép", "'**' unpacking is not allowed")
        pairs = [(self.expr(cast(ast.expr, k)), self.expr(v)) for k, v in zip(node.keys, node.values)]
        code = lambda run: _admit(_dict([(k(run), v(run)) for k, v in pairs], run=run), run)  # noqa: E731
        return self.fold(code, [part for pair in pairs for part in pair])

    def fstring(self, node: ast.JoinedStr) -> Code:
        parts: list[Code] = []
        for piece in node.values:
            if isinstance(piece, ast.Constant):
                parts.append(self.constant(piece))
                continue
            if not isinstance(piece, ast.FormattedValue):
                raise self.refuse(piece, "f-string không hợp lệ", "unexpected f-string part")
            if piece.format_spec is not None:
                raise self.refuse(piece, "định dạng (format spec) trong f-string không được phép",
                                  "format specs in f-strings are not allowed")
            convert = {ord("r"): repr, ord("a"): ascii}.get(piece.conversion, str)
            parts.append(self.formatted(self.expr(piece.value), convert))

        def build(run: _Run) -> str:
            texts, total = [], 0
            for part in parts:
                text = part(run)
                total += len(text)
                if total > MAX_SIZE:
                    raise _too_big(total)
                texts.append(text)
            return cast(str, _admit("".join(texts), run))
        return build

    @staticmethod
    def formatted(value: Code, convert: Callable[[Any], str]) -> Code:
        guarded = _text(convert)

        def text(run: _Run) -> str:
            written = guarded(value(run))  # refused before writing when its text would be too large
            run.charge(len(written))
            return written
        return text

    # -- statements (script tasks, pre- and post-scripts)

    def block(self, body: list[ast.stmt]) -> Callable[[_Run], None]:
        steps = [self.statement(s) for s in body]

        def run_all(run: _Run) -> None:
            for step in steps:
                step(run)
        return run_all

    def statement(self, node: ast.stmt) -> Callable[[_Run], None]:
        if isinstance(node, ast.Pass):
            return lambda run: None
        if isinstance(node, ast.Expr):
            return self.expr(node.value)
        if isinstance(node, ast.If):
            test, body, orelse = self.expr(node.test), self.block(node.body), self.block(node.orelse)
            return lambda run: body(run) if test(run) else orelse(run)
        if isinstance(node, ast.Assign):
            value, stores = self.expr(node.value), [self.target(t) for t in node.targets]

            def assign(run: _Run) -> None:
                result = value(run)
                for store in stores:
                    store(run, result)
            return assign
        if isinstance(node, ast.AugAssign):
            if not isinstance(node.target, (ast.Name, ast.Subscript)):
                raise self.refuse(node, "chỉ gán cộng dồn vào biến hoặc phần tử",
                                  "augmented assignment needs a name or item")
            load, store = self.expr(node.target), self.target(node.target)
            function, value = _BINARY[type(node.op)], self.expr(node.value)
            return lambda run: store(run, function(load(run), value(run), run))
        vi, en = _REFUSED.get(type(node), (f"câu lệnh {type(node).__name__}", f"statement {type(node).__name__}"))
        raise self.refuse(node, f"không được dùng {vi}", f"{en} is not allowed")

    def target(self, node: ast.AST) -> Store:
        if isinstance(node, ast.Name):
            ident = node.id
            self.identifier(node, ident, ("tên", "name"))

            def store_name(run: _Run, value: Any) -> None:
                _measure(value, run)
                run.scope[ident] = value
                run.assigned.add(ident)
            return store_name
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            container, key = self.expr(node.value), self.key(node.slice)
            root = node.value
            while isinstance(root, ast.Subscript):
                root = root.value
            root_name = root.id if isinstance(root, ast.Name) else None

            def store_item(run: _Run, value: Any) -> None:
                if root_name is not None:
                    run.assigned.add(root_name)
                target, wanted = container(run), key(run)
                if not isinstance(target, (dict, list)):
                    raise _refusal(f"chỉ gán được vào dict hoặc list, không phải {type(target).__name__}",
                                   f"can only assign into a dict or list, not {type(target).__name__}")
                size = _measure(target, run) + _measure(value, run, avoid=target)
                if size > MAX_SIZE:
                    raise _too_big(size)
                try:
                    target[wanted] = value
                except IndexError:
                    raise _refusal(f"chỉ số {wanted!r} ngoài phạm vi", f"index {wanted!r} out of range") from None
            return store_item
        if isinstance(node, (ast.Tuple, ast.List)):
            stores = [self.target(e) for e in node.elts]

            def unpack(run: _Run, value: Any) -> None:
                if not isinstance(value, (list, tuple)) or len(value) != len(stores):
                    raise _refusal(f"cần đúng {len(stores)} giá trị để gán",
                                   f"expected exactly {len(stores)} values to unpack")
                for store, item in zip(stores, value):
                    store(run, item)
            return unpack
        raise self.refuse(node, "chỉ gán được vào biến, phần tử dict/list hoặc bộ (tuple) các thứ đó",
                          "can only assign to names, dict/list items or tuples of them")


# ---------------------------------------------------------------- the evaluator


@dataclass(frozen=True)
class _Program:
    code: Callable[[_Run], Any]
    names: frozenset[str]


_RUNTIME_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError, RecursionError, MemoryError, UnicodeError)


class SafeEvaluator:
    """Checks and evaluates BPMN expressions and scripts in a whitelisted subset of Python."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None, clock: Clock | None = None):
        self.clock = clock or SystemClock()
        merged = {**DEFAULT_HELPERS, "today": self._today, "now": self._now, **(helpers or {})}
        for name in merged:
            if _underscored(name) or not name.isidentifier():
                raise ValueError(f"helper name {name!r} is not allowed")
        self.helpers: dict[str, Callable[..., Any]] = merged
        self._expression = lru_cache(maxsize=CACHE_SIZE)(self._compile_expression)
        self._script = lru_cache(maxsize=CACHE_SIZE)(self._compile_script)

    def _today(self) -> date:
        return local_date(self.clock.now())

    def _now(self) -> datetime:
        return self.clock.now().astimezone(UTC)

    def _compile_expression(self, source: str) -> _Program:
        try:
            compiler = _Compiler(self.helpers, script=False)
            code = compiler.expr(cast(ast.Expression, _parse(source, "eval")).body)
        except ExpressionError as err:
            err.expression = source
            raise
        return _Program(code, frozenset(compiler.names))

    def _compile_script(self, source: str) -> _Program:
        try:
            compiler = _Compiler(self.helpers, script=True)
            code = compiler.block(cast(ast.Module, _parse(source, "exec")).body)
        except ExpressionError as err:
            err.expression = source
            raise
        return _Program(code, frozenset(compiler.names))

    def _program(self, source: str, script: bool) -> _Program:
        if not isinstance(source, str):
            raise _refusal("biểu thức phải là chuỗi", f"an expression must be text, not {type(source).__name__}")
        return self._script(source) if script else self._expression(source)

    def check_expression(self, source: str) -> None:
        """Raise ExpressionError naming the problem if `source` is not an allowed expression."""
        self._program(source, script=False)

    def check_script(self, source: str) -> None:
        """Raise ExpressionError naming the problem if `source` is not an allowed script."""
        self._program(source, script=True)

    def names_used(self, source: str) -> set[str]:
        """The variable names an expression reads (helper function names excluded)."""
        return set(self._program(source, script=False).names)

    def evaluate(self, source: str, context: Mapping[str, Any]) -> Any:
        """The value of expression `source` with `context` as its variables."""
        return self._run(self._program(source, script=False), source, context)

    def execute(self, source: str, context: MutableMapping[str, Any]) -> None:
        """Run script `source`; the names it assigns are written into `context`. What it wrote must
        be storable workflow data (engine.kernel.taskdata), else the script is refused."""
        self._run(self._program(source, script=True), source, context, script=True)

    @staticmethod
    def _run(program: _Program, source: str, context: Mapping[str, Any], script: bool = False) -> Any:
        try:  # an expression only reads its scope; a script's assignments write it
            run = _Run(cast(MutableMapping[str, Any], context))
            run.charge(EVALUATION_COST)
            result = program.code(run)
            for name in sorted(run.assigned) if script else ():
                problem = data_problem(run.scope.get(name), name)
                if problem is not None:  # not stored: the saved workflow must load back
                    run.scope.pop(name, None)
                    raise ExpressionError(problem)
            return result
        except ExpressionError as err:
            err.expression = err.expression or source
            raise
        except _RUNTIME_ERRORS as err:
            detail = f"{type(err).__name__}: {err}"[:300]
            raise ExpressionError(f"lỗi khi tính: {detail} / evaluation failed: {detail}", expression=source) from err
