"""The shipped reference data a directive's life needs: the dated directory of bodies, the Party
terms (for Party numbers) and the issuing bodies' profiles, signers and Nơi nhận presets."""
from __future__ import annotations

from ..registers.numbering import load_reference_data as load_directory_and_terms
from .issuers import load_issuers


def load_reference_data(engine) -> dict:
    """Load (upsert) the directory, the Party terms and the issuers; returns the counts read."""
    counts = load_directory_and_terms(engine)
    with engine.db.session(write=True) as s:
        counts["issuers"] = load_issuers(s)
    return counts


def ensure_reference_data(engine) -> None:
    """Load the shipped reference data into a database that has no directory yet (the directory is
    law: a directive cannot be checked against an empty one). Idempotent; cheap when present."""
    from sqlalchemy import select

    from ..directory.models import Body

    with engine.db.session() as s:
        if s.scalar(select(Body.code).limit(1)) is not None:
            return
    load_reference_data(engine)
