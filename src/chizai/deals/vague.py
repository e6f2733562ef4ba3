"""Vague wording → a measurable form to propose (pure, no Django).

The table is data (``data/vague_terms.json``): each row has regular expressions for
Japanese and English wording that leaves a term unmeasurable ("速やかに納入", "to the
buyer's satisfaction", "色の差が目立たない") and what to propose instead, with an example.
It prompts; it does not decide — a point may be vague for reasons no pattern knows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).with_name("data") / "vague_terms.json"


@dataclass(frozen=True)
class Suggestion:
    id: str
    matched: str
    suggestion: str
    example: str


@lru_cache(maxsize=1)
def _rows() -> tuple[tuple[dict, tuple[re.Pattern, ...]], ...]:
    rows = json.loads(TABLE.read_text(encoding="utf-8"))
    return tuple((row, tuple(re.compile(p, re.IGNORECASE) for p in row["patterns"])) for row in rows)


def suggest(text: str, lang: str = "ja") -> list[Suggestion]:
    """One suggestion per table row whose pattern occurs in ``text`` (first match shown)."""
    found = []
    lang = "en" if (lang or "ja").startswith("en") else "ja"
    for row, patterns in _rows():
        for pattern in patterns:
            match = pattern.search(text or "")
            if match:
                found.append(Suggestion(row["id"], match.group(0), row[lang], row[f"example_{lang}"]))
                break
    return found
