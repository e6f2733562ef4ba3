"""Register texts in the reader's language, for the templates: ``{% load register_text %}``."""

from django import template

from chizai.register import extract

register = template.Library()


@register.filter
def index_note(note: str) -> str:
    """A file version's search-index note (stored in English by the worker) in the reader's language."""
    return extract.note_text(note or "")
