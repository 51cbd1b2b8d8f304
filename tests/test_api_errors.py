"""One error shape for every error under /api/, including Django's own 404/405/500."""

import json
import sys

import pytest
from django.test import RequestFactory

from common import api_errors
from common.api_fields import SPACES
from tests.api_helpers import _clear_throttle_history, api, error_of  # noqa: F401


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/nope", "/api/tickets/abc", "/api/tickets/", "/api/v2/x"])
def test_unknown_api_urls_are_json_404s(alice, method, path):
    for client in (api(), api(alice)):
        error = error_of(getattr(client, method)(path), 404)
        assert error["code"] == "not_found"
        assert error["details"]["path"] == path


def test_unknown_api_urls_are_json_404s_with_debug_on_too(settings):
    settings.DEBUG = True
    error_of(api().get("/api/nope"), 404)


@pytest.mark.parametrize(
    "method,path",
    [("delete", "/api/tickets"), ("put", "/api/tickets"), ("get", "/api/auth/login")],
)
def test_unsupported_methods_are_405s_with_allow(alice, method, path):
    response = getattr(api(alice), method)(path)
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert "POST" in response["Allow"]


def test_a_bug_in_a_view_is_a_json_500(alice, monkeypatch):
    def broken(user):
        raise RuntimeError("boom")

    monkeypatch.setattr("tickets.api.api_tickets", broken)
    client = api(alice)
    client.raise_request_exception = False
    error = error_of(client.get("/api/tickets"), 500)
    assert error["code"] == "server_error"
    assert "boom" not in error["message"]  # internals stay in the logs


def test_pages_keep_html_errors(db):
    response = api().get("/no-such-page-anywhere/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    page = RequestFactory().get("/tickets/1/")
    assert api_errors.handler500(page)["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "handler,status", [("handler400", 400), ("handler403", 403), ("handler500", 500)]
)
def test_djangos_error_handlers_answer_json_under_api(handler, status):
    request = RequestFactory().get("/api/tickets")
    args = () if handler == "handler500" else (Exception("x"),)
    response = getattr(api_errors, handler)(request, *args)
    assert response.status_code == status
    body = json.loads(response.content)
    assert set(body["error"]) == {"code", "message", "details"}


def test_json_with_a_charset_is_fine(alice):
    response = api(alice).generic(
        "POST", "/api/tickets", '{"message": "héllo"}', "application/json; charset=utf-8"
    )
    assert response.status_code == 201


def test_an_empty_body_is_a_400_not_a_crash(alice):
    error = error_of(api(alice).generic("POST", "/api/tickets", b"", "application/json"), 400)
    assert "message" in error["details"]


def test_the_whitespace_list_matches_python():
    # The schema's text patterns spell out what str.strip() removes; keep them in step.
    assert set(SPACES) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def test_the_schema_and_docs_are_served(db):
    schema = api().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/tickets",
        "/api/tickets/{id}",
        "/api/tickets/{id}/resolve",
        "/api/tickets/{id}/reply",
        "/api/feedback/{ticket_id}",
        "/api/admin/metrics",
    } <= set(paths)
    assert paths["/api/auth/login"]["post"]["security"] == [{}]
    docs = api().get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
