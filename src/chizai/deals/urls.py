from django.urls import path

from chizai.deals import views

urlpatterns = [
    path("", views.index, name="deals"),
]
