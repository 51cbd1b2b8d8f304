"""Who may open which portal page."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def customer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-in customers only; agents and admins work from the queue, so send them there."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_customer:
            return redirect("agent:queue")
        return view(request, *args, **kwargs)

    return wrapper
