"""The server-rendered portal: customers' pages, the agents' queue, the metrics page."""

from django.http import HttpResponse
from django.urls import path


def home(request):
    return HttpResponse("SupportDesk")


urlpatterns: list = [path("", home, name="home")]
