"""The JSON API (django-ninja): OpenAPI at /api/docs, personal tokens or the web session.

Each app contributes a router from its own ``api.py``; every route reads organisation
data only through ``restrict`` (see chizai.core.api.org_or_404).
"""
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from chizai.core import services


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = services.user_for_api_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="chizai API",
    version="1",
    description="Organisations, audit, register, reviews, disclosures, deals and advisers. "
    "Authenticate with a personal token (Authorization: Bearer chz_…) created under Account → API tokens.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)

from chizai.core.api import router as core_router  # noqa: E402

from chizai.register.api import router as register_router  # noqa: E402
from chizai.review.api import router as review_router  # noqa: E402
from chizai.advisers.api import router as advisers_router  # noqa: E402
from chizai.deals.api import router as deals_router  # noqa: E402
from chizai.disclosure.api import router as disclosure_router  # noqa: E402

api.add_router("/", core_router)
api.add_router("/", register_router)
api.add_router("/", review_router)
api.add_router("/", advisers_router)
api.add_router("/", deals_router)
api.add_router("/", disclosure_router)
