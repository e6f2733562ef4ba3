from django.urls import path

from chizai.deals import views

urlpatterns = [
    path("", views.index, name="deals"),
    path("<int:deal_id>/", views.detail, name="deal_detail"),
    path("<int:deal_id>/edit/", views.edit, name="deal_edit"),
    path("<int:deal_id>/delete/", views.delete, name="deal_delete"),
    path("<int:deal_id>/assets/", views.assets, name="deal_assets"),
    path("<int:deal_id>/disclosures/", views.disclosures, name="deal_disclosures"),
    path("<int:deal_id>/drafts/new/", views.add_draft, name="deal_add_draft"),
    path("<int:deal_id>/points/", views.points, name="deal_points"),
    path("<int:deal_id>/points/from-finding/", views.point_from_finding, name="deal_point_from_finding"),
    path("<int:deal_id>/points/<int:point_id>/", views.point, name="deal_point"),
    path("<int:deal_id>/points/<int:point_id>/status/", views.point_status, name="deal_point_status"),
    path("<int:deal_id>/people/", views.people, name="deal_people"),
    path("<int:deal_id>/people/<int:stakeholder_id>/", views.stakeholder, name="deal_stakeholder"),
    path("<int:deal_id>/people/<int:stakeholder_id>/consulted/", views.consulted, name="deal_consulted"),
    path("<int:deal_id>/contacts/", views.contact, name="deal_contact"),
    path("<int:deal_id>/followups/<int:followup_id>/done/", views.followup_done, name="deal_followup_done"),
    path("<int:deal_id>/ledger/", views.ledger, name="deal_ledger"),
    path("<int:deal_id>/ledger/chart.svg", views.ledger_chart, name="deal_ledger_chart"),
    path("<int:deal_id>/ledger/weights/", views.weights, name="deal_weights"),
    path("<int:deal_id>/ledger/<int:entry_id>/delete/", views.entry_delete, name="deal_entry_delete"),
    path("<int:deal_id>/ledger/<int:entry_id>/evidence/", views.entry_evidence, name="deal_entry_evidence"),
    path("<int:deal_id>/worksheet/", views.worksheet, name="deal_worksheet"),
    path("<int:deal_id>/worksheet/<int:item_id>/delete/", views.item_delete, name="deal_item_delete"),
    path("<int:deal_id>/annex/", views.annex, name="deal_annex"),
    path("<int:deal_id>/brief/", views.brief, name="deal_brief"),
]
