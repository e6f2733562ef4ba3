"""The gate's refusals as a page shows them: a sentence in the reader's language with the
names as entered (partner, asset titles) marked as such, built from each failure's
``code`` and ``params`` (gate.py). The gate also stores each sentence in Japanese and
English (audit chain, reminders, API); a failure stored before it had ``params`` is shown
from those, whole and marked as entered, as before.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chizai.disclosure.models import Agreement, Stage

# code -> (sentence, what fixes it); %(agreement)s is "the NDA with <partner>"
TEXTS = {
    "agreement_other_partner": (
        gettext_lazy("The %(agreement)s is with another partner."),
        gettext_lazy("Choose an agreement with %(wanted)s."),
    ),
    "agreement_not_signed": (
        gettext_lazy("The %(agreement)s is not signed yet (status: %(status)s)."),
        gettext_lazy("Sign it and record the signed copy."),
    ),
    "agreement_terminated": (
        gettext_lazy("The %(agreement)s was terminated."),
        gettext_lazy("Sign a new agreement."),
    ),
    "agreement_expired": (
        gettext_lazy("The %(agreement)s expired on %(date)s."),
        gettext_lazy("Renew it or sign a new agreement."),
    ),
    "agreement_not_effective": (
        gettext_lazy("The %(agreement)s takes effect only on %(date)s."),
        gettext_lazy("Disclose on or after %(date)s."),
    ),
    "direction": (
        gettext_lazy("The %(agreement)s only covers information we receive, not what we disclose."),
        gettext_lazy("Sign a mutual or we-disclose agreement."),
    ),
    "purpose": (
        gettext_lazy("The purpose of the %(agreement)s (%(covered)s) does not cover %(stage)s."),
        gettext_lazy("Amend the purpose clause or choose an agreement whose purpose matches."),
    ),
    "category": (
        gettext_lazy("The %(agreement)s does not cover the category of %(title)s (%(kind)s)."),
        gettext_lazy("Amend the definition of confidential information to include it."),
    ),
    "strategy_patent_unfiled": (
        gettext_lazy("%(title)s is to be patented but is not filed yet; disclosing it would destroy novelty."),
        gettext_lazy("File the application first, or change the strategy."),
    ),
    "strategy_undecided": (
        gettext_lazy("No protection strategy has been decided for %(title)s (secret)."),
        gettext_lazy("Decide the strategy (keep secret, patent, publish) before disclosing it."),
    ),
    "owner_approval": (
        gettext_lazy("Secret material (%(titles)s) needs the owner's approval."),
        gettext_lazy("Ask an owner to approve it."),
    ),
    "second_person": (
        gettext_lazy("Secret material needs a second person, other than the approver, to confirm (two-person rule)."),
        gettext_lazy("Ask a second person to confirm."),
    ),
    "reclassified_after_request": (
        gettext_lazy(
            "%(title)s was reclassified from %(was)s to %(now)s after this disclosure was requested; "
            "the gate still applies %(was)s to it."
        ),
        gettext_lazy("An owner may override with a reason, or make a new request under the new classification."),
    ),
}
NO_AGREEMENT = (
    gettext_lazy("There is no agreement with %(partner)s."),
    gettext_lazy("Sign an NDA with them before disclosing."),
)
CHOSEN_MISSING = (
    gettext_lazy("The chosen agreement does not exist."),
    gettext_lazy("Choose one of the partner's agreements."),
)


def _entered(value) -> SafeString:
    return format_html("<span data-i18n-exempt>{}</span>", value)


def _choice_name(choices, code: str) -> str:
    return str(dict(choices).get(code, code))


def _asset_choice(field: str, code: str) -> str:
    model_field = apps.get_model("register", "Asset")._meta.get_field(field)
    return _choice_name(getattr(model_field, "flatchoices", ()), code)


def _params(code: str, params: dict) -> dict:
    out = {}
    if "type" in params:
        agreement = _("%(type)s with %(partner)s") % {
            "type": conditional_escape(_choice_name(Agreement.Type.choices, params["type"])),
            "partner": _entered(params.get("partner", "")),
        }
        out["agreement"] = mark_safe(agreement)
    for name in ("partner", "wanted", "title"):
        if name in params:
            out[name] = _entered(params[name])
    if "titles" in params:
        out["titles"] = mark_safe(_(", ").join(_entered(t) for t in params["titles"]))
    if "status" in params:
        out["status"] = conditional_escape(_choice_name(Agreement.Status.choices, params["status"]))
    if "date" in params:
        out["date"] = conditional_escape(params["date"])
    if "stage" in params:
        out["stage"] = conditional_escape(_choice_name(Stage.choices, params["stage"]))
    if "covered" in params:
        names = [_choice_name(Stage.choices, s) for s in params["covered"]]
        out["covered"] = conditional_escape(_(", ").join(names) if names else _("not confirmed"))
    if "kind" in params:
        out["kind"] = conditional_escape(_asset_choice("kind", params["kind"]))
    for name in ("was", "now"):
        if name in params:
            out[name] = conditional_escape(_asset_choice("classification", params[name]))
    return out


def render(failure: dict) -> dict:
    """``{"text", "fix", "code"}`` for one stored failure, as safe HTML in the reader's language."""
    code = failure.get("code", "")
    params = failure.get("params")
    texts: tuple | None
    if code == "agreement_missing" and isinstance(params, dict):
        texts = CHOSEN_MISSING if params.get("chosen") else NO_AGREEMENT
    else:
        texts = TEXTS.get(code) if isinstance(params, dict) else None
    if texts is not None and isinstance(params, dict):
        try:
            values = _params(code, params)
            text, fix = (mark_safe(conditional_escape(str(t)) % values) for t in texts)
            return {"text": text, "fix": fix, "code": code}
        except (KeyError, TypeError, ValueError):
            pass  # a failure whose params do not fit its sentence: shown as stored
    lang = "en" if (get_language() or "ja").startswith("en") else "ja"
    return {
        "text": _entered(failure.get(lang, "")),
        "fix": _entered(failure.get(f"fix_{lang}", "")),
        "code": code,
    }
