"""Read directive description files (YAML or JSON), validate them, and build a Directive.

Validation is the JSON Schema in `schema.json` (Draft 2020-12) plus a few cross-field checks the
schema cannot express. Every problem is reported at once as a FormError whose fields are JSON paths
("$.sections[1].items[0].label") with a message saying what to fix.
"""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..kernel.errors import FieldProblem, FormError
from .codec import cycle_from_dict, directive_from_dict
from .directive import Directive
from .periods import MAX_PERIODS, count_periods

SCHEMA_PATH = Path(__file__).with_name("schema.json")


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _json_path(parts) -> str:
    path = "$"
    for p in parts:
        path += f"[{p}]" if isinstance(p, int) else f".{p}"
    return path


def _deepest(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf, the branch that got furthest explains the problem best."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        non_null = [e for e in error.context if not (e.validator == "type" and e.validator_value == "null")]
        pool = non_null or list(error.context)
        return _deepest(max(pool, key=lambda e: len(e.absolute_path)))
    return error


def _message(error: ValidationError) -> str:
    v, value = error.validator, error.validator_value
    if v == "required":
        missing = [k for k in value if k not in (error.instance or {})]
        return f"thiếu trường bắt buộc {', '.join(missing)} (required field missing)"
    if v == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"trường không được phép: {', '.join(extra)} (unknown field; check the spelling in FORMAT.md)"
    if v == "type":
        return f"sai kiểu dữ liệu: cần {value}, nhận {type(error.instance).__name__} (expected {value})"
    if v == "enum":
        return f"giá trị {error.instance!r} không hợp lệ; chọn một trong {value} (must be one of these)"
    if v == "format" and value == "date":
        return f"ngày {error.instance!r} không hợp lệ; viết dạng YYYY-MM-DD (ISO date)"
    if v == "minLength" or (v == "pattern" and value == "\\S"):
        return "không được để trống (must not be empty)"
    if v == "pattern":
        return f"giá trị {error.instance!r} sai định dạng (must match {value})"
    if v in ("minimum", "maximum"):
        return f"giá trị {error.instance!r} ngoài khoảng cho phép ({v} {value})"
    return error.message


def _plain_dates(value: Any) -> Any:
    """YAML turns 2024-05-16 into a date; the schema speaks of ISO strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_dates(v) for v in value]
    return value


def _cross_checks(data: dict) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    refs: set[str] = set()
    for s in data.get("sections") or []:
        refs.add(s["label"])
        for i in s.get("items") or []:
            refs.update({i["label"], s["label"] + i["label"]})
    for n, a in enumerate(data.get("assignments") or []):
        ref = a.get("section_ref")
        if ref and ref not in refs:
            problems.append(FieldProblem(
                f"$.assignments[{n}].section_ref",
                f"không có mục {ref!r} trong văn bản; dùng nhãn mục như {sorted(refs)[:6]} (unknown section label)",
            ))
    for n, a in enumerate(data.get("assignments") or []):
        for k, task in enumerate(a.get("tasks") or []):
            if task[:1].islower():
                problems.append(FieldProblem(
                    f"$.assignments[{n}].tasks[{k}]",
                    f"nhiệm vụ {task!r} bắt đầu bằng chữ thường: có lẽ một câu đã bị tách ở dấu phẩy "
                    "(trong YAML, [a, b] là hai nhiệm vụ); đặt cả câu trong dấu ngoặc kép "
                    "(a task starts lower-case: one sentence split at a comma? quote it)",
                ))
    for n, a in enumerate(data.get("assignments") or []):
        problems += _cycle_problems(a.get("cycle"), f"$.assignments[{n}].cycle")
    recipients = data.get("recipients") or []
    for n, r in enumerate(recipients):
        if r.get("is_archive") and n != len(recipients) - 1:
            problems.append(FieldProblem(
                f"$.recipients[{n}].is_archive",
                "dòng Lưu phải là dòng cuối của Nơi nhận (the archive line must be last)",
            ))
    return problems


def _cycle_problems(data: dict | None, path: str) -> list[FieldProblem]:
    """What makes a reporting cycle impossible to plan: missing dates for its frequency, an end
    before its start, more reports than can be followed."""
    if not data:
        return []
    cycle = cycle_from_dict(data)
    assert cycle is not None
    needs = {"days": ("every_days", "start", "until"), "weekly": ("start", "until"),
             "monthly": ("start", "until"), "quarterly": ("start", "until"), "once": ("final_due",)}[cycle.kind]
    missing = [key for key in needs if getattr(cycle, key) is None]
    if missing:
        return [FieldProblem(f"{path}.{key}", f"chu kỳ '{cycle.kind}' cần {key} (required for this frequency)")
                for key in missing]
    if cycle.start and cycle.until and cycle.until < cycle.start:
        return [FieldProblem(f"{path}.until", "ngày kết thúc trước ngày bắt đầu (until is before start)")]
    if count_periods(cycle) > MAX_PERIODS:
        return [FieldProblem(path, f"chu kỳ này đòi quá {MAX_PERIODS:,} kỳ báo cáo; hãy giãn chu kỳ hoặc rút ngắn "
                                   f"thời gian (more than {MAX_PERIODS:,} reports)")]
    return []


def validate_directive_data(data: Any) -> dict:
    """Check a parsed description against the schema; returns it with dates as ISO strings."""
    if not isinstance(data, dict):
        raise FormError([FieldProblem("$", "mô tả chỉ thị phải là một đối tượng (a mapping at the top level)")])
    data = _plain_dates(data)
    problems = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        best = _deepest(error)
        problems.append(FieldProblem(_json_path(best.absolute_path), _message(best)))
    if not problems:
        problems = _cross_checks(data)
    if problems:
        raise FormError(problems)
    return data


def load_directive_text(text: str, fmt: str = "yaml") -> Directive:
    """Parse a YAML or JSON description, validate it and build the Directive."""
    try:
        if fmt == "json":
            data = json.loads(text)
        elif fmt in ("yaml", "yml"):
            data = yaml.safe_load(text)
        else:
            raise FormError([FieldProblem("$", f"định dạng {fmt!r} không hỗ trợ; dùng yaml hoặc json")])
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        line = getattr(exc, "lineno", None) if line is None else line + 1
        raise FormError([FieldProblem("$", f"không đọc được {fmt} (dòng {line}): {exc}")]) from exc
    return directive_from_dict(validate_directive_data(data))


def load_directive_file(path: str | Path) -> Directive:
    """Load a `.yaml`/`.yml` or `.json` description file into a Directive."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("yaml", "yml", "json"):
        raise FormError([FieldProblem("$", f"{path.name}: cần tệp .yaml, .yml hoặc .json")])
    return load_directive_text(path.read_text(encoding="utf-8"), "json" if suffix == "json" else "yaml")
