from django.urls import path

from chizai.disclosure import views

urlpatterns = [
    path("", views.index, name="disclosure"),
]
