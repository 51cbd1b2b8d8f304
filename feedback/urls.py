from django.urls import path

from feedback import survey_views, views

app_name = "feedback"

urlpatterns = [
    path("tickets/<int:ticket_pk>/", views.rate, name="rate"),
    # The signed link of the satisfaction survey (feedback/csat.py): no login needed.
    path("survey/<str:token>/", survey_views.survey, name="survey"),
]
