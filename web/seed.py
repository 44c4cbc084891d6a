"""Demo data for `chithi seed` and the browser test: deploy the shipped workflows, load the directory
of bodies and the Party terms, create the demo accounts if missing, start one sample instance if none
is running and import the Lạng Sơn seed directive if there is no directive yet. Safe to run again."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.directives.life import directive_summary, import_directive, list_visible
from engine.directives.reference import load_reference_data
from engine.kernel.accounts import Actor
from engine.kernel.resources import workflows_dir

DEMO_PASSWORD = "chithi-demo"
DEMO_BODY = "LS.UBND"
SAMPLE_PROCESS = "sample_incoming"
SEED_DIRECTIVE = "langson-2024-ct-ubnd.yaml"  # in workflows/directives/
SEED_ACTOR = Actor("seed", "Dữ liệu mẫu", ("admin",), None)


@dataclass(frozen=True)
class DemoUser:
    """One demo account: login, full name, roles, body (đơn vị)."""

    username: str
    full_name: str
    roles: tuple[str, ...]
    body_code: str | None = DEMO_BODY


DEMO_USERS = (
    DemoUser("chuyenvien", "Nguyễn Văn An", ("clerk",)),
    DemoUser("lanhdao", "Trần Thị Bình", ("leader",)),
    DemoUser("vanthu", "Lê Thị Cúc", ("records_clerk",)),
    DemoUser("truongphong", "Phạm Văn Dũng", ("unit_head",)),
    DemoUser("vanphong", "Hoàng Thị Hà", ("office_reviewer",)),
    DemoUser("donvi", "Đỗ Văn Hùng", ("body_officer",), "LS.SGDDT"),
    DemoUser("admin", "Quản trị hệ thống", ("admin",), None),
)

SAMPLE_START: dict[str, Any] = {
    "business_key": "CV-DEN-2024-001",
    "data": {
        "subject": "Chỉ thị số 15/CT-TTg ngày 16/5/2024 về tổ chức Kỳ thi tốt nghiệp THPT năm 2024",
        "sender": "Văn phòng Chính phủ",
    },
}


@dataclass
class SeedReport:
    """What seeding did: definitions deployed, users created, the sample instance (new or existing)."""

    deployed: list[str] = field(default_factory=list)
    created_users: list[str] = field(default_factory=list)
    sample_instance_id: int | None = None
    sample_started: bool = False
    reference: dict = field(default_factory=dict)
    directive_id: int | None = None
    directive_imported: bool = False
    directive_tasks: list[tuple[str, str]] = field(default_factory=list)  # (task name, role)


def ensure_demo_users(eng, users=DEMO_USERS, password: str = DEMO_PASSWORD) -> list[str]:
    """Create the demo accounts that do not exist yet; returns the usernames created."""
    created = []
    for user in users:
        if eng.accounts.get(user.username) is None:
            eng.accounts.create_user(user.username, user.full_name, password, list(user.roles), user.body_code)
            created.append(user.username)
    return created


def ensure_sample_instance(eng) -> tuple[int, bool]:
    """The id of a running sample instance, starting one if none runs; (id, started_now)."""
    for instance in eng.list_instances(status="running", limit=1000):
        if instance.process_id == SAMPLE_PROCESS:
            return instance.id, False
    instance = eng.start_instance(
        SAMPLE_PROCESS,
        business_key=SAMPLE_START["business_key"],
        data=dict(SAMPLE_START["data"]),
        actor="seed",
        body_code=DEMO_BODY,
    )
    return instance.id, True


def ensure_seed_directive(eng, path: Path | None = None) -> tuple[int, bool]:
    """The id of the newest directive, importing the Lạng Sơn seed if there is none; (id, imported_now)."""
    existing = list_visible(eng, SEED_ACTOR, limit=1)
    if existing:
        return existing[0]["id"], False
    path = path or workflows_dir() / "directives" / SEED_DIRECTIVE
    directive_id, _instance_id = import_directive(eng, path, actor=SEED_ACTOR)
    if directive_id is None:
        raise ValueError(f"{path} is not a full directive description")
    return directive_id, True


def seed(eng, users=DEMO_USERS) -> SeedReport:
    """Deploy workflows/, load reference data, create missing demo users, ensure the sample instance
    and the seed directive."""
    report = SeedReport()
    report.deployed = [f"{info.process_id}" for info in eng.deploy_directory()]
    report.reference = load_reference_data(eng)
    report.created_users = ensure_demo_users(eng, users)
    report.sample_instance_id, report.sample_started = ensure_sample_instance(eng)
    report.directive_id, report.directive_imported = ensure_seed_directive(eng)
    instance = eng.get_instance(directive_summary(eng, report.directive_id)["instance_id"])
    report.directive_tasks = [(t.name, t.candidate_role or "") for t in instance.ready_tasks]
    return report
