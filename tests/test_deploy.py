"""The production install: the per-process cache check, the documented production settings, and
the deployment files (compose.yaml, the GitHub workflow, render.yaml, the Dockerfile)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.checks import Warning
from django.test import override_settings

from accounts.checks import W001, check_shared_cache_for_limits
from tests.test_project import env_example, production_env, run_manage

ROOT = Path(__file__).resolve().parent.parent

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://redis:6379/1",
    }
}


# --- The per-process cache check (issue 15, finding 4) ----------------------------------------


@pytest.mark.parametrize("caches", [LOCMEM, DUMMY], ids=["locmem", "dummy"])
def test_a_per_process_cache_with_debug_off_is_warned_about(caches):
    with override_settings(DEBUG=False, CACHES=caches):
        found = check_shared_cache_for_limits(None)
    assert [w.id for w in found] == [W001]
    assert isinstance(found[0], Warning)
    assert "CACHE_URL" in found[0].hint


def test_a_shared_cache_passes_the_check():
    with override_settings(DEBUG=False, CACHES=REDIS):
        assert check_shared_cache_for_limits(None) == []


def test_development_with_debug_on_is_not_warned_about():
    with override_settings(DEBUG=True, CACHES=LOCMEM):
        assert check_shared_cache_for_limits(None) == []


def test_check_deploy_warns_when_production_has_no_cache_url():
    env = production_env()
    del env["CACHE_URL"]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert W001 in result.stderr + result.stdout
    assert "per process" in result.stderr + result.stdout


def test_the_documented_production_settings_set_a_shared_cache_and_a_broker():
    documented = env_example()
    assert documented["CACHE_URL"].startswith("redis://")
    assert documented["CELERY_BROKER_URL"].startswith("redis://")
    # Secrets are never shipped with a value: the app refuses to start until one is set.
    assert documented["SECRET_KEY"] == ""
    assert documented["POSTGRES_PASSWORD"] == ""


# --- compose.yaml --------------------------------------------------------------------------


def load_yaml(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text())


def check_jsonschema(schema: str, path: str) -> subprocess.CompletedProcess:
    if importlib.util.find_spec("check_jsonschema") is None:
        pytest.skip("check-jsonschema is not installed (requirements-dev.lock has it)")
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(ROOT / path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compose_file_is_valid_against_the_compose_specification():
    result = check_jsonschema("vendor.compose-spec", "compose.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_the_whole_desk_with_health_checks_and_volumes():
    compose = load_yaml("compose.yaml")
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(services)
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat", "migrate"):
        service = services[name]
        assert service["build"] == "."
        assert service["env_file"] == ".env"
        assert service["environment"]["CACHE_URL"].endswith("redis://redis:6379/1}")
        assert "redis://redis:6379/0" in service["environment"]["CELERY_BROKER_URL"]
    # The app starts only once the database is healthy and migrated.
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert "migrate" not in services["migrate"]["depends_on"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert set(compose["volumes"]) == {"postgres-data", "redis-data"}


# --- the GitHub Actions workflow -------------------------------------------------------------


def test_github_workflow_is_valid_against_the_workflow_schema():
    result = check_jsonschema("vendor.github-workflows", ".github/workflows/ci.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_github_workflow_runs_ci_run_with_postgres_and_redis():
    workflow = load_yaml(".github/workflows/ci.yml")
    job = workflow["jobs"]["ci"]
    assert {"postgres", "redis"} <= set(job["services"])
    assert job["services"]["postgres"]["ports"] == ["5432:5432"]
    assert job["services"]["redis"]["ports"] == ["6379:6379"]
    commands = " ".join(step.get("run", "") for step in job["steps"])
    assert "bash .ci/run" in commands
    assert "--network host" in commands


# --- render.yaml -----------------------------------------------------------------------------
# No schema of Render's is vendored in a package we can install: this checks the blueprint's
# shape and wiring against Render's documented fields.


def test_render_blueprint_has_web_worker_postgres_and_redis_wired_together():
    blueprint = load_yaml("render.yaml")
    services = {s["name"]: s for s in blueprint["services"]}
    kinds = {s["type"] for s in services.values()}
    assert kinds == {"web", "worker", "keyvalue"}
    databases = {d["name"] for d in blueprint["databases"]}
    groups = {g["name"] for g in blueprint.get("envVarGroups", [])}
    for service in services.values():
        if service["type"] == "keyvalue":
            assert "ipAllowList" in service
            continue
        assert service["runtime"] == "docker"
        env = {v["key"]: v for v in service["envVars"] if "key" in v}
        for key in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "SITE_URL"):
            assert key in env, (service["name"], key)
        assert env["DATABASE_URL"]["fromDatabase"]["name"] in databases
        for key in ("CELERY_BROKER_URL", "CACHE_URL"):
            assert services[env[key]["fromService"]["name"]]["type"] == "keyvalue"
        for ref in (v["fromGroup"] for v in service["envVars"] if "fromGroup" in v):
            assert ref in groups
    # Render does not allow unsynced (secret) values in an environment group.
    for group in blueprint.get("envVarGroups", []):
        assert all("sync" not in v for v in group["envVars"])
    worker = next(s for s in services.values() if s["type"] == "worker")
    assert " -B " in worker["dockerCommand"]  # beat embedded: exactly one
    assert worker["numInstances"] == 1


# --- the image -------------------------------------------------------------------------------


def test_the_image_installs_the_runtime_lock_with_hashes_only():
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs == ["RUN pip install --require-hashes -r requirements.lock"]
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_the_web_health_check_is_valid_python_asking_for_an_allowed_host_over_https():
    test = load_yaml("compose.yaml")["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    compile(test[3], "healthcheck", "exec")
    assert 'os.environ["ALLOWED_HOSTS"]' in test[3] and "X-Forwarded-Proto" in test[3]
