"""Knowledge answers by language: how often the starter knowledge base gives a usable, right
match to the starter examples of each language, with and without the translated starter
entries (resolution/data/knowledge/<code>.json) in the same index.

    .venv/bin/python bench/knowledge_languages.py                 # 400 examples a language
    .venv/bin/python bench/knowledge_languages.py --sample 0      # every example

A match is usable when the best entry in the ticket's language scores at least
SIMILARITY_THRESHOLD (the pipeline's rule, engine/knowledge.py); right when its intent is the
example's. English is measured twice: against the English-only index (as before the
translations) and the shared one, because one TF-IDF vocabulary over every language shifts
English scores a little. The classifier and the decision's other checks are not involved:
this is the knowledge side only (lang-engine's bench covers the whole decision per language).
"""

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from resolution.engine.knowledge import in_language  # noqa: E402
from resolution.engine.similarity import SimilarityIndex  # noqa: E402
from resolution.engine.types import KnowledgeItem  # noqa: E402
from resolution.starter_data import (  # noqa: E402
    DATA_DIR,
    starter_examples_in,
    starter_knowledge_translations,
    starter_languages,
)

SIMILARITY_THRESHOLD = 0.6  # supportdesk/settings.py default


def indexes() -> tuple[SimilarityIndex, SimilarityIndex]:
    english = json.loads((DATA_DIR / "knowledge_base.json").read_text(encoding="utf-8"))
    items = [
        KnowledgeItem(i, e["question"], e["answer"], e["intent"]) for i, e in enumerate(english)
    ]
    intent_of = {e["question"]: e["intent"] for e in english}
    rows = [
        (language, t)
        for language, entries in starter_knowledge_translations().items()
        for t in entries
    ]
    translated = [
        KnowledgeItem(10_000 + i, t["question"], t["answer"], intent_of[t["source"]], language)
        for i, (language, t) in enumerate(rows)
    ]
    only_english = SimilarityIndex.build(items, backend="exact", featurizer="tfidf")
    every = SimilarityIndex.build(items + translated, backend="exact", featurizer="tfidf")
    return only_english, every


def measure(index: SimilarityIndex, rows: list[tuple[str, str]], language: str) -> dict:
    usable = right = 0
    for text, intent in rows:
        found = in_language(index.search(text, k=12), language)[:1]
        if found and found[0].score >= SIMILARITY_THRESHOLD:
            usable += 1
            right += found[0].item.intent == intent
    return {
        "n": len(rows),
        "usable": usable,
        "right": right,
        "coverage": round(usable / len(rows), 3) if rows else 0,
        "precision": round(right / usable, 3) if usable else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=400, help="examples a language (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    only_english, every = indexes()
    for language in starter_languages():
        rows = starter_examples_in(language)
        if args.sample and len(rows) > args.sample:
            rows = random.Random(args.seed).sample(rows, args.sample)
        if language == "en":
            print("en (English-only index)", measure(only_english, rows, "en"))
        print(f"{language} (shared index)", measure(every, rows, language))


if __name__ == "__main__":
    main()
