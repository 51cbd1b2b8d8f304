"""Every URL the project serves × {anonymous, owner, other customer, agent, admin}.

The list of URLs is not written here: it is walked from the URL conf. `RULES` says what each
role gets from each URL; a URL without a rule fails `test_every_url_has_a_rule`, naming it, so
nobody can add a page, a fragment or an endpoint without deciding who may use it.

Outcomes are short tokens:
  "200", "201", "401", "403", "404", "405"  the status code;
  "->login"  sent to the portal's log-in page (a redirect or htmx's HX-Redirect);
  "->admin-login"  sent to the admin's log-in page;
  "->/path/"  redirected there ({id} is the ticket's id).
When a role is refused (any 4xx, or sent to log in), nothing in the database changed.
Alice owns the ticket; Charlie is the other customer.
"""

from collections.abc import Iterator

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.verification import verification_tokens
from channels.models import WebhookEndpoint
from channels.services.email_out import feedback_token
from feedback.csat import survey_token
from feedback.models import Feedback
from resolution.models import Intent, KnowledgeEntry, KnowledgeStatus
from tests.api_helpers import (  # noqa: F401  (the autouse fixture)
    _clear_throttle_history,
    answered_ticket,
    api,
    escalated_ticket,
)
from tests.conftest import PASSWORD
from tickets.models import Attachment, Macro, Message, Ticket

ROLES = ["anonymous", "owner", "other_customer", "agent", "admin"]

LOGIN, ADMIN_LOGIN = "->login", "->admin-login"
HOME, QUEUE, TICKETS, KNOWLEDGE = "->/", "->/agent/", "->/tickets/", "->/ai/knowledge/"
REFUSED_CUSTOMER_PAGE = [LOGIN, "200", "200", QUEUE, QUEUE]  # a customer's own page
AGENT_PAGE = [LOGIN, "403", "403", "200", "200"]

# name (or route, for unnamed patterns) -> (method, ticket state, body, outcome per role)
# ticket state: "answered" (auto-resolved, with an answer) or "escalated" (waiting for agents).
RULES: dict[str, tuple[str, str, dict | None, list[str]]] = {
    # --- the customer portal --------------------------------------------------------------
    "portal:home": ("get", "answered", None, [LOGIN, TICKETS, TICKETS, QUEUE, QUEUE]),
    "portal:ticket_list": ("get", "answered", None, REFUSED_CUSTOMER_PAGE),
    "portal:ticket_new": ("get", "answered", None, REFUSED_CUSTOMER_PAGE),
    "portal:ticket_detail": ("get", "answered", None, [LOGIN, "200", "404", QUEUE, QUEUE]),
    "portal:ticket_reply": (
        "post",
        "answered",
        {"message": "It still has not arrived."},
        [LOGIN, "->/tickets/{id}/#reply", "404", QUEUE, QUEUE],
    ),
    "feedback:rate": ("get", "answered", None, [LOGIN, "200", "404", QUEUE, QUEUE]),
    # A file of the ticket: whoever may see the ticket, as a download.
    "portal:attachment": ("get", "answered", None, [LOGIN, "200", "404", "200", "200"]),
    # --- channels: the e-mail feedback link (the signed token is the credential) and the
    # providers' inbound webhooks (their basic-auth secret is the credential, not a login).
    "channels:email_feedback": ("get", "answered", None, ["200"] * 5),
    # The satisfaction survey's signed link: the signature is the credential, no login.
    "feedback:survey": ("get", "answered", None, ["200"] * 5),
    "channels:inbound_postmark": ("post", "answered", None, ["400"] * 5),
    "channels:inbound_sendgrid": ("post", "answered", None, ["400"] * 5),
    "channels:inbound_mailgun": ("post", "answered", None, ["400"] * 5),
    "suggest:list": ("get", "answered", {"message": "where is my parcel"}, REFUSED_CUSTOMER_PAGE),
    # A suggestion that does not exist: the customer is told so; nobody else gets that far.
    "suggest:answered": (
        "post",
        "answered",
        {"entry": "999999"},
        [LOGIN, "400", "400", QUEUE, QUEUE],
    ),
    # --- accounts -------------------------------------------------------------------------
    "accounts:login": ("get", "answered", None, ["200", HOME, HOME, HOME, HOME]),
    # The language switcher (Django's set_language): anyone; back to where they came from.
    "accounts:language": ("post", "answered", {"language": "es", "next": "/"}, [HOME] * 5),
    "accounts:logout": ("post", "answered", None, [LOGIN, LOGIN, LOGIN, LOGIN, LOGIN]),
    "accounts:signup": ("get", "answered", None, ["200", HOME, HOME, HOME, HOME]),
    "accounts:password_reset": ("get", "answered", None, ["200"] * 5),
    "accounts:signup_sent": ("get", "answered", None, ["200"] * 5),
    # Alice's own confirmation link: the token is the credential; nobody is logged in by it.
    "accounts:verify": ("get", "answered", None, [LOGIN, HOME, HOME, HOME, HOME]),
    "accounts:verify_resend": (
        "post",
        "answered",
        None,
        [LOGIN, "->/tickets/new/", "->/tickets/new/", QUEUE, QUEUE],
    ),
    # A customer's own data (export, erase): whoever is logged in, only their own.
    "accounts:privacy": ("get", "answered", None, REFUSED_CUSTOMER_PAGE),
    "accounts:privacy_export": ("get", "answered", None, REFUSED_CUSTOMER_PAGE),
    "accounts:password_reset_done": ("get", "answered", None, ["200"] * 5),
    # Alice's own reset link: the token is the credential, whoever holds it.
    "accounts:password_reset_confirm": (
        "get",
        "answered",
        None,
        ["->/accounts/reset/{uid}/set-password/"] * 5,
    ),
    "accounts:password_reset_complete": ("get", "answered", None, ["200"] * 5),
    # --- the agents' pages and fragments --------------------------------------------------
    "agent:queue": ("get", "escalated", None, AGENT_PAGE),
    "agent:queue_rows": ("get", "escalated", None, AGENT_PAGE),
    "agent:ticket": ("get", "escalated", None, AGENT_PAGE),
    "agent:claim": (
        "post",
        "escalated",
        None,
        [LOGIN, "403", "403", "->/agent/tickets/{id}/", "->/agent/tickets/{id}/"],
    ),
    # The desk around the workspace (tickets/desk_views.py): agents and admins only.
    "agent:assign": (
        "post",
        "escalated",
        {"agent": "", "team": ""},
        [LOGIN, "403", "403", "->/agent/tickets/{id}/", "->/agent/tickets/{id}/"],
    ),
    "agent:fields": (
        "post",
        "escalated",
        {"priority": "high", "tags": "vip"},
        [LOGIN, "403", "403", "->/agent/tickets/{id}/", "->/agent/tickets/{id}/"],
    ),
    "agent:notifications": ("get", "escalated", None, AGENT_PAGE),
    "agent:notifications_read": (
        "post",
        "escalated",
        None,
        [LOGIN, "403", "403", "->/agent/notifications/", "->/agent/notifications/"],
    ),
    "agent:availability": (
        "post",
        "escalated",
        {"available": "yes"},
        [LOGIN, "403", "403", "->/agent/notifications/", "->/agent/notifications/"],
    ),
    "agent:reply": (
        "post",
        "escalated",
        {"body": "Here is what to do.", "action": "reply"},
        [LOGIN, "403", "403"] + ["->/agent/tickets/{id}/#conversation-end"] * 2,
    ),
    # The queue's bulk bar and saved views (a ticket id nobody has: authorization is the point;
    # the per-ticket checks are in test_agent_queue.py). {pk} of a view is nobody's view.
    "agent:bulk": (
        "post",
        "escalated",
        {"tickets": "999999", "action": "resolve"},
        [LOGIN, "403", "403", QUEUE, QUEUE],
    ),
    "agent:view_save": (
        "post",
        "escalated",
        {"name": "Mine", "query": "view=mine"},
        [LOGIN, "403", "403", QUEUE, QUEUE],
    ),
    "agent:view_delete": ("post", "escalated", None, [LOGIN, "403", "403", "404", "404"]),
    "ai:panel": ("get", "escalated", None, AGENT_PAGE),
    "ai:intent_new": ("get", "escalated", None, AGENT_PAGE),
    "ai:metrics": ("get", "answered", None, [LOGIN, "403", "403", "403", "200"]),
    # The knowledge review page; {pk} is a pending knowledge entry learnt from the ticket.
    "ai:knowledge": ("get", "answered", None, AGENT_PAGE),
    "ai:knowledge_edit": ("get", "answered", None, AGENT_PAGE),
    "ai:knowledge_approve": ("post", "answered", None, [LOGIN, "403", "403"] + [KNOWLEDGE] * 2),
    "ai:knowledge_reject": ("post", "answered", None, [LOGIN, "403", "403"] + [KNOWLEDGE] * 2),
    # Per-intent autonomy: the page and its mode changes for admins; {slug} is track_order.
    "ai:autonomy": ("get", "answered", None, [LOGIN, "403", "403", "403", "200"]),
    "ai:autonomy_set": (
        "post",
        "answered",
        {"mode": "off"},
        [LOGIN, "403", "403", "403", "->/ai/autonomy/#intent-track_order"],
    ),
    # No draft on the ticket: the agent is told so on the workspace.
    "ai:draft_discard": (
        "post",
        "escalated",
        None,
        [LOGIN, "403", "403"] + ["->/agent/tickets/{id}/"] * 2,
    ),
    # --- the API (token auth; see also test_api_matrix.py for the error bodies) -----------
    "api-login": (
        "post",
        "answered",
        {"email": "{email}", "password": PASSWORD},
        ["401", "200", "200", "200", "200"],
    ),
    "api-refresh": ("post", "answered", {"refresh_token": "not-a-token"}, ["401"] * 5),
    "api-logout": ("post", "answered", {"refresh_token": "not-a-token"}, ["401"] * 5),
    "api-account-export": ("get", "answered", None, ["401", "200", "200", "403", "403"]),
    "api-account-erase": (
        "post",
        "answered",
        {"password": PASSWORD},
        ["401", "204", "204", "403", "403"],
    ),
    "api-tickets": ("get", "answered", None, ["401", "200", "200", "200", "200"]),
    "api-tickets-bulk": (
        "post",
        "escalated",
        {"tickets": [999999], "action": "resolve"},
        ["401", "403", "403", "200", "200"],
    ),
    "api-views": ("get", "answered", None, ["401", "403", "403", "200", "200"]),
    "api-view": ("delete", "answered", None, ["401", "403", "403", "404", "404"]),
    "api-ticket": ("get", "answered", None, ["401", "200", "404", "200", "200"]),
    "api-ticket-resolve": ("post", "answered", None, ["401", "200", "404", "200", "200"]),
    "api-ticket-reply": (
        "post",
        "escalated",
        {"body": "Here is what to do."},
        ["401", "403", "403", "201", "201"],
    ),
    "api-ticket-claim": ("post", "escalated", None, ["401", "403", "403", "200", "200"]),
    "api-ticket-assign": ("post", "escalated", {"team": None}, ["401", "403", "403", "200", "200"]),
    "api-macros": ("get", "answered", None, ["401", "403", "403", "200", "200"]),
    "api-teams": ("get", "answered", None, ["401", "403", "403", "200", "200"]),
    "api-macro": ("get", "answered", None, ["401", "403", "403", "200", "200"]),
    "api-ticket-customer-reply": (
        "post",
        "answered",
        {"body": "It still has not arrived."},
        ["401", "201", "404", "403", "403"],
    ),
    "api-webhooks": ("get", "answered", None, ["401", "403", "403", "403", "200"]),
    "api-webhook": ("delete", "answered", None, ["401", "403", "403", "403", "204"]),
    "api-rules": ("get", "answered", None, ["401", "403", "403", "403", "200"]),
    "api-rule": ("delete", "answered", None, ["401", "403", "403", "403", "204"]),
    "api-feedback": (
        "post",
        "answered",
        {"rating": 4, "resolved": True},
        ["401", "201", "404", "403", "403"],
    ),
    "api-metrics": ("get", "answered", None, ["401", "403", "403", "403", "200"]),
    "api-autonomy": ("get", "answered", None, ["401", "403", "403", "403", "200"]),
    "api-autonomy-intent": (
        "patch",
        "answered",
        {"mode": "off"},
        ["401", "403", "403", "403", "200"],
    ),
    "api-schema": ("get", "answered", None, ["200"] * 5),
    "api-docs": ("get", "answered", None, ["200"] * 5),
    "api/^": ("get", "answered", None, ["404"] * 5),  # the API's catch-all 404
    # --- Django admin: admins only --------------------------------------------------------
    "admin:index": (
        "get",
        "answered",
        None,
        [ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, "200"],
    ),
    "admin:login": ("get", "answered", None, ["200", "200", "200", "200", "->/admin/"]),
    # Only an admin's session is ended here (the portal's log-out is accounts:logout).
    "admin:logout": ("post", "answered", None, ["->/admin/"] * 4 + [LOGIN]),
    "admin:password_change": ("get", "answered", None, [ADMIN_LOGIN] * 4 + ["200"]),
    "admin:password_change_done": ("get", "answered", None, [ADMIN_LOGIN] * 4 + ["200"]),
    # Setting another user's password (Alice's here).
    "admin:auth_user_password_change": ("get", "answered", None, [ADMIN_LOGIN] * 4 + ["200"]),
    "admin:jsi18n": ("get", "answered", None, [ADMIN_LOGIN] * 4 + ["200"]),
    # Without its query parameters the autocomplete refuses even an admin.
    "admin:autocomplete": ("get", "answered", None, [ADMIN_LOGIN] * 4 + ["403"]),
    "admin:view_on_site": ("get", "answered", None, [ADMIN_LOGIN] * 4 + ["404"]),
    "admin:app_list": ("get", "answered", None, [ADMIN_LOGIN] * 4 + ["200"]),
    "admin/(?P<url>.*)$": ("get", "answered", None, [ADMIN_LOGIN] * 4 + ["404"]),
}
# Per registered model, the admin's add/change/delete/history pages and the bare object URL:
# covered by one changelist per model (ADMIN_MODEL_RULE), which is where every one of them is
# guarded by the same `admin_site.admin_view`.
ADMIN_MODEL_ACTIONS = ("changelist", "add", "change", "delete", "history")
ADMIN_MODEL_RULE = ("get", "answered", None, [ADMIN_LOGIN] * 4 + ["200"])


def _walk(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(key, route) for every URL: the namespaced name, or the route when it has no name."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            ns = f"{namespace}:{inner}" if namespace and inner else namespace or inner
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
            else:
                yield route, route


def _admin_model_keys() -> dict[str, str]:
    """Each admin URL that belongs to a registered model -> that model's changelist name."""
    keys = {}
    for model in admin.site._registry:
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for action in ADMIN_MODEL_ACTIONS:
            keys[f"{base}_{action}"] = f"{base}_changelist"
        keys[f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"] = (
            f"{base}_changelist"
        )
    return keys


ALL_URLS = dict(_walk(get_resolver().url_patterns))


def test_every_url_has_a_rule():
    admin_models = _admin_model_keys()
    missing = sorted(key for key in ALL_URLS if key not in RULES and key not in admin_models)
    assert not missing, f"URLs without an authorization rule in RULES: {missing}"
    stale = sorted(key for key in RULES if key not in ALL_URLS)
    assert not stale, f"RULES for URLs that no longer exist: {stale}"


def test_every_registered_admin_model_has_a_changelist():
    changelists = set(_admin_model_keys().values())
    assert changelists <= set(ALL_URLS)
    assert len(changelists) == len(admin.site._registry) >= 10


def _client(user, key: str):
    if key.startswith("api"):
        return api(user)
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _path(key: str, ticket: Ticket, alice) -> str:
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    fills = {
        "api/^": "/api/nothing-here",
        "admin/(?P<url>.*)$": "/admin/nothing-here/",
        "accounts:password_reset_confirm": reverse(
            "accounts:password_reset_confirm",
            args=[uid, default_token_generator.make_token(alice)],
        ),
        "accounts:verify": reverse(
            "accounts:verify", args=[uid, verification_tokens.make_token(alice)]
        ),
        "admin:app_list": reverse("admin:app_list", args=["tickets"]),
        "admin:view_on_site": reverse("admin:view_on_site", args=[1, alice.pk]),
        "admin:auth_user_password_change": reverse(
            "admin:auth_user_password_change", args=[alice.pk]
        ),
    }
    if key in fills:
        return fills[key]
    if key in ("ai:autonomy_set", "api-autonomy-intent"):
        Intent.objects.get_or_create(slug="track_order", defaults={"name": "Track an order"})
        return reverse(key, args=["track_order"])
    if key == "portal:attachment":
        attachment = Attachment(
            ticket=ticket, message=ticket.messages.first(), filename="a.txt", size=5
        )
        attachment.file.save("a.txt", ContentFile(b"hello"), save=False)
        attachment.content_type = "text/plain"
        attachment.save()
        return reverse(key, args=[ticket.pk, attachment.pk])
    if key == "channels:email_feedback":
        answer = ticket.messages.filter(author_kind="assistant").first()
        return reverse(key, args=[feedback_token(answer)])
    if key == "api-rule":
        from tickets.rules import rule_save

        rule = rule_save(name="matrix", conditions=[], actions=[{"type": "escalate"}])
        return reverse(key, args=[rule.pk])
    if key == "feedback:survey":
        return reverse(key, args=[survey_token(ticket)])
    if key == "api-macro":
        macro = Macro.objects.create(title="Thanks", body="Thank you!")
        return reverse(key, args=[macro.pk])
    if key == "api-webhook":
        hook = WebhookEndpoint.objects.create(
            url="https://hooks.example.com/", events=["ticket.created"], secret="s" * 16
        )
        return reverse(key, args=[hook.pk])
    if key.startswith("ai:knowledge_"):
        entry = KnowledgeEntry.objects.create(
            question="Where is my parcel?",
            answer="Track it on the site.",
            source_ticket=ticket,
            status=KnowledgeStatus.PENDING,
        )
        return reverse(key, args=[entry.pk])
    pattern = next(p for k, p in ALL_URLS.items() if k == key)
    if "<int:pk>" in pattern or "<int:ticket_id>" in pattern or "<int:ticket_pk>" in pattern:
        return reverse(key, args=[ticket.pk])
    return reverse(key)


def _outcome(response, ticket: Ticket, alice) -> str:
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    target = response.headers.get("HX-Redirect") or (
        response.headers.get("Location") if response.status_code in (301, 302) else None
    )
    if target is None:
        return str(response.status_code)
    path = target.split("?")[0]
    if path == reverse("accounts:login"):
        return LOGIN
    if path == reverse("admin:login"):
        return ADMIN_LOGIN
    return "->" + path.replace(f"/{ticket.pk}/", "/{id}/").replace(uid, "{uid}")


def _snapshot() -> tuple[int, ...]:
    return (
        Ticket.objects.count(),
        Message.objects.count(),
        Feedback.objects.count(),
        Ticket.objects.filter(assigned_agent__isnull=False).count(),
        Ticket.objects.filter(status="resolved").count(),
        tuple(KnowledgeEntry.objects.values_list("status", "answer").order_by("pk")),
    )


def _cases() -> list[tuple[str, str]]:
    keys = [k for k in RULES] + sorted(set(_admin_model_keys().values()))
    return [(key, role) for key in keys for role in ROLES]


@pytest.mark.parametrize("key,role", _cases())
def test_access(key, role, people, alice):
    method, state, body, expected = RULES.get(key, ADMIN_MODEL_RULE)
    ticket = answered_ticket(alice) if state == "answered" else escalated_ticket(alice)
    user = people[role]
    if body and "{email}" in str(body.get("email", "")):
        body = {**body, "email": user.email if user else "nobody@example.com"}
    client = _client(user, key)
    path = _path(key, ticket, alice)
    before = _snapshot()
    if key.startswith("api"):
        response = getattr(client, method)(path, body, format="json")
    else:
        response = getattr(client, method)(path, body or {})
    wanted = expected[ROLES.index(role)]
    assert _outcome(response, ticket, alice) == wanted, (
        f"{key} as {role}: {response.status_code} {response.headers.get('Location', '')}"
    )
    refused = wanted in (LOGIN, ADMIN_LOGIN) or wanted.startswith("4")
    if refused and method == "post" and key != "accounts:logout":
        assert _snapshot() == before, f"{key} as {role} was refused but changed the database"
