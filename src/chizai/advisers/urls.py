from django.urls import path

from chizai.advisers import views

urlpatterns = [
    path("", views.index, name="advisers"),
    # a support organisation
    path("portfolio/", views.portfolio, name="advisers_portfolio"),
    path("priorities/", views.priorities, name="advisers_priorities"),
    path("priorities/weights/", views.publish_weights, name="advisers_publish_weights"),
    path("priorities/rate/", views.rate_client, name="advisers_rate_client"),
    path("priorities.csv", views.priorities_csv, name="advisers_priorities_csv"),
    path("directory/", views.directory, name="advisers_directory"),
    path("directory/save/", views.save_programme, name="advisers_save_programme"),
    path("network/", views.network, name="advisers_network"),
    path("network.csv", views.network_csv, name="advisers_network_csv"),
    # a client company
    path("workspace/", views.workspace, name="advisers_workspace"),
    path("workspace/record/", views.save_record, name="advisers_save_record"),
    path("workspace/actions/", views.add_action, name="advisers_add_action"),
    path("workspace/actions/status/", views.action_status, name="advisers_action_status"),
    path("workspace/visits/", views.log_visit, name="advisers_log_visit"),
    path("workspace/skills/", views.note_skill, name="advisers_note_skill"),
    path("workspace/referrals/", views.refer, name="advisers_refer"),
    path("workspace/referrals/outcome/", views.referral_outcome, name="advisers_referral_outcome"),
    path("diagnostics/new/", views.new_diagnostic, name="advisers_new_diagnostic"),
    path("diagnostics/<int:diagnostic_id>/", views.diagnostic_detail, name="advisers_diagnostic"),
    path("diagnostics/<int:diagnostic_id>/save/", views.save_diagnostic, name="advisers_save_diagnostic"),
    path("diagnostics/<int:diagnostic_id>/report.pdf", views.diagnostic_pdf, name="advisers_diagnostic_pdf"),
]
