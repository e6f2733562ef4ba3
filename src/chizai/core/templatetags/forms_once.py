"""``{% once_token %}``: the hidden field that lets a form be acted on once (core.submissions).

Loaded for every template through TEMPLATES' ``builtins`` in settings, next to ``{% csrf_token %}``.
"""

import secrets

from django import template
from django.utils.html import format_html

from chizai.core.submissions import FIELD

register = template.Library()


@register.simple_tag
def once_token() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, secrets.token_hex(16))
