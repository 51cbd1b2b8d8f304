"""The REST API, under /api/ (the table in docs/ARCHITECTURE.md, "API"; the schema at /api/schema/).

Paths have no trailing slash, as in the contract; the schema and docs pages do.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api import (
    AccountEraseView,
    AccountExportView,
    LoginView,
    LogoutView,
    RefreshView,
)
from channels.api import WebhookDetailView, WebhookListCreateView
from common.api_errors import api_not_found
from feedback.api import FeedbackView
from resolution.api import MetricsView, TicketDetailView, TicketResolveView
from resolution.autonomy_api import AutonomyDetailView, AutonomyListView
from tickets.api import (
    TeamListView,
    TicketAssignView,
    TicketClaimView,
    TicketCustomerReplyView,
    TicketListCreateView,
    TicketReplyView,
)
from tickets.macro_api import MacroDetailView, MacroListView
from tickets.queue_api import SavedViewDetailView, SavedViewListCreateView, TicketBulkView
from tickets.rules_api import RuleDetailView, RuleListCreateView

urlpatterns = [
    path("auth/login", LoginView.as_view(), name="api-login"),
    path("auth/refresh", RefreshView.as_view(), name="api-refresh"),
    path("auth/logout", LogoutView.as_view(), name="api-logout"),
    path("account/export", AccountExportView.as_view(), name="api-account-export"),
    path("account/erase", AccountEraseView.as_view(), name="api-account-erase"),
    path("tickets", TicketListCreateView.as_view(), name="api-tickets"),
    path("tickets/bulk", TicketBulkView.as_view(), name="api-tickets-bulk"),
    path("views", SavedViewListCreateView.as_view(), name="api-views"),
    path("views/<int:pk>", SavedViewDetailView.as_view(), name="api-view"),
    path("tickets/<int:pk>", TicketDetailView.as_view(), name="api-ticket"),
    path("tickets/<int:pk>/resolve", TicketResolveView.as_view(), name="api-ticket-resolve"),
    path("tickets/<int:pk>/reply", TicketReplyView.as_view(), name="api-ticket-reply"),
    path("tickets/<int:pk>/claim", TicketClaimView.as_view(), name="api-ticket-claim"),
    path("tickets/<int:pk>/assign", TicketAssignView.as_view(), name="api-ticket-assign"),
    path(
        "tickets/<int:pk>/messages",
        TicketCustomerReplyView.as_view(),
        name="api-ticket-customer-reply",
    ),
    path("teams", TeamListView.as_view(), name="api-teams"),
    path("macros", MacroListView.as_view(), name="api-macros"),
    path("macros/<int:pk>", MacroDetailView.as_view(), name="api-macro"),
    path("feedback/<int:ticket_id>", FeedbackView.as_view(), name="api-feedback"),
    path("admin/metrics", MetricsView.as_view(), name="api-metrics"),
    path("admin/autonomy", AutonomyListView.as_view(), name="api-autonomy"),
    path("admin/autonomy/<slug:slug>", AutonomyDetailView.as_view(), name="api-autonomy-intent"),
    path("admin/webhooks", WebhookListCreateView.as_view(), name="api-webhooks"),
    path("admin/rules", RuleListCreateView.as_view(), name="api-rules"),
    path("admin/rules/<int:pk>", RuleDetailView.as_view(), name="api-rule"),
    path("admin/webhooks/<int:pk>", WebhookDetailView.as_view(), name="api-webhook"),
    path(
        "schema/",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="api-schema",
    ),
    path(
        "docs/",
        # The split view serves its start-up script from a URL, so no inline script is needed.
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", authentication_classes=[], permission_classes=[]
        ),
        name="api-docs",
    ),
    # Last: any other /api/ address is a 404 in the API's error shape, DEBUG or not.
    re_path(r"^", api_not_found),
]
