"""The directive's life plugs into the engine: its tables, the service tasks of its models and the
checks of their task forms."""
from typing import Any

from ..kernel.features import Feature
from .formchecks import check_directive_forms
from .services import register
from .subjects import describe_directive


def _backfill(engine: Any) -> int:
    from .boards import backfill

    return backfill(engine)


FEATURE = Feature("directives",
                  tables=("engine.directives.store", "engine.directives.issuers", "engine.directives.tracking",
                          "engine.directives.attachments"),
                  services=register,
                  form_checks=(check_directive_forms,), describe_ref=describe_directive,
                  after_upgrade=_backfill)
