"""What the domain says about the business object an instance serves (its `ref_type`, `ref_id`):
the subject people read in their inbox, extra words to search it by, and whether it is closed.

The kernel names no business object; a feature supplies `describe_ref` and the composition root
hands it here."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .text import fold_cached


@dataclass(frozen=True)
class RefSummary:
    """The business object as a task list shows it."""

    subject: str  # e.g. the title of what the task serves
    keywords: str = ""  # more words it is searched by (numbers, document titles…)
    closed: bool = False  # nothing more should be asked of anyone about it (no reminders)


RefDescriber = Callable[[Session, str, int], "RefSummary | None"]


class Refs:
    """Asks the features that know a reference type; unknown references have no summary."""

    def __init__(self, describers: tuple[RefDescriber, ...] = ()):
        self.describers = describers

    def describe(self, s: Session, ref_type: str | None, ref_id: int | None) -> RefSummary | None:
        if ref_type is None or ref_id is None:
            return None
        for describer in self.describers:
            summary = describer(s, ref_type, ref_id)
            if summary is not None:
                return summary
        return None

    def closed(self, s: Session, ref_type: str | None, ref_id: int | None) -> bool:
        summary = self.describe(s, ref_type, ref_id)
        return summary is not None and summary.closed


def search_text(*parts: str | None) -> str:
    """The folded search column of a row from its readable parts (each folded once per process: a
    subject and its keywords repeat on every task of a distribution)."""
    return " ".join(f for f in (fold_cached(p) for p in parts if p) if f)[:4000]
