"""Every audit action the code records has a name on screen, in both languages."""

import re
from pathlib import Path

from django.utils import translation

from chizai.core.audit_labels import ACTION_LABELS

SRC = Path(__file__).resolve().parents[1] / "src" / "chizai"
RECORDED = re.compile(r'audit\.record\([^"]*?"([a-z_]+\.[a-z_.]+)"|action="([a-z_]+\.[a-z_.]+)"')


def _recorded_actions() -> set[str]:
    found = set()
    for path in SRC.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for match in RECORDED.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) or match.group(2))
    return found


def test_every_recorded_action_is_named():
    missing = _recorded_actions() - set(ACTION_LABELS)
    assert not missing, sorted(missing)


def test_names_are_translated():
    with translation.override("ja"):
        untranslated = [code for code, label in ACTION_LABELS.items() if str(label).isascii()]
    assert not untranslated, untranslated
