"""The project as a whole: migrations complete, production settings safe."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


def env_example() -> dict[str, str]:
    """The production settings README documents: .env.example, as compose reads it."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def production_env(**extra: str) -> dict[str, str]:
    # The test settings put relaxed values in this process's environment; drop them.
    relaxed = {"DEBUG", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT", "ALLOWED_HOSTS"}
    env = {k: v for k, v in os.environ.items() if k not in relaxed}
    # .env.example as compose.yaml completes it: the secrets filled in, the database URL built.
    env.update(env_example())
    env.update(
        DJANGO_SETTINGS_MODULE="supportdesk.settings",
        SECRET_KEY="a-real-production-secret-5b0e8f1c9a7d3e2b6f4a8c1d0e9b7a5c3f2d1e0a",
        POSTGRES_PASSWORD="a-database-password",
        DATABASE_URL="postgres://supportdesk:a-database-password@db:5432/supportdesk",
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


def test_check_deploy_is_clean_with_the_documented_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
