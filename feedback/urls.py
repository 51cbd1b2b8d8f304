from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("tickets/<int:ticket_pk>/", views.rate, name="rate"),
]
