from django.urls import path

from chizai.succession import views

urlpatterns = [
    path("", views.skills_map, name="succession"),
    path("people/", views.people, name="succession_people"),
    path("people/<int:person_id>/", views.person, name="succession_person"),
    path("skills/", views.skills, name="succession_skills"),
    path("export.xlsx", views.export_xlsx, name="succession_export"),
    path("import/", views.import_xlsx, name="succession_import"),
    path("import/confirm/", views.import_confirm, name="succession_import_confirm"),
    path("plans/", views.plan_list, name="succession_plans"),
    path("plans/new/<int:asset_id>/", views.plan_new, name="succession_plan_new"),
    path("plans/<int:plan_id>/", views.plan_detail, name="succession_plan"),
    path("plans/<int:plan_id>/sessions/", views.plan_session, name="succession_plan_session"),
    path("plans/<int:plan_id>/layers/", views.plan_layer, name="succession_plan_layer"),
    path("plans/<int:plan_id>/answers/", views.plan_answers, name="succession_plan_answers"),
    path("plans/<int:plan_id>/signoff/", views.plan_signoff, name="succession_plan_signoff"),
]
