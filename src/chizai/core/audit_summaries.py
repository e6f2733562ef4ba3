"""An audit event's summary, rendered in the reader's language from what the event stores.

The chain keeps the summary as written at the time (English, with the names of what was
touched) and it is hashed, so it never changes. The audit page renders each event instead:

1. from its structured data (``changes["data"]``, written by every ``audit.record`` call
   since issue 14) through the action's sentence in ``audit_sentences``;
2. for older events, from the names the stored summary carries: each known summary shape is
   a pattern whose parts (asset titles, user names, references) are put into a translated
   sentence (``SUMMARIES`` below);
3. otherwise from the action's name and the kind and number of what it touched — never the
   stored English, which the CSV export still gives as recorded.

Codes (classification, role, status) are shown by their names, and the fields a change
touched by their names in the reader's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chizai.core import audit_sentences
from chizai.core.audit_labels import action_label


def _choice(app_model: str, field: str) -> Callable[[str], str]:
    """A code of ``app_model.field`` shown by its choice name (the code itself when unknown)."""

    def name(code: str) -> str:
        try:
            choices = dict(apps.get_model(app_model)._meta.get_field(field).flatchoices)
        except (LookupError, FieldDoesNotExist):
            return code
        return str(choices.get(code, code))

    return name


_classification = _choice("register.asset", "classification")
_role = _choice("core.membership", "role")
_disclosure_status = _choice("disclosure.disclosure", "status")
_agreement_type = _choice("disclosure.agreement", "type")
_party = _choice("deals.contributionentry", "party")
_contribution_kind = _choice("deals.contributionentry", "kind")
_point_status = _choice("deals.negotiationpoint", "status")
_contact_kind = _choice("deals.contact", "kind")
_visit_kind = _choice("advisers.visitlog", "kind")
_referral_outcome = _choice("advisers.referral", "outcome")
_diagnostic_status = _choice("advisers.diagnostic", "status")
_LANGUAGES = {"ja": gettext_lazy("Japanese"), "en": gettext_lazy("English")}


def _language(code: str) -> str:
    return str(_LANGUAGES.get(code.lower(), code))


_FORMATS = {"pdf": "PDF", "docx": "Word", "xlsx": "Excel", "csv": "CSV", "json": "JSON", "md": "Markdown"}

# action → [(pattern over the stored summary, translated sentence, converters of named parts)]
# The sentences are msgids so that tools/i18n.py finds them; parts not listed are proper nouns.
_P = re.compile
SUMMARIES: dict[str, list[tuple[re.Pattern[str], Any, dict[str, Callable[[str], str]]]]] = {
    "register.asset.create": [(_P(r"asset (?P<title>.+) created"), gettext_lazy("Asset %(title)s created"), {})],
    "register.asset.update": [(_P(r"asset (?P<title>.+?) changed.*"), gettext_lazy("Asset %(title)s changed"), {})],
    "register.asset.delete": [(_P(r"asset (?P<title>.+) deleted"), gettext_lazy("Asset %(title)s deleted"), {})],
    "register.asset.reclassify": [
        (
            _P(r"(?P<title>.+): (?P<before>[a-z]+) → (?P<after>[a-z]+).*"),
            gettext_lazy("%(title)s: %(before)s → %(after)s"),
            {"before": _classification, "after": _classification},
        )
    ],
    "register.asset.read": [
        (
            _P(r"(?P<cls>[a-z]+) asset (?P<title>.+) read"),
            gettext_lazy("%(cls)s asset %(title)s read"),
            {"cls": _classification},
        )
    ],
    "register.holder.add": [(_P(r"(?P<name>.+) holds (?P<title>.+)"), gettext_lazy("%(name)s holds %(title)s"), {})],
    "register.holder.remove": [(_P(r"(?P<name>.+) removed"), gettext_lazy("Holder %(name)s removed"), {})],
    "register.grant.add": [
        (_P(r"(?P<user>.+) named on (?P<title>.+)"), gettext_lazy("%(user)s named on %(title)s"), {})
    ],
    "register.version.upload": [
        (
            _P(r"(?P<name>.+) v(?P<n>\d+) uploaded to (?P<title>.+)"),
            gettext_lazy("%(name)s (version %(n)s) uploaded to %(title)s"),
            {},
        )
    ],
    "register.version.download": [
        (_P(r"(?P<name>.+) v(?P<n>\d+) downloaded"), gettext_lazy("%(name)s (version %(n)s) downloaded"), {})
    ],
    "register.export.xlsx": [
        (_P(r"register exported \((?P<n>\d+) assets\)"), gettext_lazy("Register exported (%(n)s assets)"), {})
    ],
    "register.evidence.export": [
        (
            _P(r"evidence of (?P<title>.+) exported \((?P<n>\d+) versions\)"),
            gettext_lazy("Evidence of %(title)s exported (%(n)s versions)"),
            {},
        )
    ],
    "auth.login": [(_P(r"logged in"), gettext_lazy("Signed in"), {})],
    "organization.create": [
        (_P(r"organisation (?P<slug>.+) created"), gettext_lazy("Organisation %(slug)s created"), {})
    ],
    "organization.update": [(_P(r"organisation details changed"), gettext_lazy("Organisation details changed"), {})],
    "membership.create": [
        (_P(r"(?P<user>.+) is (?P<role>[a-z]+)"), gettext_lazy("%(user)s added as %(role)s"), {"role": _role})
    ],
    "membership.delete": [(_P(r"(?P<user>.+) removed"), gettext_lazy("%(user)s removed"), {})],
    "invitation.create": [
        (
            _P(r"(?P<email>.+) invited as (?P<role>[a-z]+)"),
            gettext_lazy("%(email)s invited as %(role)s"),
            {"role": _role},
        )
    ],
    "invitation.accept": [
        (
            _P(r"(?P<user>.+) joined as (?P<role>[a-z]+)"),
            gettext_lazy("%(user)s joined as %(role)s"),
            {"role": _role},
        )
    ],
    "engagement.grant": [
        (_P(r"adviser (?P<user>.+) granted access"), gettext_lazy("Adviser %(user)s granted access"), {})
    ],
    "engagement.end": [(_P(r"adviser (?P<user>.+) access ended"), gettext_lazy("Adviser %(user)s access ended"), {})],
    "api_token.create": [(_P(r"API token '(?P<name>.*)' created"), gettext_lazy("API token “%(name)s” created"), {})],
    "api_token.revoke": [(_P(r"API token '(?P<name>.*)' revoked"), gettext_lazy("API token “%(name)s” revoked"), {})],
    "audit.export": [
        (
            _P(r"audit log exported as CSV \((?P<n>\d+) events\)"),
            gettext_lazy("Audit log exported as CSV (%(n)s events)"),
            {},
        )
    ],
    "disclosure.partner.create": [(_P(r"partner (?P<name>.+)"), gettext_lazy("Partner %(name)s added"), {})],
    "disclosure.partner.update": [(_P(r"partner (?P<name>.+) changed"), gettext_lazy("Partner %(name)s changed"), {})],
    "disclosure.partner.delete": [(_P(r"partner (?P<name>.+) deleted"), gettext_lazy("Partner %(name)s deleted"), {})],
    "disclosure.contact.create": [
        (_P(r"(?P<name>.+) at (?P<partner>.+)"), gettext_lazy("%(name)s at %(partner)s"), {})
    ],
    "disclosure.return": [
        (
            _P(r"(?P<ref>D-\d+): return/destruction recorded"),
            gettext_lazy("%(ref)s: return or destruction recorded"),
            {},
        )
    ],
    "disclosure.copy.download": [(_P(r"(?P<name>.+) downloaded"), gettext_lazy("%(name)s downloaded"), {})],
    "disclosure.agreement.download": [(_P(r"(?P<name>.+) downloaded"), gettext_lazy("%(name)s downloaded"), {})],
    "disclosure.agreement.file": [(_P(r"file (?P<name>.+) attached"), gettext_lazy("File %(name)s attached"), {})],
    "disclosure.calendar.token": [
        (_P(r"personal calendar feed created"), gettext_lazy("Personal calendar feed created"), {})
    ],
    "review.create": [
        (
            _P(r"contract submitted for review: (?P<title>.+)"),
            gettext_lazy("Contract submitted for review: %(title)s"),
            {},
        )
    ],
    "review.view": [(_P(r"review opened: (?P<title>.+)"), gettext_lazy("Review opened: %(title)s"), {})],
    "review.export": [
        (
            _P(r"review exported as commented docx \((?P<lang>[a-z]{2})\)"),
            gettext_lazy("Review exported as a commented Word file (%(lang)s)"),
            {"lang": lambda v: _language(v)},
        ),
        (
            _P(r"review exported as (?P<fmt>\w+)"),
            gettext_lazy("Review exported as %(fmt)s"),
            {"fmt": lambda v: _FORMATS.get(v.lower(), v)},
        ),
    ],
    "review.complete": [
        (
            _P(r"review finished: (?P<high>\d+) high, (?P<medium>\d+) medium, (?P<low>\d+) low"),
            gettext_lazy("Review finished: %(high)s high, %(medium)s medium, %(low)s low"),
            {},
        )
    ],
    "disclosure.agreement.create": [
        (
            _P(r"(?P<type>[A-Z_]+) with (?P<partner>.+)"),
            gettext_lazy("%(type)s with %(partner)s added"),
            {"type": _agreement_type},
        )
    ],
    "disclosure.create": [
        (
            _P(r"(?P<ref>D-\d+) to (?P<partner>.+): (?P<status>[a-z]+)"),
            gettext_lazy("%(ref)s to %(partner)s: %(status)s"),
            {"status": _disclosure_status},
        )
    ],
    "disclosure.copy.create": [
        (
            _P(r"(?P<ref>D-\d+): copy of (?P<name>.+) for (?P<person>.+)"),
            gettext_lazy("%(ref)s: copy of %(name)s for %(person)s"),
            {},
        )
    ],
    "advisers.engagement_record.save": [(_P(r"engagement record saved"), gettext_lazy("Engagement record saved"), {})],
    "advisers.diagnostic.create": [(_P(r"diagnostic started"), gettext_lazy("Diagnostic started"), {})],
    "advisers.weights.publish": [
        (_P(r"prioritisation weights published"), gettext_lazy("Prioritisation criteria published"), {})
    ],
    "advisers.action.create": [(_P(r"action: (?P<title>.+)"), gettext_lazy("Action added: %(title)s"), {})],
    "advisers.rating.save": [(_P(r"rating of (?P<slug>.+)"), gettext_lazy("Rating of %(slug)s saved"), {})],
    "deals.point.create": [
        (
            _P(r"finding (?P<rule>\S+) made a negotiation point in (?P<deal>.+)"),
            gettext_lazy("Finding %(rule)s made a negotiation point in %(deal)s"),
            {},
        ),
        (_P(r"negotiation point added: (?P<title>.+)"), gettext_lazy("Negotiation point added: %(title)s"), {}),
    ],
    "deals.draft.add": [
        (_P(r"draft (?P<n>\d+) added to deal (?P<deal>.+)"), gettext_lazy("Draft %(n)s added to %(deal)s"), {})
    ],
    "deals.followup.done": [(_P(r"follow-up done: (?P<text>.+)"), gettext_lazy("Follow-up done: %(text)s"), {})],
    "deals.weights.update": [
        (_P(r"contribution weights set for (?P<deal>.+)"), gettext_lazy("Contribution weights set for %(deal)s"), {})
    ],
    "deals.deal.create": [(_P(r"deal created: (?P<title>.+)"), gettext_lazy("Deal created: %(title)s"), {})],
    "deals.deal.update": [(_P(r"deal changed: (?P<title>.+)"), gettext_lazy("Deal changed: %(title)s"), {})],
    "deals.deal.delete": [(_P(r"deal deleted: (?P<title>.+)"), gettext_lazy("Deal deleted: %(title)s"), {})],
    "deals.partner.create": [(_P(r"partner created: (?P<name>.+)"), gettext_lazy("Partner %(name)s added"), {})],
    "deals.stakeholder.create": [
        (_P(r"stakeholder added: (?P<name>.+)"), gettext_lazy("Stakeholder added: %(name)s"), {})
    ],
    "deals.stakeholder.update": [
        (_P(r"stakeholder changed: (?P<name>.+)"), gettext_lazy("Stakeholder changed: %(name)s"), {})
    ],
    "deals.followup.create": [(_P(r"follow-up added: (?P<text>.+)"), gettext_lazy("Follow-up added: %(text)s"), {})],
    "deals.point.update": [
        (_P(r"negotiation point changed: (?P<title>.+)"), gettext_lazy("Negotiation point changed: %(title)s"), {})
    ],
    "deals.item.create": [
        (_P(r"worksheet line added: (?P<title>.+)"), gettext_lazy("Worksheet line added: %(title)s"), {})
    ],
    "deals.item.delete": [
        (_P(r"worksheet line removed: (?P<title>.+)"), gettext_lazy("Worksheet line removed: %(title)s"), {})
    ],
    "deals.contribution.create": [
        (
            _P(r"contribution recorded: (?P<party>\S+) (?P<kind>\S+) (?P<value>\S+)"),
            gettext_lazy("Contribution recorded: %(party)s, %(kind)s, %(value)s"),
            {"party": _party, "kind": _contribution_kind},
        )
    ],
    "deals.point.status": [
        (
            _P(r"negotiation point (?P<before>\S+) → (?P<after>\S+): (?P<title>.+)"),
            gettext_lazy("Negotiation point %(title)s: %(before)s → %(after)s"),
            {"before": _point_status, "after": _point_status},
        )
    ],
    "deals.contact.create": [
        (
            _P(r"(?P<kind>\S+) on (?P<date>\S+) logged for (?P<deal>.+)"),
            gettext_lazy("%(kind)s on %(date)s logged for %(deal)s"),
            {"kind": _contact_kind},
        )
    ],
    "advisers.visit.create": [
        (_P(r"(?P<kind>\S+) on (?P<date>\S+)"), gettext_lazy("%(kind)s on %(date)s recorded"), {"kind": _visit_kind})
    ],
    "advisers.read": [
        (
            _P(r"adviser read: diagnostic prefill \((?P<n>\d+) answers proposed\)"),
            gettext_lazy("Adviser read the register for a diagnostic (%(n)s answers proposed)"),
            {},
        ),
        (
            _P(r"adviser read: figures for prioritisation \((?P<figure>.+)\)"),
            gettext_lazy("Adviser read figures for prioritisation (%(figure)s)"),
            {},
        ),
        (_P(r"adviser read: client workspace"), gettext_lazy("Adviser opened the client workspace"), {}),
        (
            _P(r"adviser read: portfolio figures \((?P<figures>.*)\)"),
            gettext_lazy("Adviser read portfolio figures (%(figures)s)"),
            {},
        ),
        (_P(r"adviser read: diagnostic (?P<n>\d+)"), gettext_lazy("Adviser read diagnostic %(n)s"), {}),
    ],
    "advisers.diagnostic.save": [
        (
            _P(r"diagnostic saved \((?P<status>\S+)\)"),
            gettext_lazy("Diagnostic saved (%(status)s)"),
            {"status": _diagnostic_status},
        )
    ],
    "advisers.referral.create": [(_P(r"referred to (?P<programme>.+)"), gettext_lazy("Referred to %(programme)s"), {})],
    "advisers.referral.outcome": [
        (
            _P(r"referral outcome: (?P<outcome>\S+)"),
            gettext_lazy("Referral outcome: %(outcome)s"),
            {"outcome": _referral_outcome},
        )
    ],
    "advisers.programme.save": [
        (_P(r"programme (?P<programme>.+) saved"), gettext_lazy("Support programme %(programme)s saved"), {})
    ],
    "register.orgkey.create": [
        (_P(r"organisation key (?P<kid>.+) created"), gettext_lazy("Organisation key %(kid)s created"), {})
    ],
    # succession (skills map and capture plans): names and asset titles are proper nouns
    "succession.person.create": [
        (_P(r"(?P<name>.+) added to the skills map"), gettext_lazy("%(name)s added to the skills map"), {})
    ],
    "succession.person.update": [
        (_P(r"(?P<name>.+) changed on the skills map"), gettext_lazy("%(name)s changed on the skills map"), {})
    ],
    "succession.skill.add": [
        (_P(r"(?P<title>.+) put on the skills map"), gettext_lazy("%(title)s put on the skills map"), {})
    ],
    "succession.skill.remove": [
        (_P(r"(?P<title>.+) taken off the skills map"), gettext_lazy("%(title)s taken off the skills map"), {})
    ],
    "succession.level.set": [
        (
            _P(r"level of (?P<name>.+) in (?P<title>.+): (?P<before>\S+) → (?P<after>\S+) \((?P<source>[^)]*)\)"),
            gettext_lazy("Level of %(name)s in %(title)s: %(before)s → %(after)s"),
            {"before": str, "after": str, "source": str},
        )
    ],
    "succession.plan.create": [
        (
            _P(r"capture plan for (?P<title>.+?): (?P<holder>.+) → (?P<successors>.+)"),
            gettext_lazy("Capture plan for %(title)s: %(holder)s → %(successors)s"),
            {},
        )
    ],
    "succession.session.create": [
        (
            _P(r"OJT session held for (?P<title>.+) on (?P<date>\S+)"),
            gettext_lazy("OJT session held for %(title)s on %(date)s"),
            {"date": str},
        ),
        (
            _P(r"OJT session planned for (?P<title>.+) on (?P<date>\S+)"),
            gettext_lazy("OJT session planned for %(title)s on %(date)s"),
            {"date": str},
        ),
    ],
    "succession.layer.create": [
        (
            _P(r"documentation layer for (?P<title>.+?): (?P<layer>.+)"),
            gettext_lazy("Documentation layer for %(title)s: %(layer)s"),
            {},
        )
    ],
    "succession.answers.save": [
        (
            _P(r"interview answers for (?P<title>.+?): (?P<codes>.+)"),
            gettext_lazy("Interview answers for %(title)s saved (%(codes)s)"),
            {"codes": str},
        )
    ],
    "succession.plan.signoff": [
        (
            _P(r"(?P<holder>.+) signed off the capture of (?P<title>.+)"),
            gettext_lazy("%(holder)s signed off the capture of %(title)s"),
            {},
        )
    ],
    "succession.map.export": [
        (
            _P(r"skills map exported \((?P<people>\d+) people × (?P<skills>\d+) assets\)"),
            gettext_lazy("Skills map exported (%(people)s people × %(skills)s assets)"),
            {"people": str, "skills": str},
        )
    ],
    "disclosure.gate.override": [
        (_P(r"(?P<ref>D-\d+) overridden: (?P<reason>.+)"), gettext_lazy("%(ref)s let through: %(reason)s"), {})
    ],
    # exports: format and language codes by their names
    "deals.annex.export": [
        (
            _P(r"quotation annex exported \((?P<lang>[a-z]{2}), (?P<fmt>\w+)\)"),
            gettext_lazy("Quotation annex exported (%(lang)s, %(fmt)s)"),
            {"lang": lambda v: _language(v), "fmt": lambda v: _FORMATS.get(v.lower(), v)},
        )
    ],
    "deals.brief.export": [
        (
            _P(r"negotiation brief exported \((?P<lang>[a-z]{2})\)"),
            gettext_lazy("Negotiation brief exported (%(lang)s)"),
            {"lang": lambda v: _language(v)},
        )
    ],
    "disclosure.dossier.export": [
        (
            _P(r"dossier for (?P<partner>.+) \((?P<fmt>\w+)\)"),
            gettext_lazy("Dossier for %(partner)s exported (%(fmt)s)"),
            {"fmt": lambda v: _FORMATS.get(v.lower(), v)},
        )
    ],
    "advisers.candidates.export": [
        (
            _P(r"candidate list exported as CSV \((?P<n>\d+) candidates\)"),
            gettext_lazy("Candidate list exported as CSV (%(n)s candidates)"),
            {"n": str},
        )
    ],
    "advisers.network.export": [
        (_P(r"network figures exported as CSV"), gettext_lazy("Network figures exported as CSV"), {})
    ],
    "advisers.diagnostic.export": [
        (_P(r"diagnostic report exported as PDF"), gettext_lazy("Diagnostic report exported as PDF"), {})
    ],
    "review.feedback.export": [
        (
            _P(r"(?P<n>\d+) review feedback example\(s\) exported"),
            gettext_lazy("Review feedback exported (%(n)s examples)"),
            {"n": str},
        )
    ],
}


# Actions whose sentence already says what changed.
_CHANGE_IN_SENTENCE = {
    "register.asset.reclassify",
    "deals.followup.done",
    "deals.point.status",
    "advisers.diagnostic.save",
    "advisers.referral.outcome",
    "succession.level.set",
}


def _changed_fields(event) -> list[str]:
    """The changed fields by their names in the reader's language; coded values by their names too."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    before, after = changes.get("before"), changes.get("after")
    if not isinstance(before, dict) or not isinstance(after, dict) or not event.object_type:
        return []
    try:
        model = apps.get_model(event.object_type)
    except (LookupError, ValueError):
        return []
    parts = []
    for name in sorted(set(before) | set(after)):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # a field since removed: its code would be English, so it is left out
        label = str(getattr(field, "verbose_name", name))
        choices = dict(getattr(field, "flatchoices", None) or [])
        if choices and (before.get(name) in choices or after.get(name) in choices):
            old = str(choices.get(before.get(name), before.get(name) or "—"))
            new = str(choices.get(after.get(name), after.get(name) or "—"))
            parts.append(f"{label} ({old} → {new})")
        else:
            parts.append(label)
    return parts


def render_summary(event) -> str:
    """The event's summary in the active language: from its data, its stored summary's shape,
    or its action's name and target (never the stored English as such)."""
    return _render(event, str)


def render_summary_html(event) -> SafeString:
    """``render_summary`` for a page: the names and texts the event carries (titles, partner
    and person names, reasons as typed) are marked as data shown as entered
    (``data-i18n-exempt``), so the page's language check sees only the sentence."""
    return mark_safe(_render(event, lambda value: format_html("<span data-i18n-exempt>{}</span>", value), html=True))


def _gate_reasons(event) -> str | None:
    """The reasons of a refusal by the gate, from the failures it recorded in both languages
    (the stored summary has the English ones). Each reason is the gate's sentence around the
    names as entered (partner, asset), so it is passed as one marked part."""
    failures = (event.changes or {}).get("failures") if isinstance(event.changes, dict) else None
    if not isinstance(failures, list):
        return None
    lang = "ja" if (get_language() or "").startswith("ja") else "en"
    reasons = [str(f.get(lang) or f.get("en") or "") for f in failures if isinstance(f, dict)]
    return " ".join(r for r in reasons if r)


def _gate_refusal(event, noun: Callable[[str], str], esc: Callable[[str], str]) -> str | None:
    data = _data(event)
    ref = data.get("ref") if data else None
    if ref is None:
        match = re.fullmatch(r"(?P<ref>D-\d+) refused: .*", event.summary or "", re.S)
        ref = match["ref"] if match else None
    reasons = _gate_reasons(event)
    if ref is None or reasons is None:
        return None
    return esc(_("%(ref)s refused by the gate: %(reasons)s")) % {"ref": esc(str(ref)), "reasons": noun(reasons)}


def _data(event) -> dict | None:
    data = event.changes.get("data") if isinstance(event.changes, dict) else None
    return data if isinstance(data, dict) else None


def _param(kind, value, noun: Callable[[str], str], esc: Callable[[str], str]) -> str:
    """One parameter of a sentence in the reader's language (``audit_sentences`` kinds)."""
    if kind == audit_sentences.NAME:
        return noun(str(value))
    if kind in (audit_sentences.NUM, audit_sentences.DATE):
        return esc(str(value))
    if kind == audit_sentences.FMT:
        name = _FORMATS.get(str(value).lower())
        return esc(name) if name else noun(str(value))
    if kind == audit_sentences.LANG:
        language = _LANGUAGES.get(str(value).lower()[:2])
        return esc(str(language)) if language else noun(str(value))
    if kind == audit_sentences.BI:
        if isinstance(value, dict):
            lang = "ja" if (get_language() or "").startswith("ja") else "en"
            return esc(str(value.get(lang) or value.get("en") or ""))
        return noun(str(value))
    if isinstance(kind, tuple) and kind[0] == "choice":
        names = _choice(kind[1], kind[2])
        name = names(str(value))
        return esc(name) if name != str(value) or not value else noun(str(value))
    return noun(str(value))


def _from_data(event, noun, esc, html: bool) -> str | None:
    """The event's sentence from its structured data, or None when it has none (older events)."""
    data = _data(event)
    sentence = audit_sentences.sentence_for(event.action, str((data or {}).get("variant", "")))
    if sentence is None or (data is None and sentence.params):
        return None
    data = data or {}
    if any(name not in data for name in sentence.params):
        return None
    params = {name: _param(kind, data[name], noun, esc) for name, kind in sentence.params.items()}
    text = esc(str(sentence.text)) % params if html else str(sentence.text) % params
    return text + _suffixes(event, esc, sentence.says_change)


def _suffixes(event, esc, says_change: bool) -> str:
    """What changed (field names), a lowered classification, the open disclosures named."""
    text = ""
    fields = [] if says_change else _changed_fields(event)
    if fields:
        text += esc(_(" — changed: %(fields)s") % {"fields": _(", ").join(fields)})
    changes = event.changes if isinstance(event.changes, dict) else {}
    lowered = changes.get("lowered")
    if isinstance(lowered, dict):
        text += esc(
            _(" — classification lowered, confirmed") if lowered.get("confirmed") else _(" — classification lowered")
        )
    open_ones = changes.get("open_disclosures")
    if isinstance(open_ones, list) and open_ones:
        refs = _(", ").join(str(d.get("reference", "")) for d in open_ones if isinstance(d, dict))
        text += esc(_(" — open disclosures: %(refs)s") % {"refs": refs})
    return text


def _target(event, esc) -> str:
    """An older event nothing else renders: its action's name and what it touched."""
    label = action_label(event.action)
    if not event.object_type:
        return esc(label)
    try:
        verbose_name = apps.get_model(event.object_type)._meta.verbose_name
    except (LookupError, ValueError):
        verbose_name = None
    if not isinstance(verbose_name, Promise):  # a model named by Django's default, in English only
        if event.object_id:
            return esc(_("%(action)s (#%(id)s)") % {"action": label, "id": event.object_id})
        return esc(label)
    kind = str(verbose_name)
    if event.object_id:
        return esc(_("%(action)s (%(kind)s #%(id)s)") % {"action": label, "kind": kind, "id": event.object_id})
    return esc(_("%(action)s (%(kind)s)") % {"action": label, "kind": kind})


def _render(event, noun: Callable[[str], str], html: bool = False) -> str:
    esc = conditional_escape if html else str
    if event.action == "disclosure.gate.refused":
        refusal = _gate_refusal(event, noun, esc)
        if refusal is not None:
            return refusal
    if _data(event) is not None:
        rendered = _from_data(event, noun, esc, html)
        if rendered is not None:
            return rendered
    stored = event.summary or ""
    for pattern, sentence, convert in SUMMARIES.get(event.action, []):
        match = pattern.fullmatch(stored)
        if match is None:
            continue
        params = {
            key: esc(convert[key](value)) if key in convert else noun(value) for key, value in match.groupdict().items()
        }
        text = esc(str(sentence)) % params if html else str(sentence) % params
        return text + _suffixes(event, esc, event.action in _CHANGE_IN_SENTENCE)
    # an older event: its action's sentence when it needs no data, else its name and target
    rendered = _from_data(event, noun, esc, html)
    return rendered if rendered is not None else _target(event, esc)
