"""Reading the shipped starter data (resolution/data/), with no database: the seed commands
and the benchmarks read the same files the same way."""

import json
from collections.abc import Iterable
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
EXAMPLES_DIR = DATA_DIR / "examples"
# English examples sit in examples/<slug>.txt; every other language in examples/<code>/<slug>.txt.
BASE_LANGUAGE = "en"


def starter_languages() -> list[str]:
    """The languages the starter examples are written in, English first."""
    return [BASE_LANGUAGE] + sorted(p.name for p in EXAMPLES_DIR.iterdir() if p.is_dir())


def _example_dir(language: str) -> Path:
    return EXAMPLES_DIR if language == BASE_LANGUAGE else EXAMPLES_DIR / language


def starter_examples_in(language: str) -> list[tuple[str, str]]:
    """(text, intent slug) for every non-blank line of one language's example files."""
    rows = []
    for path in sorted(_example_dir(language).glob("*.txt")):
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


def starter_examples(languages: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(text, intent slug) for the starter examples in ``languages`` (default: all shipped).

    One classifier learns every language together: the intents are the same, and the
    character n-grams carry across related languages (docs/BENCHMARKS.md, "Languages")."""
    shipped = starter_languages()
    wanted = shipped if languages is None else [code for code in shipped if code in languages]
    return [row for code in wanted for row in starter_examples_in(code)]
