"""Local accounts: argon2-hashed passwords, roles, the body a user works for, and the sessions that
log them in.

A session is a row (`UserSession`) holding the hash of a random token the browser keeps; every
request is checked against it, so a session ends on the server: at logout, when the password is
changed or reset, when the account is disabled, and when it expires. The accounts' whole lifecycle
(create, edit, disable, reset and change passwords) is here, audited; an administrator can never
remove the last active administrator.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from .clock import Clock
from .errors import FieldProblem, FormError, InvalidState, NotFound, PermissionDenied
from .journal import Journal
from .models import User, UserSession
from .throttle import Gate

ADMIN_ROLE = "admin"
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # hashing is the costly part: a password is bounded before it is hashed
MAX_USERNAME = 100
HASHING_SLOTS = 2  # passwords hashed at once (argon2 takes 64 MiB and most of a core each)
HASHING_WAIT = 5.0  # seconds a login waits for a slot before it is told to try again
MAX_NAME = 200
KEEP_ENDED_SESSIONS = timedelta(days=30)  # ended sessions stay this long, then are pruned at a login

BodyName = Callable[[Session, str], "str | None"]


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


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Account:
    """A local account as the users page shows it (never the password hash)."""

    id: int
    username: str
    full_name: str
    roles: tuple[str, ...]
    body_code: str | None
    title: str | None
    signer: bool
    active: bool
    created_at: datetime
    open_sessions: int = 0

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles


@dataclass
class AccountChanges:
    """What an administrator may change on an account; None leaves a field as it is."""

    full_name: str | None = None
    roles: list[str] | None = None
    body_code: str | None = None
    clear_body: bool = False  # body_code None means "unchanged"; this removes the body
    title: str | None = None
    signer: bool | None = None


class _GatedHasher:
    """A password hasher that hashes at most `slots` passwords at once; a caller waits up to `wait`
    seconds for a turn, then is refused with Busy (memory stays bounded under a flood of logins)."""

    def __init__(self, hasher: PasswordHasher, slots: int, wait: float):
        self._hasher = hasher
        self._gate = Gate(slots, wait, "Hệ thống đang bận kiểm tra mật khẩu; vui lòng thử lại sau giây lát "
                                       "(too many password checks at once)")

    def hash(self, password: str) -> str:
        with self._gate.turn():
            return str(self._hasher.hash(password))

    def verify(self, stored: str, password: str) -> bool:
        with self._gate.turn():
            return bool(self._hasher.verify(stored, password))

    def check_needs_rehash(self, stored: str) -> bool:
        return bool(self._hasher.check_needs_rehash(stored))


class Accounts:
    """Accounts, passwords and sessions; one instance per engine."""

    def __init__(self, journal: Journal, hasher: PasswordHasher | None = None, *,
                 known_roles: Mapping[str, str] | None = None, body_name: BodyName | None = None,
                 hashing_slots: int = HASHING_SLOTS, hashing_wait: float = HASHING_WAIT):
        self.journal = journal
        self.db = journal.db
        self.clock: Clock = journal.clock
        self.known_roles = dict(known_roles or {})
        self.body_name = body_name
        self._hasher = _GatedHasher(hasher or PasswordHasher(), hashing_slots, hashing_wait)
        self._dummy: str | None = None

    @property
    def _dummy_hash(self) -> str:
        """A hash to verify against for unknown users, so a miss costs as much as a hit."""
        if self._dummy is None:
            self._dummy = str(self._hasher.hash("not-a-real-password"))
        return self._dummy

    # ------------------------------------------------------------------ checks of what is typed

    def _check_password(self, password: str, name: str = "password") -> list[FieldProblem]:
        if len(password) < MIN_PASSWORD:
            return [FieldProblem(name, f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự")]
        if len(password) > MAX_PASSWORD:
            return [FieldProblem(name, f"Mật khẩu dài quá {MAX_PASSWORD} ký tự")]
        return []

    def _check_roles(self, roles: list[str]) -> list[FieldProblem]:
        unknown = [r for r in roles if self.known_roles and r not in self.known_roles]
        if unknown:
            return [FieldProblem("roles", f"Vai trò không có: {', '.join(unknown)}")]
        if not roles:
            return [FieldProblem("roles", "Chọn ít nhất một vai trò")]
        return []

    def _check_body(self, s: Session, body_code: str | None) -> list[FieldProblem]:
        if body_code and self.body_name is not None and self.body_name(s, body_code) is None:
            return [FieldProblem("body_code", f"Không có cơ quan, đơn vị mã {body_code} trong danh mục")]
        return []

    @staticmethod
    def _check_name(full_name: str) -> list[FieldProblem]:
        if not full_name.strip():
            return [FieldProblem("full_name", "Nhập họ và tên")]
        if len(full_name) > MAX_NAME:
            return [FieldProblem("full_name", f"Họ và tên dài quá {MAX_NAME} ký tự")]
        return []

    # ------------------------------------------------------------------ creating and reading

    def create_user(self, username: str, full_name: str, password: str, roles: list[str],
                    body_code: str | None = None, *, title: str | None = None, signer: bool = False,
                    actor: Actor | None = None, confirm: str | None = None) -> Actor:
        """Create a local account (by an administrator when `actor` is given, the body checked against
        the directory; else by the system: CLI, seed); every problem of the input is reported at once."""
        if actor is not None:
            require_admin(actor, "tạo tài khoản")
        username = username.strip()
        problems = []
        if not username or len(username) > MAX_USERNAME or \
                not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
            problems.append(FieldProblem("username", "Tên đăng nhập chỉ gồm chữ, số, '.', '_' hoặc '-' "
                                                     f"(tối đa {MAX_USERNAME} ký tự)"))
        problems += self._check_name(full_name) + self._check_password(password) + self._check_roles(roles)
        if confirm is not None and confirm != password:
            problems.append(FieldProblem("confirm_password", "Hai lần nhập mật khẩu không giống nhau"))
        with self.journal.transaction() as s:
            if actor is not None:  # an administrator's form; the CLI and the seed name bodies as they are
                problems += self._check_body(s, body_code)
            if username and s.scalar(select(User.id).where(User.username == username)) is not None:
                problems.append(FieldProblem("username", f"Tên đăng nhập '{username}' đã có"))
            if problems:
                raise FormError(problems)
            user = User(username=username, full_name=full_name.strip(), password_hash=self._hasher.hash(password),
                        body_code=body_code or None, roles=",".join(roles), active=True,
                        created_at=self.clock.now(), title=(title or "").strip() or None, signer=signer)
            s.add(user)
            s.flush()
            self.journal.record(s, actor.username if actor else "system", "user_created", None,
                                {"username": username, "roles": roles, "body_code": body_code,
                                 "title": user.title, "signer": signer})
            return _actor(user)

    def get(self, username: str) -> Actor | None:
        """The active actor with this username, or None."""
        with self.db.session() as s:
            user = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
            return _actor(user) if user else None

    def exists(self, username: str) -> bool:
        with self.db.session() as s:
            return s.scalar(select(User.id).where(User.username == username)) is not None

    def full_names(self, usernames: set[str]) -> dict[str, str]:
        """Username → full name of the accounts among `usernames` (for timelines and lists)."""
        if not usernames:
            return {}
        with self.db.session() as s:
            rows = s.execute(select(User.username, User.full_name).where(User.username.in_(sorted(usernames))))
            return {u: n for u, n in rows}

    def list_accounts(self, actor: Actor, *, search: str = "", role: str | None = None,
                      active: bool | None = None) -> list[Account]:
        """Every account matching the filters, by username (administrators)."""
        require_admin(actor, "xem danh sách tài khoản")
        now = self.clock.now()
        with self.db.session() as s:
            open_count = (select(func.count(UserSession.id))
                          .where(UserSession.user_id == User.id, UserSession.revoked_at.is_(None),
                                 UserSession.expires_at > now).scalar_subquery())
            query = select(User, open_count).order_by(User.username)
            needle = search.strip().lower()[:100]
            if needle:
                escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                query = query.where(or_(func.lower(User.username).like(f"%{escaped}%", escape="\\"),
                                        func.lower(User.full_name).like(f"%{escaped}%", escape="\\")))
            if active is not None:
                query = query.where(User.active.is_(active))
            out = [self._account(u, n) for u, n in s.execute(query)]
        return [a for a in out if role is None or role in a.roles]

    def account(self, actor: Actor, user_id: int) -> Account:
        """One account by id (administrators); NotFound for an unknown id."""
        require_admin(actor, "xem tài khoản")
        with self.db.session() as s:
            user = s.get(User, user_id)
            if user is None:
                raise NotFound(f"Không có tài khoản số {user_id}")
            return self._account(user, self._open_sessions(s, user.id))

    def _open_sessions(self, s: Session, user_id: int) -> int:
        return s.scalar(select(func.count(UserSession.id)).where(
            UserSession.user_id == user_id, UserSession.revoked_at.is_(None),
            UserSession.expires_at > self.clock.now())) or 0

    @staticmethod
    def _account(user: User, open_sessions: int | None) -> Account:
        return Account(user.id, user.username, user.full_name, tuple(user.role_list), user.body_code, user.title,
                       bool(user.signer), user.active, user.created_at, open_sessions or 0)

    # ------------------------------------------------------------------ passwords and sessions

    def authenticate(self, username: str, password: str) -> Actor | None:
        """The actor if the password matches an active account, else None (same cost either way)."""
        if len(password) > MAX_PASSWORD or len(username) > MAX_USERNAME:
            return None
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

    def start_session(self, username: str, lifetime: timedelta) -> str:
        """Open a session for an active account; returns the token the browser keeps (only its hash
        is stored). Ended sessions older than a month are pruned here, so the table stays small."""
        now = self.clock.now()
        token = secrets.token_urlsafe(32)
        with self.db.session(write=True) as s:
            user = s.scalar(select(User).where(User.username == username, User.active.is_(True)))
            if user is None:
                raise NotFound(f"Không có tài khoản đang hoạt động '{username}'")
            s.execute(delete(UserSession).where(
                UserSession.user_id == user.id,
                or_(UserSession.revoked_at < now - KEEP_ENDED_SESSIONS,
                    UserSession.expires_at < now - KEEP_ENDED_SESSIONS)))
            s.add(UserSession(token_hash=_token_hash(token), user_id=user.id, created_at=now,
                              expires_at=now + lifetime))
        return token

    def session_actor(self, token: str) -> Actor | None:
        """The actor of a live session (not ended, not expired, account active), else None."""
        if not token or len(token) > 200:
            return None
        with self.db.session() as s:
            user = s.scalar(select(User).join(UserSession, UserSession.user_id == User.id).where(
                UserSession.token_hash == _token_hash(token), UserSession.revoked_at.is_(None),
                UserSession.expires_at > self.clock.now(), User.active.is_(True)))
            return _actor(user) if user is not None else None

    def end_session(self, token: str, reason: str = "logout") -> None:
        """End one session (logout); a token that is unknown or already ended changes nothing."""
        if not token or len(token) > 200:
            return
        with self.db.session(write=True) as s:
            s.execute(update(UserSession).where(UserSession.token_hash == _token_hash(token),
                                                UserSession.revoked_at.is_(None))
                      .values(revoked_at=self.clock.now(), ended_by=reason))

    def _end_all(self, s: Session, user_id: int, reason: str) -> int:
        result = s.execute(update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                           .values(revoked_at=self.clock.now(), ended_by=reason))
        return int(getattr(result, "rowcount", 0) or 0)

    def change_own_password(self, username: str, current: str, new: str, confirm: str) -> None:
        """A user changes their own password: the current one must match, the new one twice the same.
        Every session of the account ends (the caller starts a fresh one for the browser in use)."""
        problems = self._check_password(new, "new_password")
        if new != confirm:
            problems.append(FieldProblem("confirm_password", "Hai lần nhập mật khẩu mới không giống nhau"))
        if new and new == current:
            problems.append(FieldProblem("new_password", "Mật khẩu mới phải khác mật khẩu đang dùng"))
        if self.authenticate(username, current) is None:
            problems.insert(0, FieldProblem("current_password", "Mật khẩu đang dùng không đúng"))
        if problems:
            raise FormError(problems)
        with self.journal.transaction() as s:
            user = self._user_by_name(s, username)
            user.password_hash = self._hasher.hash(new)
            ended = self._end_all(s, user.id, "password")
            self.journal.record(s, username, "password_changed", None, {"username": username, "sessions_ended": ended})

    def reset_password(self, actor: Actor, user_id: int, new: str, confirm: str) -> Account:
        """An administrator sets a new password for an account; its sessions end."""
        require_admin(actor, "đặt lại mật khẩu")
        problems = self._check_password(new, "new_password")
        if new != confirm:
            problems.append(FieldProblem("confirm_password", "Hai lần nhập mật khẩu mới không giống nhau"))
        with self.journal.transaction() as s:
            user = self._user_by_id(s, user_id)
            if problems:
                raise FormError(problems)
            user.password_hash = self._hasher.hash(new)
            ended = self._end_all(s, user.id, "password_reset")
            self.journal.record(s, actor.username, "password_reset", None,
                                {"username": user.username, "sessions_ended": ended})
            return self._account(user, 0)

    # ------------------------------------------------------------------ editing and disabling

    @staticmethod
    def _user_by_id(s: Session, user_id: int) -> User:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound(f"Không có tài khoản số {user_id}")
        return user

    @staticmethod
    def _user_by_name(s: Session, username: str) -> User:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"Không có tài khoản '{username}'")
        return user

    def _other_active_admins(self, s: Session, user: User) -> int:
        """Active administrators other than `user`, their rows locked (PostgreSQL) so two
        administrators cannot each remove the other at the same moment."""
        query = select(User).where(User.active.is_(True), User.id != user.id, User.roles.like(f"%{ADMIN_ROLE}%"))
        if self.db.dialect == "postgresql":
            query = query.with_for_update()
        return sum(1 for u in s.scalars(query) if ADMIN_ROLE in u.role_list)

    def update_user(self, actor: Actor, user_id: int, changes: AccountChanges) -> Account:
        """Change an account's name, roles, body, title or signer flag (administrators). Roles apply
        at the user's next request; the last active administrator keeps the admin role."""
        require_admin(actor, "sửa tài khoản")
        problems: list[FieldProblem] = []
        if changes.full_name is not None:
            problems += self._check_name(changes.full_name)
        if changes.roles is not None:
            problems += self._check_roles(changes.roles)
        with self.journal.transaction() as s:
            user = self._user_by_id(s, user_id)
            if changes.body_code:
                problems += self._check_body(s, changes.body_code)
            losing_admin = changes.roles is not None and user.active and ADMIN_ROLE in user.role_list \
                and ADMIN_ROLE not in changes.roles
            if losing_admin and self._other_active_admins(s, user) == 0:
                problems.append(FieldProblem("roles", "Đây là quản trị viên cuối cùng đang hoạt động: "
                                                      "không thể bỏ vai trò quản trị"))
            if problems:
                raise FormError(problems)
            before = self._snapshot(user)
            if changes.full_name is not None:
                user.full_name = changes.full_name.strip()
            if changes.roles is not None:
                user.roles = ",".join(changes.roles)
            if changes.clear_body:
                user.body_code = None
            elif changes.body_code:
                user.body_code = changes.body_code
            if changes.title is not None:
                user.title = changes.title.strip() or None
            if changes.signer is not None:
                user.signer = changes.signer
            after = self._snapshot(user)
            changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
            if changed:
                self.journal.record(s, actor.username, "user_updated", None,
                                    {"username": user.username, "changes": changed})
            return self._account(user, self._open_sessions(s, user.id))

    @staticmethod
    def _snapshot(user: User) -> dict[str, object]:
        return {"full_name": user.full_name, "roles": user.role_list, "body_code": user.body_code,
                "title": user.title, "signer": bool(user.signer)}

    def set_active(self, actor: Actor, user_id: int, active: bool, reason: str = "") -> Account:
        """Disable an account (its sessions end at once) or enable it again (administrators). Nobody
        disables their own account, and the last active administrator stays active."""
        require_admin(actor, "khóa hoặc mở khóa tài khoản")
        with self.journal.transaction() as s:
            user = self._user_by_id(s, user_id)
            if user.active == active:
                raise InvalidState("Tài khoản đã bị khóa" if not active else "Tài khoản đang hoạt động")
            if not active:
                if ADMIN_ROLE in user.role_list and self._other_active_admins(s, user) == 0:
                    raise InvalidState("Đây là quản trị viên cuối cùng đang hoạt động: không thể khóa")
                if user.username == actor.username:
                    raise InvalidState("Không thể tự khóa tài khoản của chính mình")
            user.active = active
            ended = 0 if active else self._end_all(s, user.id, "disabled")
            payload: dict[str, object] = {"username": user.username}
            if reason:
                payload["reason"] = reason
            if ended:
                payload["sessions_ended"] = ended
            self.journal.record(s, actor.username, "user_enabled" if active else "user_disabled", None, payload)
            return self._account(user, 0 if not active else self._open_sessions(s, user.id))
