"""One spelling per user name: NFKC, trimmed, case-folded; absurd input refused before any look-up.

Why: the lockout counts failures per user name. When authentication accepted " viewer" and
"ｖｉｅｗｅｒ" as ``viewer`` (Django's form applies NFKC and trims) but the counter saw three
different names, five failures locked nothing. Every place that compares or stores a user
name therefore goes through ``normalise``: the login form and lockout, and (by the pre_save
receiver below) every new account, whichever path creates it — invitation sign-up,
``createsuperuser``, the demo, scripts.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

MAX_LENGTH = 150  # the length of auth.User.username

# C0 and C1 controls (NUL included), DEL and lone surrogates: no database stores them in a
# name, and PostgreSQL refuses NUL outright, which used to end a login in an error page.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def normalise(raw: str) -> str:
    # NFKC again after case-folding: folding can yield sequences NFKC would compose.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold()).strip()


def problem(raw: str) -> str | None:
    """A translated reason why ``raw`` cannot be a user name, or None."""
    if len(raw) > MAX_LENGTH * 4 or len(normalise(raw)) > MAX_LENGTH:
        return _("A user name has at most %(limit)d characters.") % {"limit": MAX_LENGTH}
    if _CONTROL.search(raw):
        return _("A user name cannot contain control characters.")
    return None


def normalise_new_user(sender, instance, raw=False, **kwargs) -> None:
    """pre_save receiver for the user model: a new account is stored under its normalised name.

    Only new rows: an existing account from before normalisation whose normalised name is
    taken by another account keeps its spelling (see migration core.0004) rather than
    failing on its next save.
    """
    if raw or not instance._state.adding:
        return
    username = instance.get_username()
    if username:
        setattr(instance, instance.USERNAME_FIELD, normalise(username))
