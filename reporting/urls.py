from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_page, name="dashboard"),
    path("surveys/", views.survey_list, name="surveys"),
    path("waiting/", views.threads_waiting, name="threads-waiting"),
    path("surveys/new/", views.survey_new, name="survey-new"),
    path("surveys/<int:pk>/edit/", views.survey_edit, name="survey-edit"),
    path("surveys/answer/<int:pk>/", views.survey_answer, name="survey-answer"),
    path("export.csv", views.report_csv, name="export-csv"),
    path("<slug:key>/", views.report_page, name="report"),
    path("<slug:key>/export.csv", views.report_csv, name="report-csv"),
]
