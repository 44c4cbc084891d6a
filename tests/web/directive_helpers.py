"""Moves of a directive's life for the web tests: import the Lạng Sơn seed, act as a role through
the engine's task API, attach a hand-made .docx to a directive."""
from __future__ import annotations

import io
from pathlib import Path

from docx import Document

from engine.directives.life import import_directive
from engine.documents import DocumentStore
from engine.kernel.accounts import Actor
from web.seed import DemoUser, ensure_demo_users

LANGSON = Path(__file__).resolve().parents[2] / "workflows" / "directives" / "langson-2024-ct-ubnd.yaml"
ISSUER = "LS.UBND"

# Accounts of these tests (created on demand, like helpers.ensure_user).
USERS = {u.username: u for u in (
    DemoUser("truongphong", "Phạm Văn Dũng", ("unit_head",)),
    DemoUser("chuyenvien", "Nguyễn Văn An", ("clerk",)),
    DemoUser("donvi", "Đỗ Văn Hùng", ("body_officer",), "LS.SGDDT"),
    DemoUser("ngoai", "Người ngoài", ("clerk",), "CT.TU"),
    DemoUser("lanhdao", "Trần Thị Bình", ("leader",)),
    DemoUser("admin", "Quản trị hệ thống", ("admin",), None),
)}


def user(engine, username: str) -> Actor:
    """The Actor of a test account, creating it if needed."""
    ensure_demo_users(engine, [USERS[username]])
    return engine.accounts.get(username)


def import_langson(engine) -> tuple[int, int]:
    """Import the Lạng Sơn seed directive as the clerk; (directive_id, instance_id)."""
    return import_directive(engine, LANGSON, actor=user(engine, "chuyenvien"))


def act(engine, username: str, element_id: str, data: dict):
    """Complete the ready `element_id` task of `username`; returns the TaskInfo that was completed."""
    actor = user(engine, username)
    for task in engine.inbox(actor):
        if task.element_id == element_id:
            engine.complete_task(task.id, actor, data)
            return task
    raise AssertionError(f"{username} has no ready {element_id}")


def ready_task(engine, username: str, element_id: str):
    """The ready `element_id` task in `username`'s inbox."""
    tasks = [t for t in engine.inbox(user(engine, username)) if t.element_id == element_id]
    assert tasks, f"{username} has no ready {element_id}"
    return tasks[0]


def drafted(engine) -> int:
    """A directive chosen (State route) and drafted once, so its draft .docx is stored; its id."""
    directive_id, _ = import_langson(engine)
    act(engine, "truongphong", "Task_choose", {"route": "state"})
    act(engine, "chuyenvien", "Task_draft", {"note": "Dự thảo lần 1."})
    return directive_id


def docx_with_text(*paragraphs: str) -> bytes:
    """A .docx holding these paragraphs."""
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def attach_document(engine, directive_id: int | None, content: bytes, kind: str = "directive_draft",
                    filename: str | None = None) -> int:
    """Store `content` as a new version of `kind` for the directive; its document id."""
    with engine.db.session(write=True) as s:
        doc = DocumentStore().save(s, kind=kind, content=content, directive_id=directive_id, actor="test",
                                   now=engine.clock.now(), filename=filename)
        s.flush()
        return doc.id
