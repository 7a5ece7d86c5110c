from django.urls import path

from . import views

app_name = "dispatch-api"

urlpatterns = [
    path("position/", views.TechnicianPositionUpdateApi.as_view(), name="position"),
    path("jobs/", views.JobListApi.as_view(), name="jobs"),
    path("jobs/<int:pk>/photos/<str:number>/", views.JobPhotoApi.as_view(), name="job-photo"),
    path("duty/", views.TechnicianDutyUpdateApi.as_view(), name="duty"),
    path("assignments/<int:pk>/steps/", views.AssignmentStepCreateApi.as_view(), name="assignment-steps"),
    path("board/", views.BoardApi.as_view(), name="board"),
    path("incidents/", views.IncidentListApi.as_view(), name="incident-list"),
    path("incidents/<int:pk>/", views.IncidentDetailApi.as_view(), name="incident-detail"),
    path("incidents/<int:pk>/assign/", views.IncidentAssignApi.as_view(), name="incident-assign"),
    path("incidents/<int:pk>/estimate/", views.IncidentEstimateApi.as_view(), name="incident-estimate"),
    path("incidents/<int:pk>/restore/", views.IncidentRestoreApi.as_view(), name="incident-restore"),
    path("nearby/", views.NearbyIncidentApi.as_view(), name="nearby"),
    path("field-jobs/", views.FieldJobListApi.as_view(), name="field-jobs"),
    path("field-jobs/<int:pk>/steps/", views.FieldJobStepCreateApi.as_view(), name="field-job-steps"),
    path("causes/", views.CauseListApi.as_view(), name="causes"),
]
