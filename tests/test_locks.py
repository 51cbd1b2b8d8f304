"""The locked dependency set: every package pinned with hashes, in step with its inputs.

`make lock` compiles requirements.lock, requirements-dev.lock and requirements-embeddings.lock
from the requirements*.txt files; `make run`, `make test`, the Dockerfile and CI install only
the locks, with `pip install --require-hashes`.
"""

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {
    "requirements.lock": ["requirements.txt"],
    "requirements-dev.lock": ["requirements.txt", "requirements-dev.txt"],
    "requirements-embeddings.lock": ["requirements.txt", "requirements-embeddings.txt"],
}
PIN = re.compile(r"^([A-Za-z0-9._-]+)(\[[^\]]*\])?==([^\s;\\]+)")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(lock: str) -> dict[str, tuple[str, list[str]]]:
    """Package -> (version, hashes), from a pip-compile lock file."""
    entries: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in (ROOT / lock).read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = normalize(match.group(1))
            entries[current] = (match.group(3), [])
        elif current and line.strip().startswith("--hash=sha256:"):
            entries[current][1].append(line.strip().removeprefix("--hash=sha256:").rstrip(" \\"))
        elif line and not line.startswith((" ", "#")):
            raise AssertionError(f"{lock}: an unpinned line: {line!r}")
    return entries


def direct_pins(requirements: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / requirements).read_text().splitlines():
        match = PIN.match(line)
        if match:
            pins[normalize(match.group(1))] = match.group(3)
    return pins


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_package_is_pinned_with_a_sha256_hash(lock):
    entries = locked(lock)
    assert len(entries) > 20
    for name, (_version, hashes) in entries.items():
        assert hashes, f"{lock}: {name} has no hash"
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name


@pytest.mark.parametrize("lock", LOCKS)
def test_each_lock_was_compiled_from_its_inputs_as_they_are_now(lock):
    digest = hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in LOCKS[lock])).hexdigest()
    assert f"# inputs-sha256: {digest}" in (ROOT / lock).read_text().splitlines(), (
        f"{lock} is stale: run `make lock` after editing {' or '.join(LOCKS[lock])}"
    )


@pytest.mark.parametrize("lock", LOCKS)
def test_each_lock_keeps_every_direct_pin_of_its_inputs(lock):
    entries = locked(lock)
    for requirements in LOCKS[lock]:
        for name, version in direct_pins(requirements).items():
            assert name in entries, f"{lock} lacks {name} from {requirements}"
            # torch==2.13.0 is the CPU build, 2.13.0+cpu: the local label is allowed.
            assert entries[name][0].split("+")[0] == version, (lock, name)


def test_a_package_has_one_version_in_all_locks():
    runtime = locked("requirements.lock")
    for lock in ("requirements-dev.lock", "requirements-embeddings.lock"):
        for name, (version, _) in locked(lock).items():
            if name in runtime:
                assert runtime[name][0] == version, (lock, name)


def test_the_runtime_lock_has_what_the_redis_worker_imports():
    # Issue 15, finding 1: kombu's Redis transport imports `packaging`, which only its [redis]
    # extra declares; without it the production worker died at start.
    runtime = locked("requirements.lock")
    assert {"celery", "kombu", "redis", "packaging"} <= set(runtime)


def test_the_embeddings_lock_takes_torch_cpu_and_no_cuda_packages():
    embeddings = locked("requirements-embeddings.lock")
    assert embeddings["torch"][0] == "2.13.0+cpu"
    assert not [name for name in embeddings if name.startswith("nvidia-")]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_refuses_a_stale_lock_with_a_clear_message(tmp_path):
    for name in ["Makefile", *LOCKS, "requirements.txt", "requirements-dev.txt"]:
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "requirements-embeddings.txt", tmp_path)
    ok = subprocess.run(["make", "check-locks"], cwd=tmp_path, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr

    with (tmp_path / "requirements-dev.txt").open("a") as f:
        f.write("aiosmtpd==1.4.6\n")
    stale = subprocess.run(["make", "check-locks"], cwd=tmp_path, capture_output=True, text=True)
    assert stale.returncode != 0
    assert "requirements-dev.lock is stale" in stale.stderr
    assert "make lock" in stale.stderr
    # `make test` and `make run` stop on it before installing anything.
    for target in ("test", "run"):
        result = subprocess.run(["make", target], cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode != 0
        assert "requirements-dev.lock is stale" in result.stderr
        assert not (tmp_path / ".venv").exists()
