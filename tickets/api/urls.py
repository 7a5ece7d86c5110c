from django.urls import path

from . import feedback, replies, views

app_name = "tickets-api"

urlpatterns = [
    path("categories/", views.CategoryListApi.as_view(), name="category-list"),
    path("tickets/", views.TicketListCreateApi.as_view(), name="ticket-list"),
    path("tickets/<str:number>/", views.TicketDetailApi.as_view(), name="ticket-detail"),
    path("tickets/<str:number>/status/", views.TicketStatusChangeApi.as_view(), name="ticket-status"),
    path("tickets/<str:number>/notes/", views.TicketNoteCreateApi.as_view(), name="ticket-notes"),
    path(
        "tickets/<str:number>/replies/<int:pk>/attachment/",
        replies.ReplyAttachmentApi.as_view(),
        name="reply-attachment",
    ),
    path("feedback/", feedback.FeedbackListCreateApi.as_view(), name="feedback-list"),
    path("feedback/<int:pk>/reply/", feedback.FeedbackReplyApi.as_view(), name="feedback-reply"),
    path("feedback/<int:pk>/close/", feedback.FeedbackCloseApi.as_view(), name="feedback-close"),
    path("track/", views.TrackingLookupApi.as_view(), name="track-lookup"),
    path("track/reply/", replies.TrackingReplyCreateApi.as_view(), name="track-reply"),
    path("track/inbound/", replies.InboundMessageCreateApi.as_view(), name="track-inbound"),
    path("track/<str:token>/", views.TrackingTokenApi.as_view(), name="track-token"),
]
