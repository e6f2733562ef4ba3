"""The four-step skill scale Japanese factories keep in a 星取表, and how a cell is read.

0 none, 1 can do with help, 2 can do alone, 3 can teach. Japanese screens and sheets show
the marks (－ △ ○ ◎), English ones the words. Pure functions: no database.

Reading a cell (Excel import, API): the marks ◎ ○ △ and × / － / - / ー (none), the digits
0–3 (full-width too), the words of either language, or a blank cell (0). A 4 is refused
rather than guessed: sheets on a 1–4 scale exist, and whether their 1 means "none" or "with
help" cannot be told from the cell, so the preview names each such cell and nothing is
written until the sheet says 0–3 or marks.
"""

from __future__ import annotations

import unicodedata

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from chizai.register.risk import CAPABLE_LEVEL

NONE, WITH_HELP, ALONE, TEACH = 0, 1, 2, 3
LEVELS = (NONE, WITH_HELP, ALONE, TEACH)
CAPABLE = CAPABLE_LEVEL  # "can do alone": the bus factor counts people at this level or above
assert CAPABLE == ALONE

MARKS = {NONE: "－", WITH_HELP: "△", ALONE: "○", TEACH: "◎"}
WORDS = {
    NONE: _("none"),
    WITH_HELP: _("can do with help"),
    ALONE: _("can do alone"),
    TEACH: _("can teach"),
}
# Fill colours of a level in the sheet and on the grid (light, so the mark stays legible).
COLOURS = {NONE: "FFFFFF", WITH_HELP: "FFF2CC", ALONE: "DDEBF7", TEACH: "C6EFCE"}

_NONE_MARKS = {"×", "x", "-", "－", "ー", "—", "–", "‐", "✕", "✖"}
_MARK_LEVEL = {"◎": TEACH, "○": ALONE, "〇": ALONE, "o": ALONE, "△": WITH_HELP, "▲": WITH_HELP}


class BadLevel(ValueError):
    """A cell that is not on the scale; the message says what was found."""


def label(level: int) -> str:
    """How a level is shown in the active language: the mark in Japanese, the word in English."""
    if (translation.get_language() or "ja").startswith("en"):
        return str(WORDS[level])
    return MARKS[level]


def choices() -> list[tuple[int, str]]:
    """(level, "◎ can teach")-style choices for a select, in the active language."""
    return [(level, f"{MARKS[level]} {WORDS[level]}") for level in LEVELS]


def _words() -> dict[str, int]:
    found = {}
    for language in ("ja", "en"):
        with translation.override(language):
            for level, word in WORDS.items():
                found[_fold(str(word))] = level
    return found


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def parse(value) -> int:
    """The level a cell holds; ``BadLevel`` for anything off the scale (see the module docstring)."""
    if value is None:
        return NONE
    if isinstance(value, bool):
        raise BadLevel(str(value))
    if isinstance(value, int | float):
        if float(value).is_integer() and int(value) in LEVELS:
            return int(value)
        raise BadLevel(str(value))
    raw = str(value)
    text = raw.strip()
    if not text:
        return NONE
    if text in _MARK_LEVEL:
        return _MARK_LEVEL[text]
    if text in _NONE_MARKS:
        return NONE
    folded = _fold(text)
    if folded in _MARK_LEVEL:
        return _MARK_LEVEL[folded]
    if folded in _NONE_MARKS:
        return NONE
    if folded.isdigit() and len(folded) == 1 and int(folded) in LEVELS:
        return int(folded)
    words = _words()
    if folded in words:
        return words[folded]
    raise BadLevel(raw)
