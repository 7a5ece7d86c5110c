from django.urls import path

from . import views

app_name = "connections-api"

urlpatterns = [
    path("applications/", views.ApplicationCreateApi.as_view(), name="applications"),
    path("quote/", views.QuoteApi.as_view(), name="quote"),
]
