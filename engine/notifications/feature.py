"""Notifications plug into the engine: their tables and their sweep (run by each scheduler every
30 s: collect the new events, send the due e-mails)."""
from ..kernel.features import Feature, Sweep
from .service import sweep_count

FEATURE = Feature("notifications", tables=("engine.notifications.models",),
                  sweeps=(Sweep("notifications", 30, sweep_count),))
