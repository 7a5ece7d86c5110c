from django.urls import path

from . import views

app_name = "billing-api"

urlpatterns = [
    path("lookup/", views.BillLookupApi.as_view(), name="lookup"),
]
