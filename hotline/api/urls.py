from django.urls import path

from . import billing_views, views

app_name = "calls-api"

urlpatterns = [
    path("calls/events/", views.CallEventCreateApi.as_view(), name="event-create"),
    path("calls/operators/", views.OperatorSeatListApi.as_view(), name="operator-list"),
    path("calls/current/", views.CallCurrentApi.as_view(), name="current"),
    path("calls/operator-state/", views.OperatorStateUpdateApi.as_view(), name="operator-state"),
    path("calls/customers/", views.CallerSearchApi.as_view(), name="customer-search"),
    path("calls/tickets/", views.CallTicketCreateApi.as_view(), name="ticket-create"),
    path("calls/bills/", billing_views.CallerBillsApi.as_view(), name="bills"),
    path("calls/info-given/", billing_views.InfoGivenApi.as_view(), name="info-given"),
    path("calls/violations/<int:pk>/review/", views.ViolationReviewApi.as_view(), name="violation-review"),
]
