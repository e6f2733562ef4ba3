from django.urls import path

from chizai.review import views

urlpatterns = [
    path("", views.index, name="reviews"),
]
