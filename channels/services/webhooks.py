"""Webhooks out: admins register endpoints; the desk POSTs signed JSON events to them.

Deliveries are rows (WebhookDelivery) created after the ticket's transaction committed and
sent by a Celery task, one attempt at a time, with a short timeout: a dead or slow endpoint
costs a worker at most WEBHOOK_TIMEOUT_SECONDS per attempt and never touches ticket handling.
Failed attempts are retried with exponential backoff (WEBHOOK_RETRY_SECONDS · 2^n) up to
WEBHOOK_MAX_ATTEMPTS; each attempt's response code and body excerpt are kept.

Signature: header `X-SupportDesk-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<body>" with the endpoint's secret>` (the time guards against replays).
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from channels.after_response import run_after_response
from channels.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from common.errors import InvalidInput
from common.row_cache import cached_rows, drop_when_changed

logger = logging.getLogger(__name__)

MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 200
MAX_ENDPOINTS = 50
EXCERPT = 500


class UnsafeAddress(Exception):
    pass


def check_address(url: str) -> None:
    """Refuse URLs that reach private, loopback, link-local or reserved addresses (SSRF):
    an admin's typo, or a stolen admin token, must not make the desk call its own network.
    Checked at registration and again at each delivery (DNS can change)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddress("Only http and https URLs with a host name.")
    if parts.username or parts.password:
        raise UnsafeAddress("No credentials in the URL: use the secret.")
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnsafeAddress(f"The host name does not resolve ({error}).") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise UnsafeAddress(f"{parts.hostname} is a private or local address ({address}).")


def webhook_register(
    *, url: str, events: list[str], secret: str, created_by: User | None
) -> WebhookEndpoint:
    url = (url or "").strip()
    errors: dict[str, list[str]] = {}
    if len(url) > 500:
        errors["url"] = ["at most 500 characters"]
    else:
        try:
            check_address(url)
        except UnsafeAddress as error:
            errors["url"] = [str(error)]
    known = set(WebhookEvent.values)
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        errors["events"] = [f"a non-empty list of: {', '.join(sorted(known))}"]
    elif unknown := sorted(set(events) - known):
        errors["events"] = [f"unknown events: {', '.join(unknown)}"]
    if not isinstance(secret, str) or not MIN_SECRET_LENGTH <= len(secret) <= MAX_SECRET_LENGTH:
        errors["secret"] = [f"{MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} characters"]
    if WebhookEndpoint.objects.count() >= MAX_ENDPOINTS:
        errors["url"] = [f"at most {MAX_ENDPOINTS} endpoints"]
    if errors:
        raise InvalidInput(
            "The webhook is not valid: " + "; ".join(f"{k}: {v[0]}" for k, v in errors.items()),
            details=errors,
        )
    return WebhookEndpoint.objects.create(
        url=url, events=sorted(set(events)), secret=secret, created_by=created_by
    )


def webhook_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def _schedule(delivery_id: int, countdown: float = 0) -> None:
    from channels.tasks import deliver_webhook

    try:
        if countdown and not settings.CELERY_TASK_ALWAYS_EAGER:
            deliver_webhook.apply_async((delivery_id,), countdown=countdown)
        elif not countdown:
            deliver_webhook.delay(delivery_id)
        # In-process mode with a countdown: the retry sweep picks it up when it is due.
    except Exception:  # broker down: the row waits for the retry sweep
        logger.exception("Could not schedule webhook delivery %s", delivery_id)


# Read for every event a ticket raises (two per ticket at least): cached until an endpoint
# changes, as the rules are (supportdesk/row_cache.py).
ENDPOINTS_CACHE_KEY = "channels:active-webhook-endpoints"
drop_when_changed(WebhookEndpoint, ENDPOINTS_CACHE_KEY)


def _active_endpoints() -> list[WebhookEndpoint]:
    return cached_rows(
        ENDPOINTS_CACHE_KEY, lambda: list(WebhookEndpoint.objects.filter(active=True))
    )


def webhook_publish(*, event: str, data: dict) -> list[int]:
    """Queue `event` for every active endpoint that asked for it. Call after commit."""
    endpoints = [e for e in _active_endpoints() if event in (e.events or [])]
    if not endpoints:
        return []
    now = timezone.now()
    payload = {"event": event, "created_at": now.isoformat(), "data": data}
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(endpoint=endpoint, event=event, payload=payload, next_attempt_at=now)
            for endpoint in endpoints
        )
        ids = [delivery.pk for delivery in deliveries]
        # Without a broker the delivery (an HTTP call) waits until the response is sent.
        transaction.on_commit(lambda: run_after_response(lambda: [_schedule(pk) for pk in ids]))
    return ids


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _attempt(delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """(status code, body excerpt, error) of one POST."""
    endpoint = delivery.endpoint
    body = json.dumps(
        {"id": delivery.pk, **delivery.payload}, cls=DjangoJSONEncoder, separators=(",", ":")
    ).encode()
    timestamp = int(time.time())
    try:
        check_address(endpoint.url)
        response = requests.post(
            endpoint.url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "SupportDesk-Webhooks/1",
                "X-SupportDesk-Event": delivery.event,
                "X-SupportDesk-Delivery": str(delivery.pk),
                "X-SupportDesk-Signature": signature(endpoint.secret, timestamp, body),
            },
            timeout=(min(3.0, settings.WEBHOOK_TIMEOUT_SECONDS), settings.WEBHOOK_TIMEOUT_SECONDS),
            allow_redirects=False,  # a redirect could point anywhere, past the address check
            stream=True,
        )
        with response:
            excerpt = response.raw.read(EXCERPT, decode_content=True).decode("utf-8", "replace")
        return response.status_code, excerpt, ""
    except UnsafeAddress as error:
        return None, "", f"refused: {error}"
    except requests.RequestException as error:
        return None, "", f"{type(error).__name__}: {error}"[:255]


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """One attempt at one delivery; on failure, the next is scheduled with backoff."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            # Not while another attempt holds it (its claim below moves this into the future);
            # a little early is fine (a Celery countdown and the clock need not agree exactly).
            .filter(next_attempt_at__lte=timezone.now() + timedelta(seconds=5))
            .first()
        )
        if delivery is None:  # delivered or given up already, or another worker has it
            return None
        delivery.attempts += 1
        # Claimed for the length of this attempt: the sweep will not pick it up meanwhile.
        delivery.next_attempt_at = timezone.now() + timedelta(
            seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 60
        )
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    # The network call runs outside any transaction or row lock.
    code, excerpt, error = _attempt(delivery)
    delivery.response_code = code
    delivery.response_excerpt = excerpt[:EXCERPT]
    delivery.error = error
    countdown = 0.0
    if code is not None and 200 <= code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS or error.startswith("refused"):
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
        logger.warning("Webhook delivery %s gave up: %s %s", delivery.pk, code, error)
    else:
        countdown = settings.WEBHOOK_RETRY_SECONDS * 2 ** (delivery.attempts - 1)
        delivery.next_attempt_at = timezone.now() + timedelta(seconds=countdown)
        logger.info(
            "Webhook delivery %s failed (%s %s); retry in %ss", delivery.pk, code, error, countdown
        )
    delivery.save(
        update_fields=[
            "response_code",
            "response_excerpt",
            "error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    if countdown:
        _schedule(delivery.pk, countdown)
    return delivery


def due_deliveries(limit: int = 500) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
