"""Input rules shared by every form and API schema: text within the model's limits and free of
control characters, ids that are numbers, deletions that name what still uses an object.

Why here and not per field: the model already says how long each text may be, so forms
(``CleanInputMixin``) and API schemas (``Input``) read the limits from it; a NUL or other
control character accepted once would later break exports for the whole organisation
(openpyxl, python-docx and PostgreSQL refuse it), so it is refused at the door with a
translated message. Tab and line breaks are kept in multi-line text only.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from types import UnionType
from typing import Any, ClassVar

from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import ProtectedError, RestrictedError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext
from ninja import Schema
from pydantic_core import PydanticCustomError, core_schema

from chizai.core.services import ChizaiError

# C0 and C1 controls, DEL, and lone surrogates (which no database encoding can store).
_LINE_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_TEXT_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def bad_character(value: str, multiline: bool = False) -> str | None:
    """The first character ``value`` may not contain, or None."""
    match = (_TEXT_BAD if multiline else _LINE_BAD).search(value)
    return match.group() if match else None


def text_error(value: str, *, max_length: int | None = None, multiline: bool = False) -> str | None:
    """A translated reason why ``value`` is not acceptable text, or None."""
    char = bad_character(value, multiline)
    if char is not None:
        if char in "\t\r\n":
            return _("Line breaks and tabs are not allowed here; keep it on one line.")
        return _("The text contains a control character (U+%(code)04X) that cannot be stored; remove it.") % {
            "code": ord(char)
        }
    if max_length is not None and len(value) > max_length:
        return ngettext(
            "At most %(limit)d character is allowed here (this text has %(count)d).",
            "At most %(limit)d characters are allowed here (this text has %(count)d).",
            max_length,
        ) % {"limit": max_length, "count": len(value)}
    return None


def refuse_bad_text(*values: str, multiline: bool = True) -> None:
    """For the few views that read posted text without a form: refuse as a form would."""
    for value in values:
        message = text_error(value, multiline=multiline)
        if message:
            raise ChizaiError(message)


@deconstructible
class PlainText:
    """Django validator: no control characters (tab and line breaks allowed when ``multiline``)."""

    code = "control_character"

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if isinstance(value, str):
            message = text_error(value, multiline=self.multiline)
            if message:
                raise ValidationError(message, code=self.code)

    def __eq__(self, other) -> bool:
        return isinstance(other, PlainText) and other.multiline == self.multiline


def model_field(spec: str | models.Field) -> models.Field:
    """``"app_label.Model.field"`` (or a field) → the model field."""
    if isinstance(spec, models.Field):
        return spec
    app_label, model_name, name = spec.split(".")
    return apps.get_model(app_label, model_name)._meta.get_field(name)


def is_multiline(field: models.Field) -> bool:
    return isinstance(field, models.TextField)


def target_field(name: str, limits: dict[str, str], model) -> models.Field | None:
    """The model field an input named ``name`` fills: named in ``limits``, else same name on ``model``."""
    if name in limits:
        return model_field(limits[name])
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # an input of its own (no model limits)
        return None


# --- forms ----------------------------------------------------------------------------------


class CleanInputMixin:
    """Put first in a form's bases. Every text field refuses control characters (tab and line
    breaks only in a textarea or a model TextField) and, when it fills a model field, takes
    that field's ``max_length``. A ModelForm finds its model fields by name; a plain form
    names them in ``limits = {"form_field": "app_label.Model.field"}``."""

    limits: ClassVar[dict[str, str]] = {}
    fields: dict[str, forms.Field]  # the form's, set by forms.BaseForm.__init__

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        meta = getattr(self, "_meta", None)
        model = getattr(meta, "model", None)
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField):
                continue
            target = target_field(name, self.limits, model)
            multiline = isinstance(field.widget, forms.Textarea) or (target is not None and is_multiline(target))
            field.validators.append(PlainText(multiline))
            limit = getattr(target, "max_length", None)
            if limit and (field.max_length is None or field.max_length > limit):
                field.max_length = limit
                field.validators.append(_MaxLength(limit))
                field.widget.attrs["maxlength"] = str(limit)


@deconstructible
class _MaxLength:
    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value) -> None:
        if isinstance(value, str):
            message = text_error(value, max_length=self.limit, multiline=True)
            if message:
                raise ValidationError(message, code="max_length")

    def __eq__(self, other) -> bool:
        return isinstance(other, _MaxLength) and other.limit == self.limit


# --- API schemas ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TextRule:
    """Pydantic annotation: the text rules above on a str (validation and OpenAPI maxLength)."""

    max_length: int | None = None
    multiline: bool = False

    def __call__(self, value: str) -> str:
        message = text_error(value, max_length=self.max_length, multiline=self.multiline)
        if message:
            raise PydanticCustomError("invalid_text", message)
        return value

    def __get_pydantic_core_schema__(self, source, handler):
        return core_schema.no_info_after_validator_function(self, handler(source))

    def __get_pydantic_json_schema__(self, schema, handler):
        out = handler(schema)
        if self.max_length is not None and out.get("type") == "string":
            out["maxLength"] = self.max_length
        return out


@dataclass(frozen=True)
class NumberRule:
    """Pydantic annotation: a number within what the model field can store (and OpenAPI says so)."""

    minimum: int
    maximum: int

    def __call__(self, value):
        if value is not None and not self.minimum <= value <= self.maximum:
            raise PydanticCustomError(
                "out_of_range",
                _("Enter a number from %(minimum)s to %(maximum)s.")
                % {"minimum": self.minimum, "maximum": self.maximum},
            )
        return value

    def __get_pydantic_core_schema__(self, source, handler):
        return core_schema.no_info_after_validator_function(self, handler(source))

    def __get_pydantic_json_schema__(self, schema, handler):
        out = handler(schema)
        if out.get("type") == "integer":
            out.update(minimum=self.minimum, maximum=self.maximum)
        return out


def number_range(field: models.Field | None) -> tuple[int, int] | None:
    """The whole numbers ``field`` can store, or None when it is not a plain number field."""
    if isinstance(field, models.DecimalField) and field.max_digits is not None:
        top = 10 ** (field.max_digits - (field.decimal_places or 0)) - 1
        return -top, top
    if isinstance(field, (models.IntegerField, models.BigIntegerField)) and not isinstance(field, models.AutoField):
        return BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type())
    return None


def _with_rule(annotation, rule):
    """``annotation`` with every plain ``str`` (for a TextRule) or ``int`` (for a NumberRule) in
    it, also inside lists and optionals, ruled."""
    if annotation is (str if isinstance(rule, TextRule) else int):
        return typing.Annotated[annotation, rule]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and args:
        return list[_with_rule(args[0], rule)]  # type: ignore[misc]  # a type built at run time
    if origin in (typing.Union, UnionType) and args:
        return typing.Union[tuple(_with_rule(a, rule) for a in args)]  # noqa: UP007 - built from a tuple
    return annotation


class Input(Schema):
    """Base of every API input schema. Each text field refuses control characters and keeps
    within the limit of the model field it fills: ``model`` matches fields by name,
    ``limits = {"field": "app_label.Model.field"}`` names the others; ``multiline`` lists
    fields without a model field that may hold line breaks."""

    model: ClassVar[type[models.Model] | None] = None
    limits: ClassVar[dict[str, str]] = {}
    multiline: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for name, info in cls.model_fields.items():
            target = target_field(name, cls.limits, cls.model)
            rule = TextRule(
                max_length=getattr(target, "max_length", None),
                multiline=name in cls.multiline or (target is not None and is_multiline(target)),
            )
            info.annotation = _with_rule(info.annotation, rule)
            bounds = number_range(target)
            if bounds:
                info.annotation = _with_rule(info.annotation, NumberRule(*bounds))
        cls.model_rebuild(force=True)


# --- ids from web forms ---------------------------------------------------------------------

MAX_ID = 2**63 - 1  # beyond this a database lookup overflows instead of finding nothing


def _as_id(value) -> int | None:
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
        return None
    return int(text)


def ids(values) -> list[int]:
    """Ids posted by a web form (checkboxes, hidden fields) as numbers; anything else is refused."""
    out = []
    for value in values:
        number = _as_id(value)
        if number is None:
            raise ChizaiError(
                _("“%(value)s” is not a valid choice; reload the page and choose again.") % {"value": str(value)[:40]}
            )
        out.append(number)
    return out


def one_id(value) -> int:
    """One posted id; something that is not one names nothing (0, so lookups answer 404)."""
    return _as_id(value) or 0


# --- deleting what may still be used ------------------------------------------------------

USED_BY_LABELS = {
    "disclosure.disclosure": gettext_lazy("disclosures"),
    "disclosure.disclosureitem": gettext_lazy("disclosed items"),
    "disclosure.agreement": gettext_lazy("agreements"),
    "disclosure.handovercopy": gettext_lazy("hand-over copies"),
    "deals.deal": gettext_lazy("deals"),
    "deals.dealdraft": gettext_lazy("deal drafts"),
    "deals.contributionentry": gettext_lazy("contribution entries"),
    "advisers.referral": gettext_lazy("referrals"),
}


class InUse(ChizaiError):
    """Deleting was refused because other records still point at the object (HTTP 409)."""


def delete_or_refuse(obj, name: str) -> None:
    """Delete ``obj`` or, when protected references remain, raise ``InUse`` naming them."""
    try:
        with transaction.atomic():
            obj.delete()
    except (ProtectedError, RestrictedError) as exc:
        counts: dict[str, int] = {}
        for other in exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects:
            label = other._meta.label_lower
            counts[label] = counts.get(label, 0) + 1
        used = ", ".join(f"{USED_BY_LABELS.get(label, label)} ({count})" for label, count in sorted(counts.items()))
        raise InUse(
            _("“%(name)s” is still used by %(used)s; it was not deleted.") % {"name": name, "used": used}
        ) from None


def save_or_refuse(obj) -> None:
    """``full_clean`` then save; a validation error becomes a ``ChizaiError`` naming the fields."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ChizaiError("; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items())) from exc
    obj.save()


def field_values(obj, fields) -> dict:
    """``{name: value}`` of ``fields`` on ``obj``: the before/after of an audit event."""
    return {name: getattr(obj, name) for name in fields}
