"""Folded text for searching without accents: the same string in Python and in the stored column, so
a plain LIKE finds "Quyết định … Kỳ họp" from "quyet dinh ky hop" on SQLite and PostgreSQL alike."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower case, marks stripped (NFD), đ → d, runs of white space as one space."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


@lru_cache(maxsize=2048)
def fold_cached(text: str) -> str:
    """`fold`, remembered for texts that repeat (subjects, keywords, process names)."""
    return fold(text)


def words(query: str | None, limit: int = 12) -> list[str]:
    """The folded words of a search (each must appear), at most `limit` of them, each ≤ 100 chars."""
    return [w[:100] for w in fold(query).split(" ") if w][:limit]


def like_pattern(word: str) -> str:
    """`%word%` with LIKE's wildcards escaped (use with escape='\\')."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
