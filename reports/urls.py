from django.urls import path

from . import compensation_views, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("compensation/", compensation_views.compensation_page, name="compensation"),
    path("compensation.csv", compensation_views.compensation_csv, name="compensation-csv"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export-csv"),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export-xlsx"),
    path("exports/<str:job_id>/", views.job, name="job"),
    path("exports/<str:job_id>/status/", views.job_status, name="job-status"),
    path("exports/<str:job_id>/download/", views.job_download, name="job-download"),
]
