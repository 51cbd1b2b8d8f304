from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "SupportDesk administration"
admin.site.site_title = "SupportDesk admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("supportdesk.api_urls")),
    path("", include("supportdesk.portal_urls")),
]
