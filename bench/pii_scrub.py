"""How much personal data the knowledge scrubber removes, and how much clean text it damages.

    .venv/bin/python bench/pii_scrub.py                  # figures on the fresh held-out part
    .venv/bin/python bench/pii_scrub.py --part tune --misses 20   # what tuning looked at

Recall: of the personal values planted in bench/data/pii_corpus.jsonl (bench/make_pii_corpus.py),
the share of which nothing identifying is left in the scrubbed text; separately for the
customer's own profile data (name, e-mail, phone, address on file), which must be 100%.
False positives: the share of clean, generic texts the scrubber changes at all, and the share
the reviewer's residual detector flags (which would block approval): the corpus's clean
answers, the starter knowledge base (questions and answers), and, when ../shared/data is
present, 2,000 responses of the Bitext customer-support set.
"""

import argparse
import csv
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

from resolution.engine.scrub import Person, residual, scrub  # noqa: E402

CORPUS = ROOT / "bench" / "data" / "pii_corpus.jsonl"
STARTER = ROOT / "resolution" / "data" / "knowledge_base.json"
BITEXT = ROOT.parent / "shared" / "data" / "bitext_llm_v1_2023"
STREET_WORDS = {"street", "road", "lane", "avenue", "straße", "strasse", "weg", "platz"}


def people(row: dict) -> list[Person]:
    customer = row["customer"]
    return [
        Person(
            "customer",
            customer["full_name"],
            (customer["email"],),
            (customer["phone"],),
            (customer["address"],),
        ),
        Person("agent", row["agent"]["full_name"]),
    ]


def _digit_runs(text: str) -> list[str]:
    """Runs of digits, spaces, dashes and dots between digits joined: "0161 496-0123"."""
    return [re.sub(r"\D", "", m) for m in re.findall(r"\d[\d\s().-]*\d|\d", text)]


def leaked(kind: str, value: str, scrubbed: str) -> bool:
    """Whether anything identifying of `value` is left in `scrubbed`."""
    # Placeholders are not data ("Tom" is not leaked by "{{ customer.first_name }}").
    scrubbed = re.sub(r"\{\{ customer\.\w+ \}\}", "", scrubbed)
    low = scrubbed.casefold()
    if " ".join(value.split()).casefold() in " ".join(low.split()):
        return True
    if kind in ("name", "third_party_name", "agent_name"):
        return any(
            re.search(rf"(?<!\w){re.escape(part)}(?!\w)", scrubbed)
            for part in value.split()
            if len(part) >= 3
        )
    if kind == "address":
        words = [w.strip(",.") for w in value.split()]
        named = [w for w in words if len(w) >= 4 and w[0].isupper() and w.isalpha()]
        named = [w for w in named if w.casefold() not in STREET_WORDS]
        if any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", scrubbed) for w in named):
            return True
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 4:
        # Any run of 4+ of its digits left (a card's last four is accepted practice).
        for run in _digit_runs(scrubbed):
            if len(run) >= 5 and run in digits:
                return True
    if kind in ("url", "email"):
        token = max(re.split(r"[/?=&@.]", value), key=len)
        return len(token) >= 8 and token in scrubbed
    return False


def clean_texts() -> dict[str, list[str]]:
    sets: dict[str, list[str]] = {}
    rows = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    sets["corpus clean answers"] = [r["text"] for r in rows if r.get("clean")]
    starter = json.loads(STARTER.read_text(encoding="utf-8"))
    sets["starter knowledge base"] = [e["question"] for e in starter] + [
        e["answer"] for e in starter
    ]
    files = sorted(BITEXT.glob("*.csv")) if BITEXT.is_dir() else []
    if files:
        with files[0].open(encoding="utf-8") as handle:
            # A response that quotes the request's entity (an order number, a name) holds that
            # customer's data: not clean text. The rest are generic answers.
            responses = [
                row["response"]
                for row in csv.DictReader(handle)
                if not (row["entity_value"] and row["entity_value"] in row["response"])
            ]
        sets["Bitext responses (2,000)"] = random.Random(14).sample(responses, 2000)
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--part", choices=["tune", "heldout", "fresh", "all"], default="fresh")
    parser.add_argument("--misses", type=int, default=0, help="print this many misses")
    args = parser.parse_args()

    rows = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    rows = [r for r in rows if not r.get("clean") and args.part in ("all", r["part"])]
    by_kind: Counter = Counter()
    caught: Counter = Counter()
    misses = []
    started = time.perf_counter()
    for row in rows:
        out = scrub(row["text"], people=people(row), voice=row["voice"]).text
        for plant in row["planted"]:
            keys = [plant["kind"], "all"] + (["customer profile"] if plant["profile"] else [])
            ok = not leaked(plant["kind"], plant["value"], out)
            for key in keys:
                by_kind[key] += 1
                caught[key] += ok
            if not ok:
                misses.append((plant["kind"], plant["value"], out))
    elapsed = (time.perf_counter() - started) / max(1, len(rows)) * 1000

    print(f"PII scrubbing, part={args.part}: {len(rows)} texts, {elapsed:.1f} ms a text")
    print("| planted | n | recall |\n|---|---:|---:|")
    for key in sorted(by_kind, key=lambda k: (k != "all", k != "customer profile", k)):
        print(f"| {key} | {by_kind[key]} | {caught[key] / by_kind[key]:.2%} |")

    print(
        "\n| clean text | n | changed by the scrubber | flagged for review |\n|---|---:|---:|---:|"
    )
    for name, texts in clean_texts().items():
        changed = sum(scrub(t).changed for t in texts)
        flagged = sum(bool(residual(t)) for t in texts)
        print(
            f"| {name} | {len(texts)} | {changed / len(texts):.2%} | {flagged / len(texts):.2%} |"
        )
    for kind, value, out in misses[: args.misses]:
        print(f"\nMISS {kind}: {value!r}\n  {out!r}")


if __name__ == "__main__":
    main()
