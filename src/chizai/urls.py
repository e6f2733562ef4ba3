from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from chizai.api import api
from chizai.core import health

urlpatterns = [
    # No login, no tenant data (core/health.py).
    path("healthz", health.healthz, name="health"),
    path("healthz/jobs", health.healthz_jobs, name="health_jobs"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", api.urls),
    path("o/<slug:org_slug>/register/", include("chizai.register.urls")),
    path("o/<slug:org_slug>/reviews/", include("chizai.review.urls")),
    path("o/<slug:org_slug>/disclosure/", include("chizai.disclosure.urls")),
    path("o/<slug:org_slug>/deals/", include("chizai.deals.urls")),
    path("o/<slug:org_slug>/succession/", include("chizai.succession.urls")),
    path("o/<slug:org_slug>/advisers/", include("chizai.advisers.urls")),
    path("", include("chizai.core.urls")),
]

handler403 = "chizai.core.views.permission_denied"
handler404 = "chizai.core.views.page_not_found"
handler500 = "chizai.core.views.server_error"
