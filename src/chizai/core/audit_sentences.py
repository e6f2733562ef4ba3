"""The sentence each audit action is shown with, rendered from the event's structured data.

Every ``audit.record`` call passes ``data=`` (stored as ``changes["data"]``): the names,
codes and counts its sentence needs. The audit page puts them into the sentence below, a
msgid translated like any other, so an event reads in the reader's language whatever the
stored English summary says and however its wording changes. Each parameter has a kind:

- ``NAME``: data as entered (titles, people's and partners' names, reasons), shown as typed
  and marked as such on a page (``data-i18n-exempt``);
- ``NUM`` and ``DATE``: numbers and ISO dates, the same in every language;
- ``FMT``: a file format code (pdf, docx, xlsx, csv) shown by its name;
- ``LANG``: a language code shown by its name;
- ``BI``: a ``{"ja": …, "en": …}`` pair written by the app (a fixed name in both languages);
- ``choice(model, field)``: a code shown by its choice name.

An action with variants (``advisers.read``: workspace, figures, a diagnostic) picks its
sentence by ``data["variant"]``. tests/test_audit_sentences.py checks that every action the
code records has a sentence here, that every write site passes the data its sentence needs,
and that each sentence renders without English in Japanese and without Japanese in English.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

NAME, NUM, DATE, FMT, LANG, BI = "name", "num", "date", "fmt", "lang", "bi"


def choice(model: str, field_name: str) -> tuple[str, str, str]:
    return ("choice", model, field_name)


@dataclass(frozen=True)
class Sentence:
    text: object  # a lazy msgid with %(name)s parameters
    params: dict[str, object] = field(default_factory=dict)
    # The sentence already says what changed (no " — changed: …" from before/after).
    says_change: bool = False


def S(msgid, /, says_change: bool = False, **params) -> Sentence:  # noqa: N802 - a table constructor
    return Sentence(msgid, params, says_change)


_CLASS = choice("register.asset", "classification")
_ROLE = choice("core.membership", "role")

SENTENCES: dict[str, dict[str, Sentence]] = {
    # --- organisation, people, sign-in -------------------------------------------------------
    "organization.create": {"": S(_("Organisation %(slug)s created"), slug=NAME)},
    "organization.update": {"": S(_("Organisation details changed"))},
    "membership.create": {"": S(_("%(user)s added as %(role)s"), user=NAME, role=_ROLE)},
    "membership.update": {"": S(_("%(user)s is now %(role)s"), user=NAME, role=_ROLE)},
    "membership.delete": {"": S(_("%(user)s removed"), user=NAME)},
    "invitation.create": {"": S(_("%(email)s invited as %(role)s"), email=NAME, role=_ROLE)},
    "invitation.accept": {"": S(_("%(user)s joined as %(role)s"), user=NAME, role=_ROLE)},
    "engagement.grant": {"": S(_("Adviser %(user)s granted access"), user=NAME)},
    "engagement.end": {"": S(_("Adviser %(user)s access ended"), user=NAME)},
    "api_token.create": {"": S(_("API token “%(name)s” created"), name=NAME)},
    "api_token.revoke": {"": S(_("API token “%(name)s” revoked"), name=NAME)},
    "auth.login": {"": S(_("Signed in"))},
    "auth.login_failed": {
        "": S(_("Failed sign-in as %(user)s"), user=NAME),
        "locked": S(_("Sign-in as %(user)s refused: the account is locked"), user=NAME),
    },
    "audit.export": {"": S(_("Audit log exported as CSV (%(n)s events)"), n=NUM)},
    # --- register ----------------------------------------------------------------------------
    "register.asset.create": {"": S(_("Asset %(title)s created"), title=NAME)},
    "register.asset.update": {"": S(_("Asset %(title)s changed"), title=NAME)},
    "register.asset.delete": {"": S(_("Asset %(title)s deleted"), title=NAME)},
    "register.asset.reclassify": {
        "": S(_("%(title)s: %(before)s → %(after)s"), says_change=True, title=NAME, before=_CLASS, after=_CLASS)
    },
    "register.asset.read": {"": S(_("%(cls)s asset %(title)s read"), cls=_CLASS, title=NAME)},
    "register.holder.add": {"": S(_("%(name)s holds %(title)s"), name=NAME, title=NAME)},
    "register.holder.remove": {"": S(_("Holder %(name)s removed"), name=NAME)},
    "register.grant.add": {"": S(_("%(user)s named on %(title)s"), user=NAME, title=NAME)},
    "register.version.upload": {
        "": S(_("%(name)s (version %(n)s) uploaded to %(title)s"), name=NAME, n=NUM, title=NAME)
    },
    "register.version.download": {"": S(_("%(name)s (version %(n)s) downloaded"), name=NAME, n=NUM)},
    "register.export.xlsx": {"": S(_("Register exported (%(n)s assets)"), n=NUM)},
    "register.evidence.export": {"": S(_("Evidence of %(title)s exported (%(n)s versions)"), title=NAME, n=NUM)},
    "register.clip.upload": {"": S(_("Clip %(name)s uploaded to %(title)s"), name=NAME, title=NAME)},
    "register.clip.poster": {"": S(_("Poster set for clip %(clip)s"), clip=NAME)},
    "register.clip.play": {"": S(_("Clip %(clip)s played"), clip=NAME)},
    "register.clip.delete": {"": S(_("Clip %(clip)s deleted"), clip=NAME)},
    "register.clip.chapter.add": {
        "": S(_("Chapter %(at)s %(title)s added to clip %(clip)s"), at=NUM, title=NAME, clip=NAME)
    },
    "register.clip.chapter.delete": {"": S(_("Chapter %(at)s %(title)s removed"), at=NUM, title=NAME)},
    "register.orgkey.create": {"": S(_("Organisation key %(kid)s created"), kid=NAME)},
    "register.orgkey.rotate": {"": S(_("Organisation key rotated: %(old)s → %(new)s"), old=NAME, new=NAME)},
    "register.keys.rewrap": {"": S(_("Keys re-wrapped under master key %(kid)s"), kid=NAME)},
    # --- reviews -----------------------------------------------------------------------------
    "review.create": {"": S(_("Contract submitted for review: %(title)s"), title=NAME)},
    "review.complete": {
        "": S(_("Review finished: %(high)s high, %(medium)s medium, %(low)s low"), high=NUM, medium=NUM, low=NUM)
    },
    "review.view": {
        "": S(_("Review opened: %(title)s"), title=NAME),
        "scan": S(_("Scanned page %(page)s opened (finding %(n)s): %(title)s"), page=NUM, n=NUM, title=NAME),
    },
    "review.export": {
        "": S(_("Review exported as %(fmt)s"), fmt=FMT),
        "commented": S(_("Review exported as a commented Word file (%(lang)s)"), lang=LANG),
    },
    "review.feedback": {
        "": S(
            _("Finding %(rule)s marked “%(verdict)s” on %(title)s"),
            rule=NAME,
            verdict=choice("review.reviewfeedback", "verdict"),
            title=NAME,
        )
    },
    "review.feedback.export": {"": S(_("Review feedback exported (%(n)s examples)"), n=NUM)},
    # --- disclosure --------------------------------------------------------------------------
    "disclosure.partner.create": {"": S(_("Partner %(name)s added"), name=NAME)},
    "disclosure.partner.update": {"": S(_("Partner %(name)s changed"), name=NAME)},
    "disclosure.partner.delete": {"": S(_("Partner %(name)s deleted"), name=NAME)},
    "disclosure.contact.create": {"": S(_("%(name)s at %(partner)s"), name=NAME, partner=NAME)},
    "disclosure.agreement.create": {
        "": S(_("%(type)s with %(partner)s added"), type=choice("disclosure.agreement", "type"), partner=NAME)
    },
    "disclosure.agreement.update": {
        "": S(_("%(type)s with %(partner)s changed"), type=choice("disclosure.agreement", "type"), partner=NAME)
    },
    "disclosure.agreement.sign": {
        "": S(_("%(type)s with %(partner)s signed"), type=choice("disclosure.agreement", "type"), partner=NAME)
    },
    "disclosure.agreement.file": {"": S(_("File %(name)s attached"), name=NAME)},
    "disclosure.agreement.download": {"": S(_("%(name)s downloaded"), name=NAME)},
    "disclosure.copy.create": {"": S(_("%(ref)s: copy of %(name)s for %(person)s"), ref=NUM, name=NAME, person=NAME)},
    "disclosure.copy.download": {"": S(_("%(name)s downloaded"), name=NAME)},
    "disclosure.calendar.token": {"": S(_("Personal calendar feed created"))},
    "disclosure.return": {"": S(_("%(ref)s: return or destruction recorded"), ref=NUM)},
    "disclosure.gate.override": {"": S(_("%(ref)s let through: %(reason)s"), ref=NUM, reason=NAME)},
    # the reasons are rendered from the gate's failures (audit_summaries._gate_refusal)
    "disclosure.gate.refused": {"": S(_("%(ref)s refused by the gate"), ref=NUM)},
    "disclosure.dossier.export": {"": S(_("Dossier for %(partner)s exported (%(fmt)s)"), partner=NAME, fmt=FMT)},
    # --- deals -------------------------------------------------------------------------------
    "deals.deal.create": {"": S(_("Deal created: %(title)s"), title=NAME)},
    "deals.deal.update": {"": S(_("Deal changed: %(title)s"), title=NAME)},
    "deals.deal.delete": {"": S(_("Deal deleted: %(title)s"), title=NAME)},
    "deals.deal.assets": {"": S(_("Know-how linked to %(deal)s changed"), deal=NAME)},
    "deals.deal.disclosures": {"": S(_("Disclosures linked to %(deal)s changed"), deal=NAME)},
    "deals.partner.create": {"": S(_("Partner %(name)s added"), name=NAME)},
    "deals.draft.add": {"": S(_("Draft %(n)s added to %(deal)s"), n=NUM, deal=NAME)},
    "deals.point.create": {
        "": S(_("Negotiation point added: %(title)s"), title=NAME),
        "finding": S(_("Finding %(rule)s made a negotiation point in %(deal)s"), rule=NAME, deal=NAME),
    },
    "deals.point.update": {"": S(_("Negotiation point changed: %(title)s"), title=NAME)},
    "deals.point.status": {
        "": S(
            _("Negotiation point %(title)s: %(before)s → %(after)s"),
            says_change=True,
            title=NAME,
            before=choice("deals.negotiationpoint", "status"),
            after=choice("deals.negotiationpoint", "status"),
        )
    },
    "deals.stakeholder.create": {"": S(_("Stakeholder added: %(name)s"), name=NAME)},
    "deals.stakeholder.update": {"": S(_("Stakeholder changed: %(name)s"), name=NAME)},
    "deals.contact.create": {
        "": S(
            _("%(kind)s on %(date)s logged for %(deal)s"),
            kind=choice("deals.contact", "kind"),
            date=DATE,
            deal=NAME,
        )
    },
    "deals.followup.create": {"": S(_("Follow-up added: %(text)s"), text=NAME)},
    "deals.followup.done": {"": S(_("Follow-up done: %(text)s"), says_change=True, text=NAME)},
    "deals.followup.reopen": {"": S(_("Follow-up reopened: %(text)s"), says_change=True, text=NAME)},
    "deals.item.create": {"": S(_("Worksheet line added: %(title)s"), title=NAME)},
    "deals.item.delete": {"": S(_("Worksheet line removed: %(title)s"), title=NAME)},
    "deals.contribution.create": {
        "": S(
            _("Contribution recorded: %(party)s, %(kind)s, %(value)s"),
            party=choice("deals.contributionentry", "party"),
            kind=choice("deals.contributionentry", "kind"),
            value=NUM,
        )
    },
    "deals.contribution.delete": {"": S(_("Contribution removed: %(text)s"), text=NAME)},
    "deals.weights.update": {"": S(_("Contribution weights set for %(deal)s"), deal=NAME)},
    "deals.evidence.download": {"": S(_("Evidence %(name)s downloaded"), name=NAME)},
    "deals.annex.export": {"": S(_("Quotation annex exported (%(lang)s, %(fmt)s)"), lang=LANG, fmt=FMT)},
    "deals.brief.export": {"": S(_("Negotiation brief exported (%(lang)s)"), lang=LANG)},
    # --- advisers ----------------------------------------------------------------------------
    "advisers.read": {
        "workspace": S(_("Adviser opened the client workspace")),
        "prefill": S(_("Adviser read the register for a diagnostic (%(n)s answers proposed)"), n=NUM),
        "prioritisation": S(_("Adviser read %(n)s figures for prioritisation"), n=NUM),
        "portfolio": S(_("Adviser read %(n)s portfolio figures"), n=NUM),
        "diagnostic": S(_("Adviser read diagnostic %(n)s"), n=NUM),
        "diagnostics": S(_("Adviser read the list of diagnostics")),
        "actions": S(_("Adviser read the action items")),
        "": S(_("Client data read by an adviser")),
    },
    "advisers.engagement_record.save": {"": S(_("Engagement record saved"))},
    "advisers.action.create": {"": S(_("Action added: %(title)s"), title=NAME)},
    "advisers.action.update": {
        "": S(
            _("Action %(title)s: %(before)s → %(after)s"),
            says_change=True,
            title=NAME,
            before=choice("advisers.actionitem", "status"),
            after=choice("advisers.actionitem", "status"),
        )
    },
    "advisers.visit.create": {
        "": S(_("%(kind)s on %(date)s recorded"), kind=choice("advisers.visitlog", "kind"), date=DATE)
    },
    "advisers.skill.note": {"": S(_("Skill noted: %(skill)s, level %(level)s"), skill=BI, level=NUM)},
    "advisers.diagnostic.create": {"": S(_("Diagnostic started"))},
    "advisers.diagnostic.save": {
        "": S(_("Diagnostic saved (%(status)s)"), says_change=True, status=choice("advisers.diagnostic", "status"))
    },
    "advisers.diagnostic.export": {"": S(_("Diagnostic report exported as PDF"))},
    "advisers.referral.create": {"": S(_("Referred to %(programme)s"), programme=NAME)},
    "advisers.referral.outcome": {
        "": S(_("Referral outcome: %(outcome)s"), says_change=True, outcome=choice("advisers.referral", "outcome"))
    },
    "advisers.programme.save": {"": S(_("Support programme %(programme)s saved"), programme=NAME)},
    "advisers.network.export": {"": S(_("Network figures exported as CSV"))},
    "advisers.weights.publish": {"": S(_("Prioritisation criteria published"))},
    "advisers.rating.save": {"": S(_("Rating of %(slug)s saved"), slug=NAME)},
    "advisers.candidates.export": {"": S(_("Candidate list exported as CSV (%(n)s candidates)"), n=NUM)},
    # --- succession --------------------------------------------------------------------------
    "succession.person.create": {"": S(_("%(name)s added to the skills map"), name=NAME)},
    "succession.person.update": {"": S(_("%(name)s changed on the skills map"), name=NAME)},
    "succession.skill.add": {"": S(_("%(title)s put on the skills map"), title=NAME)},
    "succession.skill.remove": {"": S(_("%(title)s taken off the skills map"), title=NAME)},
    "succession.level.set": {
        "": S(
            _("Level of %(name)s in %(title)s: %(before)s → %(after)s"),
            says_change=True,
            name=NAME,
            title=NAME,
            before=NUM,
            after=NUM,
        )
    },
    "succession.plan.create": {
        "": S(_("Capture plan for %(title)s: %(holder)s → %(successors)s"), title=NAME, holder=NAME, successors=NAME)
    },
    "succession.session.create": {
        "": S(_("OJT session planned for %(title)s on %(date)s"), title=NAME, date=DATE),
        "held": S(_("OJT session held for %(title)s on %(date)s"), title=NAME, date=DATE),
    },
    "succession.layer.create": {"": S(_("Documentation layer for %(title)s: %(layer)s"), title=NAME, layer=NAME)},
    "succession.answers.save": {"": S(_("Interview answers for %(title)s saved (%(n)s answers)"), title=NAME, n=NUM)},
    "succession.plan.signoff": {"": S(_("%(holder)s signed off the capture of %(title)s"), holder=NAME, title=NAME)},
    "succession.map.export": {
        "": S(_("Skills map exported (%(people)s people × %(skills)s assets)"), people=NUM, skills=NUM)
    },
}

# Gate outcomes share one sentence (the action's name beside it says which step it was).
for _action in ("disclosure.create", "disclosure.approve", "disclosure.second_person", "disclosure.override_requested"):
    SENTENCES[_action] = {
        "": S(
            _("%(ref)s to %(partner)s: %(status)s"),
            ref=NUM,
            partner=NAME,
            status=choice("disclosure.disclosure", "status"),
        )
    }


def sentence_for(action: str, variant: str = "") -> Sentence | None:
    variants = SENTENCES.get(action)
    if not variants:
        return None
    return variants.get(variant) or variants.get("")
