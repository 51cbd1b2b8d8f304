"""The project as a whole: migrations complete, production settings safe."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def production_env(**extra: str) -> dict[str, str]:
    # The test settings put relaxed values in this process's environment; drop them.
    relaxed = {"DEBUG", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT", "ALLOWED_HOSTS"}
    env = {k: v for k, v in os.environ.items() if k not in relaxed}
    env.update(
        DJANGO_SETTINGS_MODULE="supportdesk.settings",
        SECRET_KEY="a-real-production-secret-5b0e8f1c9a7d3e2b6f4a8c1d0e9b7a5c3f2d1e0a",
        ALLOWED_HOSTS="support.example.com",
        DEBUG="false",
    )
    env.update(extra)
    return env


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_migrations_are_complete(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
