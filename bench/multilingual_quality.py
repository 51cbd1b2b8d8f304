"""Issue 17: the whole decision on tickets in es, de, fr, pt, it, nl, per language.

    .venv/bin/python bench/multilingual_quality.py                 # the held-out set
    .venv/bin/python bench/multilingual_quality.py --set dev       # the set cues were tuned on
    .venv/bin/python bench/multilingual_quality.py --examples 20   # show wrong answers too

The sets (bench/data/multilingual_{dev,heldout}.csv) were written apart from the training
examples (resolution/data/examples/<code>/) and are never trained on: clear single requests
("plain", one per intent except asking for a person) and hard ones that must go to a person
(asks_person, path_failed, several_requests) or be answered on what the customer does want
(negation). Every ticket goes through resolution.engine.assess with the shipped starter model
(trained on every language's starter examples), templates and knowledge base, as
bench/abstain_quality.py hard does; the language is detected as the desk does it.

Per language: clear tickets answered automatically and right (target >= 80%), automatic
answers right (target >= 97%), must-escalate tickets answered (should be 0), detection right.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from abstain_quality import starter_decider  # noqa: E402  (sets Django up)

from resolution.engine.replay import Case, replay  # noqa: E402
from tickets.language import language_detect  # noqa: E402


def read(path: Path) -> dict[str, list[Case]]:
    by_language: dict[str, list[Case]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            by_language[row["language"]].append(
                Case(row["text"], row["expected"], row["kind"], row["language"])
            )
    return by_language


def pct(value) -> str:
    return "—" if value is None else f"{value:.0%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="heldout", choices=("dev", "heldout", "unseen"))
    parser.add_argument("--examples", type=int, default=0, help="wrong answers to show")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    by_language = read(ROOT / "bench" / "data" / f"multilingual_{args.set}.csv")
    model, decide = starter_decider()
    report = {}
    for code, cases in by_language.items():
        r = replay(cases, decide, known_labels=model.labels, examples=args.examples)
        plain = r["by_kind"].get("plain", {})
        report[code] = {
            "n": r["n"],
            "clear_answered_right": (
                round(plain["auto_right"] / plain["n"], 4) if plain.get("n") else None
            ),
            "auto_precision": r["auto_precision"],
            "must_escalate_answered": r["must_escalate_answered"],
            "detected_right": round(
                sum(language_detect(c.text) == code for c in cases) / len(cases), 4
            ),
            "by_reason": r["by_reason"],
            "by_kind": {k: (v["auto"], v["auto_right"], v["n"]) for k, v in r["by_kind"].items()},
            "wrong_examples": r["wrong_examples"],
        }
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"{args.set}: language | clear answered right | auto right | must-escalate answered")
    for code, r in report.items():
        print(
            f"  {code}: {pct(r['clear_answered_right'])} | {pct(r['auto_precision'])} | "
            f"{pct(r['must_escalate_answered'])} | detected {pct(r['detected_right'])} | "
            f"{r['by_reason']}"
        )
        for example in r["wrong_examples"]:
            print(f"    wrong: {example}")


if __name__ == "__main__":
    main()
