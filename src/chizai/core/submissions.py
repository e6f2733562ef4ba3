"""Each web form is acted on once.

Every POST form carries a fresh hidden token (``{% once_token %}``). The first send of a
token claims it with an INSERT on a unique column, so two sends racing on two workers or
hosts cannot both win; the later one waits briefly for the first one's result and is sent
there. A send that did not succeed (the form came back with errors, or failed) gives its
token up again, so the corrected form can be sent.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from chizai.core.models import FormSubmission

FIELD = "_once"
KEEP_FOR = timedelta(days=1)
TOKEN_SHAPE = re.compile(r"[0-9a-f]{32}")


def token_in(post) -> str | None:
    token = post.get(FIELD, "")
    return token if TOKEN_SHAPE.fullmatch(token) else None


def claim(token: str, user, path: str) -> bool:
    """True for the first send of ``token``; False when it was sent before."""
    FormSubmission.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    try:
        with transaction.atomic():
            FormSubmission.objects.create(
                token=token, user=user if getattr(user, "is_authenticated", False) else None, path=path[:300]
            )
    except IntegrityError:
        return False
    return True


def finish(token: str, result_url: str) -> None:
    FormSubmission.objects.filter(token=token).update(result_url=result_url[:500], finished=True)


def release(token: str) -> None:
    FormSubmission.objects.filter(token=token, finished=False).delete()


def first_result(token: str, user, *, wait_seconds: float = 10.0, poll_seconds: float = 0.2) -> str | None:
    """Where the first send of ``token`` led, waiting while it is still being acted on.

    None when the first send gave the token up meanwhile (it failed) or is still running
    after ``wait_seconds``. Only the same user is told where it led.
    """
    deadline = time.monotonic() + wait_seconds
    while True:
        row = FormSubmission.objects.filter(token=token).first()
        if row is None:
            return None
        if row.finished:
            same_user = row.user_id == (user.pk if getattr(user, "is_authenticated", False) else None)
            return row.result_url if same_user else None
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll_seconds)
