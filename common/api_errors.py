"""One error shape for the whole API: {"error": {"code", "message", "details"}}.

Three ways an error can leave the API, all in that shape:
- `exception_handler` (DRF's EXCEPTION_HANDLER): DRF's own errors, Django's Http404 and
  PermissionDenied, and the services' `ServiceError`s (InvalidInput 400, Conflict 409).
- `handler404`/`handler500`/... (wired in supportdesk/urls.py): what Django itself answers,
  such as an unknown URL with DEBUG off or an unexpected exception. On /api/ paths they answer
  JSON; portal pages keep their HTML error pages.
- `api_not_found`: the last route under /api/, so an unknown API URL is a JSON 404 even with
  DEBUG on (where Django would otherwise show its HTML debug page).

An unexpected exception is not swallowed here: it reaches Django, which logs it (and sends
`got_request_exception`) before `handler500` writes the response.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from common.errors import ServiceError

API_PREFIX = "/api/"
# The realm clients see in WWW-Authenticate on every 401.
AUTHENTICATE_HEADER = 'Bearer realm="api"'


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


# --- DRF -----------------------------------------------------------------------------------


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ServiceError):
        set_rollback()
        response = Response(error_body(exc.code, exc.message, exc.details), status=exc.status)
        if (wait := exc.details.get("retry_after")) is not None:
            response.headers["Retry-After"] = str(wait)
        return response
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge(
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django logs it and handler500 answers in the shape

    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    code, message, details = _describe(exc)
    response.data = error_body(code, message, details)
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response.headers.setdefault("WWW-Authenticate", AUTHENTICATE_HEADER)
    return response


def _describe(exc: Exception) -> tuple[str, str, dict]:
    """(code, message, details) for an exception DRF's handler accepted."""
    if isinstance(exc, exceptions.ValidationError):
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return "invalid", _validation_message(details), details
    if not isinstance(exc, exceptions.APIException):  # Django's PermissionDenied
        exc = exceptions.PermissionDenied(*exc.args)

    detail = exc.detail
    if isinstance(detail, dict):  # simplejwt: {"detail", "code", "messages"}
        message = str(detail.get("detail", exc.default_detail))
        code = str(detail.get("code", exc.default_code))
        details = {key: value for key, value in detail.items() if key not in ("detail", "code")}
        return code, message, details

    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    details: dict = {}
    if isinstance(exc, exceptions.Throttled):
        details["retry_after"] = exc.wait
    return str(code), str(detail), details


def _validation_message(details: dict) -> str:
    """A sentence a person can read: the first problem, and how many more there are."""
    problems = []
    for field, errors in details.items():
        first = errors[0] if isinstance(errors, list) and errors else errors
        if isinstance(first, dict):  # nested serializer: name the field only
            first = "is invalid"
        label = "" if field == "non_field_errors" else f"{field}: "
        problems.append(f"{label}{first}")
    if not problems:
        return "Invalid input."
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"Invalid input. {problems[0]}{more}"


# --- Django's own error views --------------------------------------------------------------


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json(status_code: int, code: str, message: str, details: dict | None = None):
    return JsonResponse(error_body(code, message, details), status=status_code)


def handler400(request: HttpRequest, exception: Exception | None = None, **kwargs):
    if _is_api(request):
        return _json(400, "bad_request", "The request could not be understood.")
    return defaults.bad_request(request, exception, **kwargs)


def handler403(request: HttpRequest, exception: Exception | None = None, **kwargs):
    if _is_api(request):
        return _json(403, "permission_denied", "You may not do this.")
    return defaults.permission_denied(request, exception, **kwargs)


def handler404(request: HttpRequest, exception: Exception | None = None, **kwargs):
    if _is_api(request):
        return _not_found(request)
    return defaults.page_not_found(request, exception, **kwargs)


def handler500(request: HttpRequest, **kwargs):
    if _is_api(request):
        return _json(500, "server_error", "Something went wrong on our side. Try again later.")
    return defaults.server_error(request, **kwargs)


def _not_found(request: HttpRequest) -> JsonResponse:
    return _json(
        404,
        "not_found",
        "There is no API endpoint at this address.",
        {"path": request.path, "docs": f"{API_PREFIX}docs/"},
    )


@csrf_exempt
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """The catch-all route under /api/ (see the module docstring)."""
    return _not_found(request)


# --- The shape, for the OpenAPI schema -----------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable: invalid, not_found, …")
    message = serializers.CharField(help_text="For people; may change.")
    details = serializers.DictField(
        help_text="Per-field errors for invalid input; extra facts (retry_after, …) otherwise."
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_ERROR_DESCRIPTIONS = {
    400: "Invalid input (details name the fields) or a body that is not JSON.",
    401: "Missing, expired or invalid credentials.",
    403: "Your role may not do this.",
    404: "No such object, or not one you can see.",
    409: "The object's state does not allow this (see the code).",
    413: "The request body is too large.",
    415: "The body is not application/json.",
    429: "Too many attempts or submissions; retry after `details.retry_after` seconds (also "
    "the Retry-After header).",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """`responses=` entries for @extend_schema: each status with the error shape."""
    return {
        code: OpenApiResponse(response=ErrorSerializer, description=_ERROR_DESCRIPTIONS[code])
        for code in codes
    }
