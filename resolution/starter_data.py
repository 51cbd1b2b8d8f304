"""Reading the shipped starter data (resolution/data/), with no database: the seed commands
and the benchmarks read the same files the same way."""

import json
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


def starter_translations() -> dict[str, dict[str, str]]:
    """{language: {intent slug: template}} from data/templates/<language>.json: the answer
    templates we wrote in each language besides English (English is in data/intents.json)."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((DATA_DIR / "templates").glob("*.json"))
    }


def starter_knowledge_translations() -> dict[str, list[dict]]:
    """{language: [{"source": English question, "question", "answer"}]} from
    data/knowledge/<language>.json: our translations of knowledge_base.json's entries."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((DATA_DIR / "knowledge").glob("*.json"))
    }
