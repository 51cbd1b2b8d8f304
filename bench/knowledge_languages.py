"""Knowledge answers by language: how often the starter knowledge base gives a usable, right
match to the starter examples of each language, with and without the translated starter
entries (resolution/data/knowledge/<code>.json) in the same index.

    .venv/bin/python bench/knowledge_languages.py                 # 400 examples a language
    .venv/bin/python bench/knowledge_languages.py --sample 0      # every example
    .venv/bin/python bench/knowledge_languages.py --decision      # the whole decision, live way

A match is usable when the best entry in the ticket's language scores at least
SIMILARITY_THRESHOLD (the pipeline's rule, engine/knowledge.py); right when its intent is the
example's. English is measured twice: against the English-only index (as before the
translations) and the shared one, because one TF-IDF vocabulary over every language shifts
English scores a little. The classifier and the decision's other checks are not involved:
this is the knowledge side only.

``--decision``: the whole decision on bench/multilingual_quality.py's held-out tickets (the
same starter model, policy and replay), but as the live desk decides since the answers went
multilingual: the knowledge index holds the translated entries too, and only entries in the
ticket's (detected) language may answer or weigh in (``assess(language=...)``).
multilingual_quality.py itself searches the English-only base with no language filter.
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


def decision(data_set: str) -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    import django

    django.setup()
    sys.path.insert(0, str(ROOT / "bench"))
    from abstain_quality import (
        DEFAULT_MIN_MARGIN,
        THRESHOLD,
        starter_decider,  # the same model and policy
    )
    from django.conf import settings
    from multilingual_quality import read

    from resolution.engine.assess import Assessment, assess
    from resolution.engine.llm import DisabledLLM
    from resolution.engine.replay import replay
    from resolution.engine.responder import respond
    from resolution.engine.types import IntentPolicy
    from tickets.language import language_detect

    model, baseline = starter_decider()

    rules = {
        i["slug"]: i for i in json.loads((DATA_DIR / "intents.json").read_text(encoding="utf-8"))
    }

    def policy(intent: str):
        rule = rules.get(intent, {})
        return (
            IntentPolicy(
                THRESHOLD,
                always_escalate=bool(rule.get("always_escalate")),
                min_margin=DEFAULT_MIN_MARGIN,
            ),
            rule.get("template"),
        )

    _, index = indexes()
    llm = DisabledLLM()

    def decide(text: str) -> Assessment:
        language = language_detect(text)
        assessment = Assessment()
        assess(
            assessment,
            text=text,
            message=text,
            classifier=model,
            index=index,
            policy_for=policy,
            answer_for=lambda intent, match, template: respond(
                text="",
                intent=intent,
                match=match,
                template=template,
                context={},
                llm=llm,
                language=language,
            ),
            similarity_threshold=settings.SIMILARITY_THRESHOLD,
            language=language,
        )
        return assessment

    cases = read(ROOT / "bench" / "data" / f"multilingual_{data_set}.csv")
    print(f"{data_set}: language | clear answered right | auto right | must-escalate answered")
    for code, rows in cases.items():
        for name, decide_one in (("English base", baseline), ("live", decide)):
            r = replay(rows, decide_one, known_labels=model.labels)
            plain = r["by_kind"].get("plain", {})
            right = plain["auto_right"] / plain["n"] if plain.get("n") else 0
            print(
                f"  {code} {name}: {right:.0%} | {r['auto_precision']:.0%} | "
                f"{r['must_escalate_answered']:.0%}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=400, help="examples a language (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--decision", action="store_true", help="the whole decision (above)")
    parser.add_argument("--set", default="heldout", choices=("dev", "heldout"))
    args = parser.parse_args()
    if args.decision:
        decision(args.set)
        return
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
