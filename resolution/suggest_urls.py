from django.urls import path

from resolution import suggest_views

app_name = "suggest"

urlpatterns = [
    path("", suggest_views.suggestions, name="list"),
    path("answered/", suggest_views.answered, name="answered"),
]
