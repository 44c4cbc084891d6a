"""Local accounts: argon2-hashed passwords, roles, and the body a user works for."""
from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update

from .clock import Clock
from .db import Database
from .errors import FieldProblem, FormError, PermissionDenied
from .models import User

ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person (or "system"/"scheduler") with roles and the body they belong to."""

    username: str
    full_name: str = ""
    roles: tuple[str, ...] = ()
    body_code: str | None = None

    def has_role(self, role: str | None) -> bool:
        return role is None or role in self.roles or ADMIN_ROLE in self.roles

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles


def require_admin(actor: Actor, what: str) -> None:
    """PermissionDenied unless `actor` administers the system; `what` names the refused action."""
    if not actor.is_admin:
        raise PermissionDenied(f"Chỉ quản trị viên được {what}")


def cheap_hasher() -> PasswordHasher:
    """Argon2 with minimal cost, for test suites only (real accounts use the library defaults)."""
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


SYSTEM = Actor("system", "Hệ thống", (ADMIN_ROLE,))
SCHEDULER = Actor("scheduler", "Bộ hẹn giờ", (ADMIN_ROLE,))


def _actor(user: User) -> Actor:
    return Actor(user.username, user.full_name, tuple(user.role_list), user.body_code)


class Accounts:
    """Create users and check passwords; one instance per engine."""

    def __init__(self, db: Database, clock: Clock, hasher: PasswordHasher | None = None):
        self.db = db
        self.clock = clock
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    @property
    def _dummy_hash(self) -> str:
        """A hash to verify against for unknown users, so a miss costs as much as a hit."""
        if self._dummy is None:
            self._dummy = str(self._hasher.hash("not-a-real-password"))
        return self._dummy

    def create_user(self, username: str, full_name: str, password: str, roles: list[str],
                    body_code: str | None = None) -> Actor:
        """Create a local account; refuses a taken username or a password shorter than 8 characters."""
        problems = []
        if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
            problems.append(FieldProblem("username", "Tên đăng nhập chỉ gồm chữ, số, '.', '_' hoặc '-'"))
        if len(password) < 8:
            problems.append(FieldProblem("password", "Mật khẩu phải có ít nhất 8 ký tự"))
        if problems:
            raise FormError(problems)
        with self.db.session(write=True) as s:
            if s.scalar(select(User.id).where(User.username == username)) is not None:
                raise FormError([FieldProblem("username", f"Tên đăng nhập '{username}' đã có")])
            user = User(username=username, full_name=full_name, password_hash=self._hasher.hash(password),
                        body_code=body_code, roles=",".join(roles), active=True, created_at=self.clock.now())
            s.add(user)
            return _actor(user)

    def authenticate(self, username: str, password: str) -> Actor | None:
        """The actor if the password matches an active account, else None (same cost either way)."""
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.username == username))
        stored = user.password_hash if user is not None and user.active else self._dummy_hash
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or not user.active:
            return None
        if self._hasher.check_needs_rehash(user.password_hash):
            with self.db.session(write=True) as s:
                s.execute(update(User).where(User.id == user.id).values(password_hash=self._hasher.hash(password)))
        return _actor(user)

    def get(self, username: str) -> Actor | None:
        """The active actor with this username, or None."""
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
            return _actor(user) if user else None

    def exists(self, username: str) -> bool:
        with self.db.session() as s:
            return s.scalar(select(User.id).where(User.username == username)) is not None
