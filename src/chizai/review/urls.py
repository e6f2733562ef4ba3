from django.urls import path

from chizai.review import views

urlpatterns = [
    path("", views.index, name="reviews"),
    path("<int:review_id>/", views.detail, name="review_detail"),
    path("<int:review_id>/export/docx-comments/", views.export_docx, name="review_export_docx"),
    path("<int:review_id>/export/<str:fmt>/", views.export, name="review_export"),
    path("<int:review_id>/new-version/", views.new_version, name="review_new_version"),
    path("<int:review_id>/compare/<int:other_id>/", views.compare, name="review_compare"),
    path("<int:review_id>/feedback/", views.feedback, name="review_feedback"),
    path("<int:review_id>/findings/<int:index>/page/", views.finding_page, name="review_finding_page"),
    path(
        "<int:review_id>/findings/<int:index>/page/<int:page>.png",
        views.finding_page_image,
        name="review_finding_page_image",
    ),
]
