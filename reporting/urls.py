from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_page, name="dashboard"),
    path("export.csv", views.report_csv, name="export-csv"),
    path("<slug:key>/", views.report_page, name="report"),
    path("<slug:key>/export.csv", views.report_csv, name="report-csv"),
]
