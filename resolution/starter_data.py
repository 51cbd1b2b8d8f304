"""Reading the shipped starter data (resolution/data/), with no database: the seed commands
and the benchmarks read the same files the same way."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def starter_examples() -> list[tuple[str, str]]:
    """(text, intent slug) for every non-blank line of data/examples/<slug>.txt."""
    rows = []
    for path in sorted((DATA_DIR / "examples").glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append((line.strip(), path.stem))
    return rows
