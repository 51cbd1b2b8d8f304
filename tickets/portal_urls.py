from django.http import HttpResponse
from django.urls import path

app_name = "portal"


def home(request):
    return HttpResponse("SupportDesk")


urlpatterns: list = [path("", home, name="home")]
