"""The server-rendered portal. Each app owns its own URL module."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("accounts.urls")),
    path("agent/", include("tickets.agent_urls")),
    path("feedback/", include("feedback.urls")),
    path("ai/", include("resolution.urls")),
    path("suggest/", include("resolution.suggest_urls")),
    path("email/", include("channels.urls")),
    path("", include("tickets.portal_urls")),
]
