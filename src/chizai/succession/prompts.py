"""Interview prompts that draw out a master's tacit judgement, asked during a capture plan.

Written procedures record the steps; what a successor lacks is the judgement between them.
The prompts follow what SME succession cases say gets lost: the cues the master watches,
the conditions that change the method, and the failures seen and why. Data, not a form:
the keys are stored with each answer and never change; the wording is translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Prompt:
    key: str
    group: str | Promise
    text: str | Promise


CUES = _("Cues the master watches")
CONDITIONS = _("Conditions that change the method")
FAILURES = _("Failures seen and why")

PROMPTS: list[Prompt] = [
    Prompt("cue_sense", CUES, _("What do you see, hear, smell or feel that tells you the work is going right?")),
    Prompt("cue_stop", CUES, _("What makes you stop and check, even though the numbers look fine?")),
    Prompt("cue_done", CUES, _("How do you know the piece is finished, before you measure it?")),
    Prompt(
        "cond_material",
        CONDITIONS,
        _("Which differences in material, lot or supplier make you change the settings, and how?"),
    ),
    Prompt("cond_season", CONDITIONS, _("What do you do differently in summer and winter, or on a humid day?")),
    Prompt("cond_machine", CONDITIONS, _("Which machine or tool quirks do you compensate for, and how?")),
    Prompt("fail_worst", FAILURES, _("What was the worst failure you have seen in this work, and what caused it?")),
    Prompt("fail_new", FAILURES, _("What mistake does a newcomer make first, and how do you spot it?")),
    Prompt("fail_rule", FAILURES, _("Which rule in the procedure would you break, and when is that right?")),
]
BY_KEY = {prompt.key: prompt for prompt in PROMPTS}
