from django.urls import path

from resolution import views

app_name = "ai"

urlpatterns = [
    path("tickets/<int:pk>/panel/", views.panel, name="panel"),
    path("metrics/", views.metrics, name="metrics"),
]
