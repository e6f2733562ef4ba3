"""Audit summaries come from each event's structured data, in the reader's language (issue 14).

- every action the code records has a sentence (``audit_sentences``) and a name;
- every write site passes the data its sentence needs (checked on the source, so a new
  ``audit.record`` call without it fails here before anyone reads its event);
- each sentence renders with no English in Japanese and no Japanese in English, the data
  the user entered being marked as such;
- older events without data never show their stored English.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation

from chizai.core import audit, audit_sentences
from chizai.core.audit_labels import ACTION_LABELS
from chizai.core.audit_summaries import render_summary, render_summary_html
from chizai.core.models import AuditEvent

SRC = Path(__file__).resolve().parents[1] / "src" / "chizai"
ACTION = re.compile(r"^[a-z_]+(?:\.[a-z_]+)+$")
EXEMPT = re.compile(r"<span data-i18n-exempt>.*?</span>")
# On a Japanese page: a word of three or more Latin letters that is not a product or format name.
ENGLISH_WORD = re.compile(r"\b(?!(?:Excel|Word|Markdown)\b)(?:[a-z]{3,}|[A-Z][a-z]{2,})")
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
DOWNLOADS = {"download"}  # sealed.download(..., action=..., changes={"data": ...})


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts or "engine" in path.parts:
            continue
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _constants(tree) -> dict[str, str]:
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _strings(node, constants) -> list[str]:
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and ACTION.match(n.value)
    ]


def _is_record(call: ast.Call) -> bool:
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr == "record" and getattr(func.value, "id", "") == "audit"


def _calls():
    """(where, actions, the data dict node or None, the call) for every audit write."""
    for path, tree in _modules():
        constants = _constants(tree)
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            keywords = {k.arg: k.value for k in call.keywords}
            where = f"{path.relative_to(SRC)}:{call.lineno}"
            if _is_record(call):
                actions = _strings(call.args[2], constants) if len(call.args) > 2 else []
                yield where, actions, keywords.get("data", "missing"), call
            elif "action" in keywords and _strings(keywords["action"], constants):
                actions = _strings(keywords["action"], constants)
                changes = keywords.get("changes")
                data = "missing"
                if isinstance(changes, ast.Dict):
                    for key, value in zip(changes.keys, changes.values, strict=True):
                        if isinstance(key, ast.Constant) and key.value == "data":
                            data = value
                name = getattr(call.func, "attr", getattr(call.func, "id", ""))
                if name in DOWNLOADS:
                    yield where, actions, data, call
                else:  # _apply_gate(..., action="disclosure.create"): one shared write site
                    yield where, actions, None, call


def _recorded_actions() -> set[str]:
    return {action for _where, actions, _data, _call in _calls() for action in actions}


def test_the_scan_finds_the_write_sites():
    recorded = _recorded_actions()
    # one of each kind: a literal, a ternary, a module constant, a download, a gate step
    for action in ("register.asset.create", "membership.update", "advisers.read", "register.version.download"):
        assert action in recorded
    assert "disclosure.approve" in recorded
    assert len(recorded) > 100


def test_every_recorded_action_has_a_sentence_and_a_name():
    recorded = _recorded_actions()
    assert not recorded - set(audit_sentences.SENTENCES), sorted(recorded - set(audit_sentences.SENTENCES))
    assert not recorded - set(ACTION_LABELS), sorted(recorded - set(ACTION_LABELS))


def _required(actions: list[str], data: ast.Dict) -> dict[str, set[str]]:
    keys = {k.value for k in data.keys if isinstance(k, ast.Constant)}
    variant_node = next(
        (
            v
            for k, v in zip(data.keys, data.values, strict=True)
            if isinstance(k, ast.Constant) and k.value == "variant"
        ),
        None,
    )
    variants = (
        {""} if variant_node is None else {n.value for n in ast.walk(variant_node) if isinstance(n, ast.Constant)}
    )
    missing = {}
    for action in actions:
        for variant in variants:
            sentence = audit_sentences.sentence_for(action, str(variant))
            assert sentence is not None, action
            if set(sentence.params) - keys:
                missing[f"{action}/{variant}"] = set(sentence.params) - keys
    return missing


def test_every_write_site_passes_the_data_its_sentence_needs():
    problems = []
    for where, actions, data, _call in _calls():
        if data is None or not actions:
            continue  # a pass-through (sealed.download, the gate's steps): checked at its callers
        if data == "missing":
            problems.append(f"{where}: no data=")
        elif isinstance(data, ast.Dict):
            missing = _required(actions, data)
            if missing:
                problems.append(f"{where}: {missing}")
        elif not isinstance(data, ast.Name | ast.BoolOp):
            problems.append(f"{where}: data is not a dict literal")
    assert not problems, problems


def _sample(kind, lang: str):
    if kind == audit_sentences.NAME:
        # data as entered, in the other language: it must come back marked
        return "Orion Motors GmbH" if lang == "ja" else "切削条件表"
    if kind == audit_sentences.NUM:
        return 3
    if kind == audit_sentences.DATE:
        return "2026-01-02"
    if kind == audit_sentences.FMT:
        return "pdf"
    if kind == audit_sentences.LANG:
        return "ja"
    if kind == audit_sentences.BI:
        return {"ja": "図面の読み方", "en": "Reading drawings"}
    _choice, model, field = kind
    return next(iter(apps.get_model(model)._meta.get_field(field).flatchoices))[0]


SENTENCES = [
    (action, variant) for action, variants in sorted(audit_sentences.SENTENCES.items()) for variant in variants
]


@pytest.mark.parametrize(("action", "variant"), SENTENCES, ids=[f"{a}/{v}" for a, v in SENTENCES])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_sentence_renders_in_one_language(action, variant, lang):
    sentence = audit_sentences.SENTENCES[action][variant]
    data = {name: _sample(kind, lang) for name, kind in sentence.params.items()}
    if variant:
        data["variant"] = variant
    event = AuditEvent(action=action, summary="a stored English summary", changes={"data": data})
    with translation.override(lang):
        html = str(render_summary_html(event))
    assert "stored" not in html and "%(" not in html, html
    outside = EXEMPT.sub("", html)
    if lang == "ja":
        assert not ENGLISH_WORD.search(outside), html
        assert JAPANESE.search(outside), html
    else:
        assert not JAPANESE.search(outside), html
    for name, kind in sentence.params.items():
        if kind == audit_sentences.NAME:
            assert f"<span data-i18n-exempt>{data[name]}</span>" in html, (name, html)


def test_old_event_without_data_never_shows_the_stored_english():
    event = AuditEvent(
        action="register.asset.create", object_type="register.asset", object_id="12", summary="imported by a script"
    )
    with translation.override("ja"):
        ja = render_summary(event)
    with translation.override("en"):
        en = render_summary(event)
    assert "imported" not in ja and "imported" not in en
    assert "12" in ja and "12" in en
    assert not ENGLISH_WORD.search(ja), ja


@pytest.mark.django_db
def test_events_written_by_the_services_render_from_their_data(org, owner):
    from chizai.register import services as register

    asset = register.create_asset(owner, org, title_ja="切削条件", classification="internal")
    register.add_holder(owner, org, asset.pk, name="Tanaka Ichiro")
    events = list(AuditEvent.objects.filter(organization=org, action__startswith="register.").order_by("seq"))
    assert [e.action for e in events] == ["register.asset.create", "register.holder.add"]
    for event in events:
        assert isinstance(event.changes.get("data"), dict)
        # the wording of the stored summary no longer matters
        event.summary = "reworded since"
    with translation.override("ja"):
        html = [str(render_summary_html(e)) for e in events]
    assert html[0] == "資産「<span data-i18n-exempt>切削条件</span>」を登録"
    assert "Tanaka Ichiro" in html[1] and not ENGLISH_WORD.search(EXEMPT.sub("", html[1]))
    assert audit.verify(org).ok
