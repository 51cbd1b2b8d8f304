"""Project-wide middleware: the Content-Security-Policy header, and a clean 503 while the
database is unreachable.

CSP is a small middleware rather than django-csp: we send one fixed policy (no nonces; the
API docs page alone may have inline styles), which is a header string, not a dependency.
The templates are written for it: no inline scripts, no inline styles, no event-handler
attributes; htmx comes from static files and its indicator styles live in app.css.
"""

from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The interactive API docs (drf-spectacular's Swagger UI, served from our static files) use
# inline styles: its page template has a <style> block and the UI sets style attributes. Scripts
# stay 'self' only; that page shows no user data, so it alone may have inline styles.
DOCS_PREFIX = "/api/docs/"
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = (
            DOCS_CONTENT_SECURITY_POLICY
            if request.path_info.startswith(DOCS_PREFIX)
            else CONTENT_SECURITY_POLICY
        )
        response.headers.setdefault("Content-Security-Policy", policy)
        return response


DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """A database that is down for a moment is a 503 the client can retry, not a 500.

    Every multi-row write is a service under `transaction.atomic`: the exception that brings
    us here has already rolled it back, so nothing is half-written. The API answers in its
    error shape; the portal with a short plain page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        message = "The service is briefly unavailable. Please try again in a few seconds."
        if request.path_info.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"error": {"code": "service_unavailable", "message": message, "details": {}}},
                status=503,
            )
        else:
            response = HttpResponse(
                "<!doctype html><title>Briefly unavailable · SupportDesk</title>"
                f"<h1>Briefly unavailable</h1><p>{message}</p>",
                status=503,
                content_type="text/html; charset=utf-8",
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
