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
]
