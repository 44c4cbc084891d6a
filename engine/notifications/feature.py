"""Notifications plug into the engine: their tables and their sweep (run by the scheduler)."""
from ..kernel.features import Feature
from .service import sweep

FEATURE = Feature("notifications", tables=("engine.notifications.models",), sweeps=(sweep,))
