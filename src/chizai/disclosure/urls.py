from django.urls import path

from chizai.disclosure import picker, views

urlpatterns = [
    path("", views.index, name="disclosure"),
    path("partners/new/", views.partner_create, name="disclosure_partner_create"),
    path("partners/<int:partner_id>/", views.partner_detail, name="disclosure_partner"),
    path("partners/<int:partner_id>/edit/", views.partner_edit, name="disclosure_partner_edit"),
    path("partners/<int:partner_id>/contacts/", views.contact_add, name="disclosure_contact_add"),
    path("partners/<int:partner_id>/delete/", views.partner_delete, name="disclosure_partner_delete"),
    path("partners/<int:partner_id>/dossier.<str:fmt>", views.dossier, name="disclosure_dossier"),
    path("agreements/new/", views.agreement_new, name="disclosure_agreement_new"),
    path("agreements/<int:agreement_id>/", views.agreement_detail, name="disclosure_agreement"),
    path("agreements/<int:agreement_id>/confirm/", views.agreement_confirm, name="disclosure_agreement_confirm"),
    path("agreements/<int:agreement_id>/sign/", views.agreement_sign, name="disclosure_agreement_sign"),
    path("agreements/<int:agreement_id>/upload/", views.agreement_upload, name="disclosure_agreement_upload"),
    path("agreements/<int:agreement_id>/file/", views.agreement_download, name="disclosure_agreement_file"),
    path("new/", views.disclosure_new, name="disclosure_new"),
    path("new/pick/<str:kind>.json", picker.picker, name="disclosure_picker"),
    path("<int:disclosure_id>/", views.disclosure_detail, name="disclosure_detail"),
    path("<int:disclosure_id>/approve/", views.disclosure_approve, name="disclosure_approve"),
    path("<int:disclosure_id>/second/", views.disclosure_second, name="disclosure_second"),
    path("<int:disclosure_id>/override/", views.disclosure_override, name="disclosure_override"),
    path("<int:disclosure_id>/return/", views.disclosure_return, name="disclosure_return"),
    path("<int:disclosure_id>/copies/", views.disclosure_copies, name="disclosure_copies"),
    path("copies/<int:copy_id>/", views.copy_download, name="disclosure_copy"),
    path("trace/", views.trace_page, name="disclosure_trace"),
    path("calendar/", views.calendar, name="disclosure_calendar"),
    path("calendar/token/", views.calendar_token, name="disclosure_calendar_token"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="disclosure_calendar_feed"),
]
