"""Who may open which page: customers' portal pages, agents' and admins' pages."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User


def customer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Logged-in customers only; agents and admins work from the queue, so send them there.

    An htmx request (a fragment) is answered with HX-Redirect, so the whole page moves rather
    than a login form or the queue being swapped into a corner of it.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_customer:
            return view(request, *args, **kwargs)
        if user.is_authenticated:
            target = reverse("agent:queue")
        else:
            page = (
                request.htmx.current_url_abs_path if request.htmx else None
            ) or request.get_full_path()
            target = redirect_to_login(page)["Location"]
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)

    return wrapper


def role_required(test: Callable[[User], bool]) -> Callable:
    """Anonymous visitors are sent to log in; signed-in users failing `test` get a 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                if request.htmx:
                    # A fragment request from an expired session: reload the page to log in.
                    return HttpResponseClientRedirect(reverse("accounts:login"))
                return redirect_to_login(request.get_full_path())
            if not (request.user.is_active and test(request.user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


agent_required = role_required(lambda user: user.is_agent)
