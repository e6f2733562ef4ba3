from django.contrib.auth import views as auth_views
from django.urls import path

from chizai.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(template_name="core/password_change.html"),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html"),
        name="password_change_done",
    ),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("invite/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("o/<slug:org_slug>/", views.org_dashboard, name="org_dashboard"),
    path("o/<slug:org_slug>/members/", views.members, name="members"),
    path("o/<slug:org_slug>/members/invite/", views.invite, name="invite"),
    path("o/<slug:org_slug>/members/<int:membership_id>/remove/", views.remove_member, name="remove_member"),
    path("o/<slug:org_slug>/engagements/grant/", views.grant_engagement, name="grant_engagement"),
    path("o/<slug:org_slug>/engagements/<int:engagement_id>/end/", views.end_engagement, name="end_engagement"),
    path("o/<slug:org_slug>/audit/", views.audit_log, name="audit_log"),
    path("o/<slug:org_slug>/audit.csv", views.audit_export, name="audit_export"),
    path("o/<slug:org_slug>/jobs/<int:job_id>/", views.job_status, name="job_status"),
]
