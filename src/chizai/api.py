"""The JSON API (django-ninja): OpenAPI at /api/docs, personal tokens or the web session.

Each app contributes a router from its own ``api.py``; every route reads organisation
data only through ``restrict`` (see chizai.core.api.org_or_404).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from chizai.core import services
from chizai.core.storage import RETRY_AFTER_SECONDS, StorageUnavailable, unavailable_message


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = services.user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="chizai API",
    version="1",
    description="Organisations, audit, register, reviews, disclosures, deals, advisers and succession. "
    "Authenticate with a personal token (Authorization: Bearer chz_…) created under Account → API tokens.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(OverflowError)
def _number_out_of_range(request, exc):
    # an id beyond the database's integer range names nothing that exists
    return api.create_response(request, {"detail": "Not Found"}, status=404)


@api.exception_handler(DataError)
def _bad_value(request, exc):
    return api.create_response(request, {"detail": "A value is out of range or malformed."}, status=422)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    # The one rendering of a refusal (chizai.core.access): Denied -> 403 with its message,
    # NotFound -> 404 saying nothing more (no leak that the organisation or object exists).
    status = getattr(exc, "status", 403)
    detail = "Not Found" if status == 404 else (str(exc) or "Not allowed.")
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(StorageUnavailable)
def _storage_unavailable(request, exc):
    # the writers store the file before any row, so nothing was saved (see chizai.core.storage)
    response = api.create_response(
        request, {"detail": unavailable_message(), "code": "storage_unavailable"}, status=503
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.exception_handler(services.ChizaiError)
def _refused(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=422)


from chizai.core.api import router as core_router  # noqa: E402

from chizai.register.api import router as register_router  # noqa: E402
from chizai.review.api import router as review_router  # noqa: E402
from chizai.advisers.api import router as advisers_router  # noqa: E402
from chizai.deals.api import router as deals_router  # noqa: E402
from chizai.disclosure.api import router as disclosure_router  # noqa: E402
from chizai.succession.api import router as succession_router  # noqa: E402

api.add_router("/", core_router)
api.add_router("/", register_router)
api.add_router("/", review_router)
api.add_router("/", advisers_router)
api.add_router("/", deals_router)
api.add_router("/", disclosure_router)
api.add_router("/", succession_router)
