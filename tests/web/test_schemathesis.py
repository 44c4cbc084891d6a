"""Issue 11: schemathesis fuzzes the app's own OpenAPI document (/api/openapi.json), as an
administrator and as a body officer: no 5xx, and every response matches the document.

A short run is part of `make test`; the long one (`-m soak`) tries many more examples. Every
operation of the document is driven through the app (WSGI), each with its own Hypothesis run."""
from __future__ import annotations

import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from .helpers import start_sample
from .test_api import JSON_POST, basic

# ignored_auth probes "the same request without credentials", but the credentials given here as
# headers travel with every probe; logins are tested for real in test_auth / test_api / test_sessions.
# positive_data_acceptance expects every schema-valid body to be accepted, but a string is not a BPMN
# model and a JSON object is not a valid form: the document says so in words (422), not in schema.
NOT_HERE = [schemathesis.checks.ignored_auth, schemathesis.checks.positive_data_acceptance]


def _fuzz(app, engine, username: str, examples: int) -> int:
    start_sample(engine)  # an instance and a task to find, so small ids are real ones
    headers = {**basic(engine, username), **JSON_POST}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=examples < 100, database=None)
        def check(case):
            nonlocal sent
            sent += 1
            case.call_and_validate(headers=headers, excluded_checks=NOT_HERE)

        check()
    return sent


@pytest.mark.parametrize("username", ["admin", "chuyenvien"])
def test_the_api_matches_its_document_and_never_answers_5xx(app, engine, username):
    started = time.perf_counter()
    sent = _fuzz(app, engine, username, examples=8)
    print(f"schemathesis as {username}: {sent} requests in {time.perf_counter() - started:.1f}s")
    assert sent > 50


@pytest.mark.soak
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("username", ["admin", "chuyenvien"])
def test_the_api_under_a_long_fuzz(app, engine, username):
    started = time.perf_counter()
    sent = _fuzz(app, engine, username, examples=int(os.environ.get("FUZZ_EXAMPLES", "200")))
    print(f"schemathesis (long) as {username}: {sent} requests in {time.perf_counter() - started:.1f}s")
