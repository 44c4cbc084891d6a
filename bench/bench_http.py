"""The production layout under load: gunicorn (4 workers) + a separate scheduler process + PostgreSQL,
50 simulated officers on loopback logging in, opening their inbox and completing the tasks of the
shipped directive models through the pages, a fixed number of tasks in all.

Each simulated person is the officer of one assigned body; DIRECTIVES directives are issued to the same
50 bodies, so each has an acknowledgement and a report per directive. The client is a bounded one of
our own (http.client, one keep-alive connection per person, forms filled from the page as a person would).
Timers due during the run (instances of a small model) measure the scheduler's lag under that load.
"""
from __future__ import annotations

import copy
import html.parser
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import yaml

from engine.app import build_engine
from engine.directives.demo import Desk
from engine.kernel.clock import SystemClock

from .bench_directives import issue, with_bodies
from .bench_engine import NS
from .common import Figure, fresh_pg_database, percentile

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "workflows" / "directives" / "langson-2024-ct-ubnd.yaml"
PEOPLE = 50
DIRECTIVES = 12  # 50 officers × 12 directives × 2 tasks: 1,200 completions in all
WORKERS = 4
THREADS = 1  # per worker: `chithi serve`'s default, the production layout behind a proxy
TIMER_WINDOW_S = 60  # the timers fall due over this many seconds from the start of the load
PASSWORD = "mat-khau-tai-thu"
TIMERS = 200  # due, spread over the run

LATER = (f'<bpmn:definitions {NS} id="DL" targetNamespace="t"><bpmn:process id="later" isExecutable="true">'
         '<bpmn:laneSet id="L"><bpmn:lane id="L1" name="Chuyên viên"><bpmn:flowNodeRef>S</bpmn:flowNodeRef>'
         '<bpmn:flowNodeRef>W</bpmn:flowNodeRef><bpmn:flowNodeRef>A</bpmn:flowNodeRef>'
         '<bpmn:flowNodeRef>E</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet><bpmn:startEvent id="S"/>'
         '<bpmn:intermediateCatchEvent id="W"><bpmn:timerEventDefinition><bpmn:timeDuration>wait'
         '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
         '<bpmn:userTask id="A" name="Sau hẹn giờ"/><bpmn:endEvent id="E"/>'
         '<bpmn:sequenceFlow id="F1" sourceRef="S" targetRef="W"/><bpmn:sequenceFlow id="F2" sourceRef="W" '
         'targetRef="A"/><bpmn:sequenceFlow id="F3" sourceRef="A" targetRef="E"/></bpmn:process>'
         '</bpmn:definitions>')


# ---------------------------------------------------------------- the data set


def _directive(bodies: list[str], today: date) -> dict:
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    template = data["assignments"][1]
    cycle = {"frequency": "weekly", "start": (today + timedelta(days=7)).isoformat(),
             "until": (today + timedelta(days=13)).isoformat(),
             "final_due": (today + timedelta(days=20)).isoformat()}
    data["assignments"] = [dict(copy.deepcopy(template), body_code=code, body_name=f"Đơn vị tải {i}",
                                cycle=cycle, deadline=None) for i, code in enumerate(bodies)]
    # issued today: the 2024 districts of the seed's Nơi nhận no longer exist (two-level government)
    data["recipients"] = [r for r in data["recipients"] if r.get("body_code") != "LS.UBND-HUYEN"]
    return data


def prepare(url: str) -> list[str]:
    """Issue DIRECTIVES directives to PEOPLE bodies and create one officer account per body."""
    engine = build_engine(url, clock=SystemClock(), migrate=True)
    try:
        bodies = [f"LOAD.{i:03d}" for i in range(PEOPLE)]
        with_bodies(engine, bodies, [f"Đơn vị tải {i}" for i in range(PEOPLE)])
        engine.deploy_xml(LATER)
        desk = Desk(engine, engine.clock)
        today = engine.clock.now().date()
        for n in range(DIRECTIVES):
            data = _directive(bodies, today)
            data["subject"] = f"{data['subject']} (lần {n + 1})"  # a repeated import is refused
            issue(engine, desk, data, today.isoformat())
        users = []
        for i, body in enumerate(bodies):
            username = f"canbo{i:03d}"
            engine.accounts.create_user(username, f"Cán bộ đơn vị {i}", PASSWORD, ["body_officer"], body)
            users.append(username)
        return users
    finally:
        engine.shutdown()


def start_timers(url: str, window_s: float) -> None:
    """TIMERS instances whose timers fall due evenly over the next `window_s` seconds."""
    engine = build_engine(url, clock=SystemClock())
    try:
        for i in range(TIMERS):
            wait = 5 + window_s * i / TIMERS
            engine.start_instance("later", data={"wait": f"PT{round(wait)}S"})
    finally:
        engine.shutdown()


# ---------------------------------------------------------------- a simulated person


class _Form(html.parser.HTMLParser):
    """The task form of a page, filled as a person would (first choice, some text, today as dd/mm/yyyy)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.in_form = False
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "form" and attrs.get("id") == "task-form":
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name", "")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind == "hidden":
                self.values[name] = attrs.get("value", "")
            elif kind == "radio":
                self.values.setdefault(name, attrs.get("value", ""))
            elif kind == "date" or "date-input" in attrs.get("class", "").split():
                self.values[name] = date.today().strftime("%d/%m/%Y")
            elif kind == "text":
                self.values[name] = "1" if attrs.get("inputmode") == "decimal" else "Đã triển khai."
        elif tag == "textarea" and name:
            self.values[name] = "Đơn vị đã triển khai đầy đủ các nhiệm vụ được giao."
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and attrs.get("value") and self.select not in self.values:
            self.values[self.select] = attrs["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.in_form = False


class Person:
    """One officer's browser: a keep-alive connection, the session cookie, timed requests."""

    def __init__(self, port: int, username: str, record) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.username, self.record, self.cookie = username, record, ""
        self.refusals: list[tuple[str, int, str]] = []

    def request(self, method: str, path: str, kind: str, form: dict | None = None) -> tuple[int, str, str]:
        body = urlencode(form).encode() if form is not None else None
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        t0 = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            self.record(kind, time.perf_counter() - t0, 599)
            return 599, "", str(exc)
        self.record(kind, time.perf_counter() - t0, response.status)
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", text

    def log_in(self) -> None:
        _, _, page = self.request("GET", "/login", "page_login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        status, _, _ = self.request("POST", "/login", "login", {
            "username": self.username, "password": PASSWORD, "csrf_token": token.group(1) if token else ""})
        if status != 302:
            raise RuntimeError(f"{self.username} could not log in ({status})")

    def work(self, budget: int, directive_pages: list[int]) -> int:
        """Complete tasks from the inbox until it is empty or `budget` are done; returns how many.
        A task whose completion is refused is a failure of the run (counted, not retried)."""
        done, refused = 0, set()
        while done < budget:
            _, _, inbox = self.request("GET", "/", "page_inbox")
            task_ids = [t for t in re.findall(r'href="/tasks/(\d+)"', inbox) if t not in refused]
            if not task_ids:
                break
            task_path = f"/tasks/{task_ids[0]}"
            _, _, page = self.request("GET", task_path, "page_task")
            form = _Form()
            form.feed(page)
            status, _, answer = self.request("POST", task_path, "complete", form.values)
            if status == 302:
                done += 1
            else:
                refused.add(task_ids[0])
                self.refusals.append((task_path, status, _refusal_text(answer)))
            if directive_pages and done % 5 == 0:
                directive = directive_pages[done % len(directive_pages)]
                self.request("GET", f"/directives/{directive}", "page_directive")
                self.request("GET", f"/directives/{directive}/board", "page_board")
        return done


def _refusal_text(page: str) -> str:
    """The error messages of a page that refused a form (what a person would read)."""
    found = re.findall(r'class="[^"]*(?:error|flash)[^"]*"[^>]*>([^<]{1,200})', page)
    return "; ".join(m.strip() for m in found if m.strip())[:300] or page[:200]


# ---------------------------------------------------------------- the run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def measure(url: str) -> dict:
    """Prepare the data, start gunicorn and a scheduler, run PEOPLE people in parallel, measure."""
    users = prepare(url)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-http", "PYTHONUNBUFFERED": "1"}
    port = _free_port()
    # the processes' logs go to files (bench/results/http-*.log): a pipe nobody reads fills up and
    # blocks gunicorn's workers until the master kills them
    logs = Path(__file__).resolve().parent / "results"
    logs.mkdir(exist_ok=True)
    server_log, scheduler_log = open(logs / "http-server.log", "wb"), open(logs / "http-scheduler.log", "wb")  # noqa: SIM115
    server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--workers", str(WORKERS),
                               "--threads", str(THREADS), "--port", str(port)], env=env, stdout=server_log, stderr=subprocess.STDOUT)
    scheduler = subprocess.Popen([sys.executable, "-m", "web.cli", "scheduler"], env=env,
                                 stdout=scheduler_log, stderr=subprocess.STDOUT)
    samples: dict[str, list[float]] = defaultdict(list)
    errors: list[tuple[str, int]] = []
    lock = threading.Lock()

    def record(kind: str, seconds: float, status: int) -> None:
        with lock:
            samples[kind].append(seconds)
            if status >= 400:
                errors.append((kind, status))

    try:
        _wait_for(port)
        start_timers(url, window_s=TIMER_WINDOW_S)
        timer_start = datetime.now(UTC)
        people = [Person(port, username, record) for username in users]
        completed = [0] * len(people)

        def live(i: int) -> None:
            people[i].log_in()
            completed[i] = people[i].work(budget=2 * DIRECTIVES, directive_pages=list(range(1, DIRECTIVES + 1)))

        threads = [threading.Thread(target=live, args=(i,)) for i in range(len(people))]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        workers = _children(server.pid)
        rss = max((_rss_mb(pid) for pid in workers), default=0.0)
        pdf = _pdf_requests(Person(port, users[0], record), url)
        time.sleep(max(0.0, TIMER_WINDOW_S + 10 - (datetime.now(UTC) - timer_start).total_seconds()))  # last timers fall due
        lags = _timer_lags(url)
    finally:
        for proc in (server, scheduler):
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        server_log.close()
        scheduler_log.close()
    timeouts = (logs / "http-server.log").read_text(errors="replace").count("WORKER TIMEOUT")
    pages = [s for kind in ("page_inbox", "page_task", "page_directive", "page_board") for s in samples[kind]]
    requests = [s for kind, values in samples.items() if not kind.startswith("pdf_") for s in values]
    refusals = [r for person in people for r in person.refusals]
    failed = len(errors) + sum(1 for _, status, _ in refusals if status < 400)  # a 4xx is in errors already
    return {"people": len(users), "directives": DIRECTIVES, "workers": WORKERS, "elapsed_s": elapsed,
            "completions": sum(completed), "completions_per_s": sum(completed) / elapsed,
            "requests": len(requests), "errors": failed, "error_kinds": sorted(set(errors))[:20],
            "refused_completions": refusals[:20],
            "p95_ms": percentile(requests, 0.95) * 1e3,
            "by_kind_p95_ms": {k: percentile(v, 0.95) * 1e3 for k, v in samples.items() if v},
            "by_kind_median_ms": {k: statistics.median(v) * 1e3 for k, v in samples.items() if v},
            "page_p95_ms": percentile(pages, 0.95) * 1e3, "worker_rss_mb": rss,
            "timers": len(lags), "timer_lag_p95_s": percentile(lags, 0.95) if lags else float("inf"),
            "timer_lag_max_s": max(lags, default=float("inf")), "worker_timeouts": timeouts, **pdf}


PDF_REQUESTS = 50


def _pdf_requests(person: Person, url: str) -> dict:
    """An officer asks for the issued directive's PDF: the scheduler converts it once in the
    background; then PDF_REQUESTS more requests are timed (each served from the stored PDF)."""
    from sqlalchemy import text

    engine = build_engine(url)
    try:
        with engine.db.session() as s:
            document_id = s.execute(text("SELECT min(id) FROM generated_document WHERE kind = 'directive_final'")
                                    ).scalar_one()
    finally:
        engine.shutdown()
    person.log_in()
    path = f"/documents/{document_id}/pdf"
    t0, status = time.perf_counter(), 0
    while time.perf_counter() - t0 < 120:
        status, _, _ = person.request("GET", path, "pdf_first")
        if status != 202:
            break
        time.sleep(0.5)
    first_s = time.perf_counter() - t0
    if status != 200:
        raise RuntimeError(f"the PDF of document {document_id} was not made ({status})")
    samples = []
    for _ in range(PDF_REQUESTS):
        started = time.perf_counter()
        status, _, _ = person.request("GET", path, "pdf_again")
        samples.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"asking again for the PDF answered {status}")
    return {"pdf_first_s": first_s, "pdf_request_p95_ms": percentile(samples, 0.95) * 1e3,
            "pdf_request_median_ms": statistics.median(samples) * 1e3}


def _wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _timer_lags(url: str) -> list[float]:
    """Seconds from each timer's due time to its firing (audit log of the scheduler)."""
    from sqlalchemy import text

    engine = build_engine(url)
    try:
        with engine.db.session() as s:
            rows = s.execute(text("SELECT payload, at FROM audit_event WHERE action = 'timer_fired'")).all()
    finally:
        engine.shutdown()
    lags = []
    for payload, at in rows:
        due = datetime.fromisoformat((payload if isinstance(payload, dict) else {})["due"])
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        lags.append(max(0.0, (at - due).total_seconds()))
    return lags


def run(pg: str) -> tuple[dict[str, Figure], dict]:
    """The HTTP figures of the production layout on PostgreSQL."""
    details = measure(fresh_pg_database(pg, "chithi_bench_http"))
    figures = {
        "http_task_completions_per_s": Figure(details["completions_per_s"], 100, "/s", "higher"),
        "http_p95_ms": Figure(details["p95_ms"], 250, "ms"),
        "http_errors": Figure(details["errors"], 0, "requests"),
        "http_page_p95_ms": Figure(details["page_p95_ms"], 150, "ms"),
        "timer_lag_p95_s": Figure(details["timer_lag_p95_s"], 1, "s"),
        "worker_rss_mb": Figure(details["worker_rss_mb"], 300, "MB"),
        "pdf_request_p95_ms": Figure(details["pdf_request_p95_ms"], 50, "ms"),
    }
    return figures, details
