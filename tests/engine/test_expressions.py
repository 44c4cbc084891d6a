"""The safe evaluator: hostile input is refused quickly and cheaply, ordinary conditions keep working."""
from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from engine.kernel.clock import FrozenClock
from engine.kernel.errors import ExpressionError
from engine.kernel.expressions import DEFAULT_HELPERS, MAX_SIZE, SafeEvaluator, duration, iso

from .hostile_payloads import EXPRESSIONS, SCRIPTS

CONTEXT = {"x": 1, "y": [1, 2], "d": {"a": 1, "k": "v"}}


@pytest.fixture
def evaluator(clock):
    return SafeEvaluator(clock=clock)


def _refused_quickly_and_cheaply(action, fragment):
    from tests.engine.test_bounded_work import refused_within_bounds

    return refused_within_bounds(action, fragment, seconds=0.05, megabytes=4)


@pytest.mark.parametrize("source,fragment", EXPRESSIONS, ids=[s[:40] for s, _ in EXPRESSIONS])
def test_hostile_expression_is_refused_at_check_and_at_evaluation(source, fragment):
    evaluator = SafeEvaluator()  # fresh: no cache hides the cost of refusing
    error = _refused_quickly_and_cheaply(lambda: evaluator.check_expression(source), fragment)
    assert error.expression == source
    _refused_quickly_and_cheaply(lambda: evaluator.evaluate(source, dict(CONTEXT)), fragment)


@pytest.mark.parametrize("source,fragment", SCRIPTS, ids=[s[:40] for s, _ in SCRIPTS])
def test_hostile_script_is_refused_and_runs_nothing(source, fragment):
    evaluator = SafeEvaluator()
    _refused_quickly_and_cheaply(lambda: evaluator.check_script(source), fragment)
    context = dict(CONTEXT)
    _refused_quickly_and_cheaply(lambda: evaluator.execute(source, context), fragment)
    assert context == CONTEXT


def test_corpus_is_big_enough():
    assert len(EXPRESSIONS) + len(SCRIPTS) >= 40


@pytest.mark.parametrize("source,context,expected", [
    ('decision == "approve"', {"decision": "approve"}, True),
    ('decision == "approve"', {"decision": "reject"}, False),
    ('len(units) > 0 and kind in ("party", "state")', {"units": [1], "kind": "state"}, True),
    ('len(units) > 0 and kind in ("party", "state")', {"units": [], "kind": "state"}, False),
    ("not approved", {"approved": False}, True),
    ("count >= 3 or late", {"count": 1, "late": True}, True),
    ("count >= 3 or late", {"count": 1, "late": False}, False),
    ('d.get("x", 0) + 1', {"d": {}}, 1),
    ('d.get("x", 0) + 1', {"d": {"x": 4}}, 5),
    ('"P7D"', {}, "P7D"),
    ('units[0]["code"]', {"units": [{"code": "UBND"}]}, "UBND"),
    ("items[1:3]", {"items": [1, 2, 3, 4]}, [2, 3]),
    ("items[::-1][0]", {"items": [1, 2, 3]}, 3),
    ('"gấp" if urgent else "thường"', {"urgent": True}, "gấp"),
    ("1 < n <= 10", {"n": 10}, True),
    ("1 < n <= 10", {"n": 1}, False),
    ("reply is None", {"reply": None}, True),
    ("reply is not None", {"reply": None}, False),
    ('name.strip().lower().startswith("bộ")', {"name": "  Bộ Tài chính "}, True),
    ('", ".join(sorted(codes))', {"codes": ["b", "a"]}, "a, b"),
    ('"a,b,c".split(",")', {}, ["a", "b", "c"]),
    ("sorted(d.keys())", {"d": {"b": 1, "a": 2}}, ["a", "b"]),
    ("sum(d.values())", {"d": {"b": 1, "a": 2}}, 3),
    ("max(scores) - min(scores)", {"scores": [3, 9, 4]}, 6),
    ("max(1, 5, 2)", {}, 5),
    ("round(2 / 3, 2)", {}, 0.67),
    ("abs(-3) + int('4') + float('0.5')", {}, 7.5),
    ('f"Số {n}/CT-UBND"', {"n": 12}, "Số 12/CT-UBND"),
    ("-a % 7 + 2 ** 10 // 3", {"a": 3}, 345),
    ("[1, 2] + [3] * 2", {}, [1, 2, 3, 3]),
    ("{'a': 1, 'b': [x, y]}", {"x": 1, "y": 2}, {"a": 1, "b": [1, 2]}),
    ("any([a, b]) and not all([a, b])", {"a": True, "b": False}, True),
    ('str(n) + "x"', {"n": 3}, "3x"),
    ("'x' in d and 'y' not in d", {"d": {"x": 1}}, True),
    ("len(set(tags)) == 2", {"tags": ["a", "b", "a"]}, True),
])
def test_ordinary_expression_gives_the_right_value(evaluator, source, context, expected):
    assert evaluator.evaluate(source, context) == expected


def test_date_helpers_use_the_injected_clock(evaluator, clock):
    assert evaluator.evaluate("today()", {}) == date(2024, 5, 20)
    assert evaluator.evaluate("now()", {}) == datetime(2024, 5, 20, 8, 0, tzinfo=UTC)
    clock.advance(days=2)
    assert evaluator.evaluate("today()", {}) == date(2024, 5, 22)
    assert evaluator.evaluate("now() > start", {"start": datetime(2024, 5, 21, tzinfo=UTC)}) is True


@pytest.mark.parametrize("source,context,expected", [
    ("add_days(due, 3)", {"due": "2024-05-20"}, date(2024, 5, 23)),
    ("add_days(due, 3)", {"due": date(2024, 5, 30)}, date(2024, 6, 2)),
    ("add_days(due, -1)", {"due": datetime(2024, 5, 20, 8, tzinfo=UTC)}, datetime(2024, 5, 19, 8, tzinfo=UTC)),
    ("days_between('2024-05-20', due)", {"due": "2024-06-01"}, 12),
    ("days_between(today(), due) < 0", {"due": "2024-05-19"}, True),
    ("date(2024, 5, 20) == parse_date('2024-05-20')", {}, True),
    ("parse_date('2024-05-20T10:00:00')", {}, datetime(2024, 5, 20, 10, tzinfo=UTC)),
    ("parse_date('2024-05-20T10:00:00+07:00') == parse_date('2024-05-20T03:00:00Z')", {}, True),
    ("iso(add_days(today(), 7))", {}, "2024-05-27"),
    ("iso(duration('P1W'))", {}, "P7D"),
    ("iso(duration('PT2H30M'))", {}, "PT2H30M"),
    ("today() + duration('P7D')", {}, date(2024, 5, 27)),
    ("due.isoformat()", {"due": date(2024, 5, 20)}, "2024-05-20"),
])
def test_date_helpers(evaluator, source, context, expected):
    assert evaluator.evaluate(source, context) == expected


def test_duration_parses_iso_8601_and_refuses_months():
    assert duration("P1DT2H3M4.5S") == timedelta(days=1, hours=2, minutes=3, seconds=4.5)
    assert duration("-P2D") == timedelta(days=-2)
    assert iso(timedelta(0)) == "P0D"
    assert iso(timedelta(days=-1)) == "-P1D"
    with pytest.raises(ExpressionError, match="year/month"):
        duration("P1M")
    with pytest.raises(ExpressionError, match="ISO 8601"):
        duration("7 days")


@pytest.mark.parametrize("source,context,fragment", [
    ("s * n", {"s": "a", "n": 10**10}, "too large"),
    ("items * n", {"items": [0], "n": 10**9}, "too large"),
    ("big + big", {"big": list(range(600_000))}, "too large"),
    ("x ** n", {"x": 7, "n": 10**6}, "power too large"),
    ("x << n", {"x": 1, "n": 10**6}, "left shift too large"),
    ("s % 1", {"s": "%s"}, "'%'"),
    ("sep.join(parts)", {"sep": "-" * 1000, "parts": ["a"] * 2000}, "too large"),
    ("s.replace('a', t)", {"s": "a" * 1000, "t": "b" * 2000}, "too large"),
    ("sum(items)", {"items": [[1], [2]]}, "sum()"),
    ("round(x, n)", {"x": 10**100, "n": -10**9}, "round()"),
    ("d[k]", {"d": {"__class__": 1}, "k": "__class__"}, "'__class__'"),
    ("d['missing']", {"d": {}}, "no key 'missing'"),
    ("items[5]", {"items": []}, "out of range"),
    ("missing + 1", {}, "name 'missing' is not defined"),
    ("1 / zero", {"zero": 0}, "ZeroDivisionError"),
    ("'a' < 1", {}, "TypeError"),
    ("fn", {"fn": print}, "not data"),
    ("n.upper()", {"n": 3}, "does not apply to int"),
    ("int(s)", {"s": "9" * 4000}, "integer too large"),
])
def test_runtime_attacks_and_mistakes_fail_with_an_expression_error(source, context, fragment):
    started = time.perf_counter()
    with pytest.raises(ExpressionError) as caught:
        SafeEvaluator().evaluate(source, context)
    assert fragment in str(caught.value), str(caught.value)
    assert caught.value.expression == source
    assert time.perf_counter() - started < 1.0


def test_script_assigns_names_and_items_into_task_data(evaluator):
    context = {"d": {"a": 1}, "units": [{"code": "A"}], "count": 2}
    evaluator.execute(
        "total = count * 10\n"
        "if total > 10:\n"
        "    level = 'high'\n"
        "elif total > 5:\n"
        "    level = 'mid'\n"
        "else:\n"
        "    pass\n"
        "d['b'] = d['a'] + 1\n"
        "units[0]['done'] = True\n"
        "count += 1\n"
        "first, second = 'x', 'y'\n"
        "deadline = iso(add_days(today(), 3))\n",
        context,
    )
    assert context == {
        "d": {"a": 1, "b": 2}, "units": [{"code": "A", "done": True}], "count": 3, "total": 20,
        "level": "high", "first": "x", "second": "y", "deadline": "2024-05-23",
    }


def test_literal_lists_are_not_shared_between_runs(evaluator):
    first, second = {}, {}
    evaluator.execute("items = [1, 2]\nitems[0] = 9", first)
    evaluator.execute("items = [1, 2]", second)
    assert first["items"] == [9, 2] and second["items"] == [1, 2]


def test_aliasing_a_big_value_many_times_is_stopped(evaluator):
    context = {}
    with pytest.raises(ExpressionError, match="too large|too much work"):
        evaluator.execute("a = [0] * 400000\nb = {}\nb['1'] = a\nb['2'] = a\nb['3'] = a\nc = [b, b]", context)
    assert "c" not in context


def test_repeated_heavy_work_hits_the_work_budget(evaluator):
    script = "a = [0] * 900000\n" + "".join(f"b{i} = a\n" for i in range(20))
    with pytest.raises(ExpressionError, match="too much work"):
        evaluator.execute(script, {})


def test_names_used_lists_variables_not_helpers(evaluator):
    assert evaluator.names_used('len(units) > 0 and d.get("x") == kind and today() < due') == {
        "units", "d", "kind", "due"}
    assert evaluator.names_used('"P7D"') == set()


def test_compiled_programs_are_cached(evaluator):
    for _ in range(100):
        evaluator.evaluate('decision == "approve"', {"decision": "approve"})
    info = evaluator._expression.cache_info()
    assert info.misses == 1 and info.hits == 99


def test_extra_helpers_are_callable_and_cannot_leak_functions(clock):
    evaluator = SafeEvaluator(helpers={"double": lambda n: n * 2, "leak": lambda: print}, clock=clock)
    assert evaluator.evaluate("double(21)", {}) == 42
    with pytest.raises(ExpressionError, match="not data"):
        evaluator.evaluate("leak()", {})
    with pytest.raises(ValueError):
        SafeEvaluator(helpers={"_secret": len})


def test_default_helpers_are_the_documented_set():
    assert set(DEFAULT_HELPERS) == {
        "len", "min", "max", "sum", "abs", "round", "int", "float", "str", "bool", "sorted", "any", "all",
        "list", "dict", "set", "tuple", "date", "add_days", "days_between", "parse_date", "iso", "duration"}


def test_size_limit_allows_values_just_under_it(evaluator):
    assert len(evaluator.evaluate("'a' * n", {"n": MAX_SIZE - 1})) == MAX_SIZE - 1


def test_expression_and_script_problems_report_line_numbers(evaluator):
    with pytest.raises(ExpressionError, match="line 3"):
        evaluator.check_script("x = 1\ny = 2\nimport os")
    with pytest.raises(ExpressionError, match="syntax error"):
        evaluator.check_expression("x ==")


def test_helpers_frozen_clock_is_aware_utc():
    evaluator = SafeEvaluator(clock=FrozenClock(datetime(2024, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=7)))))
    assert evaluator.evaluate("now()", {}).tzinfo == UTC
    assert evaluator.evaluate("today()", {}) == date(2024, 12, 31)


@pytest.mark.parametrize("script", ["d['self'] = d", "items = [1]\nitems[0] = [items]", "a = {}\nb = {'a': a}\na['b'] = b"])
def test_scripts_cannot_make_cyclic_task_data(evaluator, script):
    context = {"d": {}}
    with pytest.raises(ExpressionError, match="inside itself"):
        evaluator.execute(script, context)
    assert context["d"] == {}


@pytest.mark.parametrize("operation", ["max(big)", "n in big", "big == other", "big[:]", "sorted(big)",
                                       "big.count(0)", "set(big) | set(other)"])
def test_repeating_a_heavy_operation_hits_the_work_budget_quickly(operation):
    source = " or ".join([f"({operation}) is None"] * 40)
    context = {"big": list(range(300_000)), "other": list(range(300_000)), "n": -1}
    started = time.perf_counter()
    with pytest.raises(ExpressionError, match="too much work"):
        SafeEvaluator().evaluate(source, context)
    assert time.perf_counter() - started < 2.0


def test_cached_programs_do_not_keep_big_folded_values():
    evaluator = SafeEvaluator()
    tracemalloc.start()
    try:
        for n in range(20):
            evaluator.check_expression(f"len('a' * 999_000) + len([{n}] * 999_000)")
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert current < 2 * 1024 * 1024, f"{current:,} bytes kept"


def test_constant_parts_that_exceed_the_work_budget_are_refused_at_check():
    source = " + ".join(["len([0] * 900_000)"] * 10)
    started = time.perf_counter()
    with pytest.raises(ExpressionError, match="too much work"):
        SafeEvaluator().check_expression(source)
    assert time.perf_counter() - started < 2.0


def test_today_is_the_date_in_vietnam_and_days_count_by_it():
    """01:00 on 21 May in Lạng Sơn is still 20 May in UTC: the office's today is the 21st."""
    evaluator = SafeEvaluator(clock=FrozenClock(datetime(2024, 5, 20, 18, 0, tzinfo=UTC)))
    assert evaluator.evaluate("today()", {}) == date(2024, 5, 21)
    assert evaluator.evaluate('days_between(parse_date("2024-05-20T18:00:00+00:00"), date(2024, 5, 22))', {}) == 1
