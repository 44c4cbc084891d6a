"""Kept for the migration revisions that have shipped: they import `engine.db.UtcDateTime`, and a
shipped revision is never edited. The database plumbing lives in `engine.kernel.db`."""
from .kernel.db import UtcDateTime

__all__ = ["UtcDateTime"]
