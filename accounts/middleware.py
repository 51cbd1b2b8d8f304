"""A signed-in person reads the desk in the language they chose (User.language).

LocaleMiddleware runs before authentication, so it can only go by the switcher's cookie and
the browser; this runs after it and lets the account's own choice win, on every device, from
the moment they log in. "" on the account keeps what LocaleMiddleware picked.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def supported_language(code: str | None) -> str | None:
    """``code`` if the desk serves it, else None."""
    return code if code and code in dict(settings.LANGUAGES) else None


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = supported_language(getattr(user, "language", "")) if user else None
        if language and user.is_authenticated:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
