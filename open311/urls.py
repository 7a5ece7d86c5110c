from django.urls import path, re_path

from . import views

app_name = "open311"

FORMAT = r"\.(?P<format>json|xml)$"

urlpatterns = [
    path("", views.RootRedirect.as_view(), name="root"),
    re_path(r"^discovery" + FORMAT, views.DiscoveryApi.as_view(), name="discovery"),
    re_path(r"^services" + FORMAT, views.ServiceListApi.as_view(), name="service-list"),
    re_path(r"^services/(?P<service_code>[^/]+?)" + FORMAT, views.ServiceDefinitionApi.as_view(), name="service"),
    re_path(r"^requests" + FORMAT, views.RequestListCreateApi.as_view(), name="request-list"),
    re_path(r"^requests/(?P<service_request_id>[^/]+?)" + FORMAT, views.RequestDetailApi.as_view(), name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FORMAT, views.TokenApi.as_view(), name="token"),
]
