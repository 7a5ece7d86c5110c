from django.urls import path

from . import views

app_name = "outages"

urlpatterns = [
    path("peta-padam/", views.outage_map, name="map"),
    path("nyala/<str:token>/", views.confirm, name="confirm"),
    path("info-pemadaman/", views.alerts, name="alerts"),
]
