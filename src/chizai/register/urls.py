from django.urls import path

from chizai.register import views

urlpatterns = [
    path("", views.index, name="ic_register"),
]
