from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _

from chizai.core import context_vars, submissions
from chizai.core.storage import RETRY_AFTER_SECONDS, StorageUnavailable, unavailable_message, unavailable_title

logger = logging.getLogger(__name__)


def client_ip_of(request) -> str:
    # REMOTE_ADDR only: behind nginx, set the real address there (docs/deploy.md),
    # because X-Forwarded-For is whatever the client chose to send.
    return request.META.get("REMOTE_ADDR", "")[:64]


class RequestContextMiddleware:
    """Give each request an id (echoed as X-Request-ID) and remember its client address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming[:64] if incoming.replace("-", "").isalnum() else uuid.uuid4().hex
        token_id = context_vars.request_id.set(request.request_id)
        token_ip = context_vars.client_ip.set(client_ip_of(request))
        try:
            response = self.get_response(request)
        finally:
            context_vars.request_id.reset(token_id)
            context_vars.client_ip.reset(token_ip)
        response["X-Request-ID"] = request.request_id
        return response


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: a strict CSP (all scripts are our own files)."""

    CSP = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class OnceOnlyFormMiddleware:
    """A web form carrying a ``_once`` token is acted on once (see core.submissions).

    A second send of the same token goes where the first one led, with a note; a send that
    did not end in a redirect (errors shown, a refusal, a failure) gives the token up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = submissions.token_in(request.POST) if self._web_form(request) else None
        if token is None:
            return self.get_response(request)
        if not submissions.claim(token, request.user, request.path):
            result_url = submissions.first_result(token, request.user)
            if result_url:
                messages.info(
                    request, _("This form had already been sent; here is the result. Nothing was done twice.")
                )
                return HttpResponseRedirect(result_url)
            return render(request, "409_once.html", status=409)
        try:
            response = self.get_response(request)
        except BaseException:
            submissions.release(token)
            raise
        if response.status_code in (301, 302, 303) and response.get("Location"):
            submissions.finish(token, response["Location"])
        else:
            submissions.release(token)
        return response

    @staticmethod
    def _web_form(request) -> bool:
        # the JSON API has its own idempotency (retries of a failed call are the caller's); a body
        # that is not a form is never parsed here
        return (
            request.method == "POST"
            and not request.path.startswith("/api/")
            and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
        )


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached gets a plain 503 page, never a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            # an id in the URL beyond the database's integer range names nothing that exists
            from django.http import Http404
            from django.views.defaults import page_not_found

            return page_not_found(request, Http404())
        if isinstance(exception, (OperationalError, InterfaceError)) or (
            isinstance(exception, DatabaseError) and "connect" in str(exception).lower()
        ):
            logger.error("database unavailable: %s", exception)
            try:
                body: str = render_to_string("503.html", request=None)
            except Exception:  # noqa: BLE001 - the template layer itself may need the database
                body = "<h1>Service unavailable</h1><p>The database cannot be reached. Please try again shortly.</p>"
            return HttpResponse(body, status=503)
        return None


class StorageUnavailableMiddleware:
    """A file storage that is down, hung or refusing gets a 503 page in the user's language
    saying nothing was saved; the writers store the file before any row, so that is true.
    Listed after LocaleMiddleware, so the language is already chosen when this answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StorageUnavailable):
            return None
        logger.error(
            "request %s answered 503, file storage unavailable: %s", getattr(request, "request_id", "-"), exception
        )
        try:
            context = {"title": unavailable_title(), "message": unavailable_message()}
            body: str = render_to_string("storage_unavailable.html", context, request=request)
        except Exception:  # noqa: BLE001 - the page must not depend on more than the message
            body = f"<h1>503</h1><p>{escape(unavailable_message())}</p>"
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
