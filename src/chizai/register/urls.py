from django.urls import path

from chizai.register import views

urlpatterns = [
    path("", views.index, name="ic_register"),
    path("new/", views.create, name="register_create"),
    path("search/", views.search_page, name="register_search"),
    path("risks/", views.risks, name="register_risks"),
    path("reclassify/", views.reclassify, name="register_reclassify"),
    path("export.xlsx", views.export_xlsx, name="register_export"),
    path("import/", views.import_xlsx, name="register_import"),
    path("<int:asset_id>/", views.detail, name="register_asset"),
    path("<int:asset_id>/edit/", views.edit, name="register_edit"),
    path("<int:asset_id>/delete/", views.delete, name="register_delete"),
    path("<int:asset_id>/upload/", views.upload, name="register_upload"),
    path("<int:asset_id>/holders/", views.add_holder, name="register_add_holder"),
    path("<int:asset_id>/holders/<int:holder_id>/remove/", views.remove_holder, name="register_remove_holder"),
    path("<int:asset_id>/grants/", views.grant, name="register_grant"),
    path("versions/<int:version_id>/download/", views.download, name="register_download"),
]
