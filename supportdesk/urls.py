from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("supportdesk.api_urls")),
    path("", include("supportdesk.portal_urls")),
]

# Django's own error pages: JSON in the API's error shape under /api/, HTML elsewhere.
handler400 = "common.api_errors.handler400"
handler403 = "common.api_errors.handler403"
handler404 = "common.api_errors.handler404"
handler500 = "common.api_errors.handler500"
