from django.urls import path

from resolution import views

app_name = "ai"

urlpatterns = [
    path("tickets/<int:pk>/panel/", views.panel, name="panel"),
    path("metrics/", views.metrics, name="metrics"),
]

# The knowledge review page (resolution/knowledge_views.py).
from resolution import knowledge_views  # noqa: E402

urlpatterns += [
    path("knowledge/", knowledge_views.pending, name="knowledge"),
    path("knowledge/<int:pk>/edit/", knowledge_views.edit, name="knowledge_edit"),
    path("knowledge/<int:pk>/approve/", knowledge_views.approve, name="knowledge_approve"),
    path("knowledge/<int:pk>/reject/", knowledge_views.reject, name="knowledge_reject"),
]

# Per-intent autonomy (resolution/autonomy_views.py).
from resolution import autonomy_views  # noqa: E402

urlpatterns += [
    path("autonomy/", autonomy_views.autonomy, name="autonomy"),
    path("autonomy/<slug:slug>/", autonomy_views.autonomy_set, name="autonomy_set"),
    path("tickets/<int:pk>/draft/discard/", autonomy_views.discard_draft, name="draft_discard"),
]

# A new intent from the agent workspace (resolution/intent_views.py).
from resolution import intent_views  # noqa: E402

urlpatterns += [
    path("tickets/<int:pk>/new-intent/", intent_views.new_intent, name="intent_new"),
]
