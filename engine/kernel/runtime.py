"""The engine: one object per process that the web app, the CLI, the scheduler and the tests use.

It is composed of explicit collaborators, each owning one concern and its own state:
`definitions` (deploy, specs), `instances` (load, advance, save, the workflow cache), `tasks` (inbox,
claim, complete), `messages` (correlation, fan-out), `timers` (the sweep and the scheduler), `admin`
(suspend, resume, terminate, retry, audit) and `accounts`. The methods below are the public surface;
each hands over to the collaborator that owns it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from . import audit, spiff_clock
from .accounts import Accounts, Actor, BodyName
from .admin import Administration
from .clock import Clock
from .db import Database
from .definitions import DefinitionChecker
from .deployment import Definitions
from .errors import Problem
from .expressions import SafeEvaluator
from .forms import FormCheckFn
from .humantasks import InboxQuery
from .inspection import Inspection
from .instances import Instances
from .journal import Journal
from .messaging import Messages
from .modeling import Modeling
from .refs import RefDescriber, Refs
from .serialization import InstanceSerializer
from .services import ServiceRegistry
from .tasks import HumanTasks
from .timers import Timers, TimerSweep
from .versions import Versions
from .views import DefinitionInfo, InstanceInfo, TaskInfo

if TYPE_CHECKING:
    from .features import Sweep
    from .inspection import InstanceDetail
    from .versions import MigrationOutcome


class ChithiEngine:
    """One per process; holds no state that is not checked against the database."""

    def __init__(self, db: Database, clock: Clock, *, evaluator: SafeEvaluator, script_engine: Any,
                 services: ServiceRegistry, lane_roles: Mapping[str, str] | None = None,
                 workflows_dir: Path | None = None, cache_size: int = 512,
                 password_hasher: PasswordHasher | None = None, known_roles: Mapping[str, str] | None = None,
                 body_name: BodyName | None = None, form_checks: tuple[FormCheckFn, ...] = (),
                 sweeps: tuple[Sweep, ...] = (), describe_refs: tuple[RefDescriber, ...] = (),
                 after_upgrade: tuple[Callable[[Any], int], ...] = ()):
        self.db = db
        self.clock = clock
        self.evaluator = evaluator
        self.script_engine = script_engine
        self.services = services
        self.sweeps = sweeps
        self.after_upgrade = after_upgrade
        self.serializer = InstanceSerializer()
        self.journal = Journal(db, clock)
        self.accounts = Accounts(self.journal, password_hasher, known_roles=known_roles, body_name=body_name)
        self.body_name = body_name
        self.definitions = Definitions(self.journal, self.serializer, DefinitionChecker(evaluator, services),
                                       workflows_dir)
        self.instances = Instances(self.journal, self.definitions, self.serializer, script_engine, evaluator,
                                   lane_roles or {}, cache_size)
        self.instances.refs = self.refs = Refs(describe_refs)
        self.messages = Messages(self.instances)
        self.tasks = HumanTasks(self.instances, form_checks)
        self.timers = Timers(self.instances)
        self.admin = Administration(self.instances)
        self.versions = Versions(self.instances)
        self.inspection = Inspection(self.instances)
        self.modeling = Modeling(self.definitions, services, dict(known_roles or {}), dict(lane_roles or {}))
        spiff_clock.install()

    def upgrade_schema(self) -> int:
        """Create or migrate this engine's database schema, then let the features bring what they
        derive up to date (e.g. facts a new table holds for older rows); returns the rows they wrote."""
        from .db import upgrade

        upgrade(self.db.url)
        return sum(hook(self) for hook in self.after_upgrade)

    def shutdown(self) -> None:
        """Stop the scheduler (if any) and close database connections."""
        self.timers.stop_scheduler()
        self.db.dispose()

    # ------------------------------------------------------------------ transactions (for features)

    def transaction(self) -> AbstractContextManager[Session]:
        """A write transaction whose audit events are chained at commit."""
        return self.journal.transaction()

    def record(self, s: Session, actor: str, action: str, instance_id: int | None, payload: dict[str, Any]) -> None:
        """Queue an audit event in the transaction `s`."""
        self.journal.record(s, actor, action, instance_id, payload)

    # ------------------------------------------------------------------ definitions

    def deploy_xml(self, xml: bytes | str, *, source: str = "upload", actor: str = "system") -> list[DefinitionInfo]:
        """Check and store one BPMN document; raises DefinitionError listing every problem."""
        return self.definitions.deploy_xml(xml, source=source, actor=actor)

    def deploy_directory(self, directory: Path | None = None, actor: str = "system") -> list[DefinitionInfo]:
        """Deploy every .bpmn of `directory` (default: the shipped workflows/) together; idempotent."""
        return self.definitions.deploy_directory(directory, actor)

    def check_xml(self, xml: bytes | str, source: str = "upload") -> list[Problem]:
        """Every problem of a BPMN document, without storing it."""
        return self.definitions.check_xml(xml, source)

    def list_definitions(self) -> list[DefinitionInfo]:
        """Every deployed version."""
        return self.definitions.list()

    # ------------------------------------------------------------------ instances

    def start_instance(self, process_id: str, *, business_key: str | None = None,
                       data: dict[str, Any] | None = None, actor: str | Actor = "system",
                       body_code: str | None = None, ref: tuple[str, int] | None = None) -> InstanceInfo:
        """Start the newest version of `process_id` and run it to its first wait state."""
        return self.instances.start(process_id, business_key=business_key, data=data, actor=actor,
                                    body_code=body_code, ref=ref)

    def get_instance(self, instance_id: int, actor: Actor | None = None) -> InstanceInfo:
        """An instance; with `actor`, NotFound unless they may see it."""
        return self.instances.get(instance_id, actor)

    def list_instances(self, *, status: str | None = None, process_id: str | None = None,
                       parent_id: int | None = None, limit: int = 100) -> list[InstanceInfo]:
        """Instances, newest first."""
        return self.instances.list(status=status, process_id=process_id, parent_id=parent_id, limit=limit)

    def instance_data(self, instance_id: int) -> dict[str, Any]:
        """The workflow's current data (deserializes)."""
        return self.instances.data(instance_id)

    # ------------------------------------------------------------------ human tasks

    def inbox(self, actor: Actor, *, limit: int = 100, offset: int = 0,
              query: InboxQuery | None = None) -> list[TaskInfo]:
        """Tasks of `actor` in a folder (open by default), filtered, soonest due first."""
        return self.tasks.inbox(actor, limit=limit, offset=offset, query=query)

    def inbox_counts(self, actor: Actor, near_days: int = 3) -> dict[str, int]:
        """How many tasks each folder of `actor`'s inbox holds (one indexed query)."""
        return self.tasks.counts(actor, near_days)

    def get_task(self, task_id: int, actor: Actor) -> TaskInfo:
        """One task, if `actor` may see it."""
        return self.tasks.get(task_id, actor)

    def claim_task(self, task_id: int, actor: Actor) -> TaskInfo:
        """Take a ready task."""
        return self.tasks.claim(task_id, actor)

    def release_task(self, task_id: int, actor: Actor) -> TaskInfo:
        """Give a claimed task back to its role."""
        return self.tasks.release(task_id, actor)

    def complete_task(self, task_id: int, actor: Actor, data: dict[str, Any] | None = None) -> InstanceInfo:
        """Complete a ready task with form data and run the instance to its next wait state."""
        return self.tasks.complete(task_id, actor, data)

    # ------------------------------------------------------------------ messages and timers

    def correlate_message(self, name: str, *, payload: dict[str, Any] | None = None,
                          business_key: str | None = None, instance_id: int | None = None,
                          actor: str = "system") -> list[int]:
        """Deliver message `name` to every instance waiting for it."""
        return self.messages.correlate(name, payload=payload, business_key=business_key,
                                       instance_id=instance_id, actor=actor)

    def fire_due_timers(self, limit: int = 10_000) -> TimerSweep:
        """Fire every due timer (each once across processes); a broken instance goes to error."""
        return self.timers.fire_due_timers(limit)

    def next_timer_due(self) -> datetime | None:
        """Earliest pending timer of any running instance."""
        return self.timers.next_due()

    def start_scheduler(self, sweep_seconds: int = 30) -> None:
        """Fire timers, and run the features' sweeps, from a background thread of this process."""
        self.timers.start_scheduler(sweep_seconds, sweeps=[(sweep, self) for sweep in self.sweeps])

    def run_sweeps(self) -> dict[str, int]:
        """Run every feature's sweep once, now (the CLI and tests); items handled by sweep name."""
        return {sweep.name: sweep.run(self) for sweep in self.sweeps}

    # ------------------------------------------------------------------ administration

    def suspend(self, instance_id: int, actor: Actor, reason: str = "") -> InstanceInfo:
        """Hold an instance (administrators)."""
        return self.admin.suspend(instance_id, actor, reason)

    def resume(self, instance_id: int, actor: Actor, reason: str = "") -> InstanceInfo:
        """Let a suspended instance go on (administrators)."""
        return self.admin.resume(instance_id, actor, reason)

    def terminate(self, instance_id: int, actor: Actor, reason: str = "") -> InstanceInfo:
        """Stop an instance for good (administrators)."""
        return self.admin.terminate(instance_id, actor, reason)

    def retry(self, instance_id: int, actor: Actor, reason: str = "") -> InstanceInfo:
        """Run the failed tasks of an instance in error again (administrators)."""
        return self.admin.retry(instance_id, actor, reason)

    def repair_and_retry(self, instance_id: int, actor: Actor, changes: dict[str, Any], removed: list[str],
                         reason: str) -> InstanceInfo:
        """Fix the data of an instance in error, then run it again (administrators)."""
        return self.admin.repair_and_retry(instance_id, actor, changes, removed, reason)

    def migrate_instances(self, actor: Actor, instance_ids: list[int], process_id: str, version: int,
                          reason: str = "") -> list[MigrationOutcome]:
        """Move instances to a newer version of their process, each when it can (administrators)."""
        return self.versions.migrate(actor, instance_ids, process_id, version, reason)

    def instance_detail(self, instance_id: int, actor: Actor) -> InstanceDetail:
        """The instance page: diagram states, timeline, parent and children, data for administrators."""
        return self.inspection.detail(instance_id, actor)

    def verify_audit(self) -> audit.ChainReport:
        """Check the whole audit chain."""
        return self.admin.verify_audit()

