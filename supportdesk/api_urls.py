"""The REST API, under /api/ (see DESIGN.md "API contract")."""

urlpatterns: list = []
