"""Small helpers shared by the web tests."""
from __future__ import annotations

from web.seed import DEMO_USERS, DemoUser, ensure_demo_users, ensure_sample_instance

# Accounts the web tests log in with. Each argon2 hash costs ~0.2 s on the 2-core machine, so a
# test creates only the accounts it uses (ensure_user), not the whole demo set.
TEST_USERS = {u.username: u for u in DEMO_USERS if u.username in {"chuyenvien", "lanhdao", "admin"}}
TEST_USERS["chuyenvien2"] = DemoUser("chuyenvien2", "Vũ Thị Lan", ("clerk",), "LS.SGDDT")

SAMPLE_VALUES = {"text": "Đề nghị giao Sở GD&ĐT chủ trì", "textarea": "Kính trình lãnh đạo xem xét.",
                 "date": "2024-05-27", "number": "3", "bool": "on"}


def ensure_user(engine, username: str):
    """Create the test account `username` if it does not exist yet; returns its Actor."""
    if username in TEST_USERS:
        ensure_demo_users(engine, [TEST_USERS[username]])
    return engine.accounts.get(username)


def form_strings(fields) -> dict[str, str]:
    """Valid HTML form strings for every field (first option of a choice)."""
    return {f.name: (f.options[0][0] if f.type == "choice" else SAMPLE_VALUES[f.type]) for f in fields}


def start_sample(engine) -> int:
    """Start (or find) the running sample instance; returns its id."""
    instance_id, _started = ensure_sample_instance(engine)
    return instance_id


def only_task(engine, actor_name: str):
    """The single ready task in `actor_name`'s inbox."""
    tasks = engine.inbox(ensure_user(engine, actor_name))
    assert len(tasks) == 1, [t.name for t in tasks]
    return tasks[0]
