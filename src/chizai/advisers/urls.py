from django.urls import path

from chizai.advisers import views

urlpatterns = [
    path("", views.index, name="advisers"),
]
