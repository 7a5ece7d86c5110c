from django.urls import path

from . import views as api

app_name = "outages-api"

urlpatterns = [
    path("outages/banner/", api.BannerApi.as_view(), name="banner"),
    path("outages/map/", api.MapApi.as_view(), name="map"),
    path("outages/subscriptions/", api.RestorationSubscriptionApi.as_view(), name="subscriptions"),
    path("outages/planned/", api.PlannedOutageListApi.as_view(), name="planned-list"),
    path("outages/planned/<int:pk>/cancel/", api.PlannedOutageCancelApi.as_view(), name="planned-cancel"),
    path("outages/incidents/<int:pk>/partly-restored/", api.PartlyRestoredApi.as_view(), name="partly-restored"),
    path("announcements/<str:code>/", api.AnnouncementApi.as_view(), name="announcement"),
]
