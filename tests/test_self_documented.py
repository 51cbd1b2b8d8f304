"""The repository documents itself: nothing a user reads or a comment cites points outside it.

The design as built is docs/ARCHITECTURE.md. Only the benchmark scripts (bench/) may read the
public datasets kept beside the repository.
"""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".git", ".venv", "node_modules", "staticfiles", "bench", "__pycache__", ".hypothesis"}
TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".toml", ".yaml", ".yml", ".cfg", ".js", ".css"}
TEXT_NAMES = {"Makefile", "Dockerfile", "run", ".env.example"}
# Spelled in pieces so this file does not match itself.
OUTSIDE = re.compile(r"\.\./" + "shared" + r"\b|" + "shared/" + r"(DESIGN|STYLE|data)\b|DESIGN\.md")


def repository_text_files():
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith("_cache")]
        for name in files:
            path = Path(folder) / name
            if path.suffix in TEXT_SUFFIXES or name in TEXT_NAMES:
                yield path


def test_nothing_outside_bench_cites_files_outside_the_repository():
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in repository_text_files()
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not found, "cite docs/ARCHITECTURE.md instead:\n" + "\n".join(found)


def test_the_walk_covers_the_code_and_the_docs():
    names = {str(p.relative_to(ROOT)) for p in repository_text_files()}
    assert {"README.md", "docs/OPERATIONS.md", "supportdesk/settings.py", ".ci/run"} <= names
    assert not any(name.startswith("bench/") for name in names)


def test_the_architecture_document_exists_and_the_readme_points_to_it():
    assert (ROOT / "docs" / "ARCHITECTURE.md").is_file()
    assert "docs/ARCHITECTURE.md" in (ROOT / "README.md").read_text()
