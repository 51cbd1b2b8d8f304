"""Security headers with the production settings, and templates that a strict CSP allows."""

import re
from pathlib import Path

import pytest
from django.test import Client

from supportdesk.middleware import CONTENT_SECURITY_POLICY

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _directives(policy: str) -> dict[str, list[str]]:
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("path", ["/accounts/login/", "/api/tickets", "/api/nothing-here"])
def test_every_response_carries_the_security_headers(db, path):
    response = Client().get(path, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_policy_allows_no_inline_script_no_eval_and_no_framing():
    policy = _directives(CONTENT_SECURITY_POLICY)
    for directive in ("script-src", "style-src", "default-src"):
        assert policy[directive] == ["'self'"], directive
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_only_the_api_docs_page_gets_the_swagger_policy(db):
    docs = Client().get("/api/docs/", secure=True)["Content-Security-Policy"]
    policy = _directives(docs)
    assert policy["script-src"] == ["'self'"] and "http" not in docs  # no CDN, no inline script
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    schema = Client().get("/api/schema/", secure=True)["Content-Security-Policy"]
    assert schema == CONTENT_SECURITY_POLICY


def test_session_and_csrf_cookies_are_secure_and_the_session_is_http_only(settings):
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)


def _markup(path: Path) -> str:
    return TEMPLATE_COMMENT.sub("", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "pattern", [INLINE_SCRIPT, EVENT_HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT], ids=str
)
def test_no_template_needs_what_the_policy_forbids(pattern):
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if pattern.search(_markup(path))
    ]
    assert not offenders, f"{pattern.pattern} in {offenders}"
    assert len(list(TEMPLATES.rglob("*.html"))) > 20  # the scan did look at the templates
