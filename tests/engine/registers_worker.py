"""Child-process body for the concurrent numbering test (imported by 'spawn' children)."""
from __future__ import annotations

from datetime import date


def issue_many(url: str, worker: int, count: int, start_gate, side: str, issuer: str) -> list[int]:
    """Issue `count` numbers in separate transactions; returns the numbers received."""
    from engine.kernel.db import Database
    from engine.registers import issue_number

    db = Database(url)
    got = []
    start_gate.wait(60)
    try:
        for i in range(count):
            with db.session(write=True) as s:
                entry = issue_number(
                    s, issuer_code=issuer, instrument="CT", side=side, on=date(2024, 6, 3),
                    subject=f"worker {worker} #{i}", signer="Hồ Tiến Thiệu", actor=f"w{worker}",
                    issuer_symbol="UBND" if side == "state" else "TU",
                )
                got.append(entry.number)
    finally:
        db.dispose()
    return got
