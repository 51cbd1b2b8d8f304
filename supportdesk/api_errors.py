"""One error shape for the whole API: {"error": {"code", "message", "details"}}."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    code = getattr(exc, "default_code", "error")
    if hasattr(exc, "get_codes"):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    message = (
        str(getattr(exc, "detail", exc))
        if isinstance(detail, dict) and "detail" in detail
        else (getattr(exc, "default_detail", "Request failed."))
    )
    details = {} if isinstance(detail, dict) and set(detail) == {"detail"} else detail
    response.data = {"error": {"code": str(code), "message": str(message), "details": details}}
    return response
