from django.urls import path

from chizai.register import clip_views, views

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
    path("<int:asset_id>/clips/", clip_views.upload, name="register_clip_upload"),
    path("clips/<int:clip_id>/stream", clip_views.stream, name="register_clip_stream"),
    path("clips/<int:clip_id>/poster", clip_views.poster, name="register_clip_poster"),
    path("clips/<int:clip_id>/poster/set/", clip_views.set_poster, name="register_clip_set_poster"),
    path("clips/<int:clip_id>/chapters/", clip_views.add_chapter, name="register_clip_add_chapter"),
    path("clips/<int:clip_id>/chapters.vtt", clip_views.captions, name="register_clip_captions"),
    path(
        "clips/<int:clip_id>/chapters/<int:chapter_id>/delete/",
        clip_views.delete_chapter,
        name="register_clip_delete_chapter",
    ),
    path("clips/<int:clip_id>/delete/", clip_views.delete, name="register_clip_delete"),
]
