"""Issue 17: which language detector, and which confidence rule, on short support texts.

    .venv/bin/python bench/language_detect.py                    # py3langid (installed)
    .venv/bin/python bench/language_detect.py --lingua           # and lingua, if importable

lingua-language-detector is not a dependency (a 96 MB wheel): to compare, install it
somewhere else, e.g. ``pip install --target /tmp/lingua lingua-language-detector==2.1.1`` and
run with ``PYTHONPATH=/tmp/lingua``.

Texts with a known language, all short like tickets: the starter training examples of every
language (resolution/data/examples), the English hard cases (bench/data/hard_cases_*.csv, their
English rows) and the multilingual dev and held-out sets. For each detector, restricted to the
desk's seven languages: top-1 accuracy per language, and with the desk's rule
(tickets.language.language_detect: a minimum length and confidence, else the fallback) how
many are right, how many fall back (to the customer's language: neither right nor wrong), and
how many are wrong; and the time per text. And the desk's own function on all of them, plus
short texts in 15 languages the desk does not serve (bench/data/unserved_languages.csv):
how often a served language is called unserved, and how many unserved ones are caught.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from resolution.starter_data import starter_examples_in, starter_languages  # noqa: E402
from tickets import language  # noqa: E402

SERVED = ["en", "es", "de", "fr", "pt", "it", "nl"]
FALLBACK = "?"


def labelled_texts() -> list[tuple[str, str, str]]:
    """(source, language, text)."""
    rows = [
        ("starter", code, text)
        for code in starter_languages()
        for text, _ in starter_examples_in(code)
    ]
    for name in ("dev", "heldout"):
        with (ROOT / "bench" / "data" / f"hard_cases_{name}.csv").open(encoding="utf-8") as h:
            # The out_of_distribution rows hold a few non-English ones; the rest is English.
            rows += [
                ("hard_cases", "en", r["text"])
                for r in csv.DictReader(h)
                if r["kind"] != "out_of_distribution"
            ]
        with (ROOT / "bench" / "data" / f"multilingual_{name}.csv").open(encoding="utf-8") as h:
            rows += [("multilingual", r["language"], r["text"]) for r in csv.DictReader(h)]
    return rows


def py3langid_ranker():
    return lambda text: language._ranking(text, list(SERVED))


def lingua_ranker():
    from lingua import IsoCode639_1, LanguageDetectorBuilder  # noqa: PLC0415

    codes = [getattr(IsoCode639_1, c.upper()) for c in SERVED]
    detector = (
        LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
        .with_preloaded_language_models()
        .build()
    )

    def rank(text: str) -> list[tuple[str, float]]:
        values = detector.compute_language_confidence_values(text)
        return [(v.language.iso_code_639_1.name.lower(), v.value) for v in values]

    return rank


def with_rule(rank, text: str, min_letters: int, min_confidence: float) -> str:
    clean = language._NOISE.sub(" ", text)
    letters = len(language._LETTER.findall(clean)) + len(language._WIDE.findall(clean))
    if letters < min_letters:
        return FALLBACK
    code, probability = rank(clean)[0]
    return code if probability >= min_confidence else FALLBACK


def evaluate(name: str, rank, rows, rules) -> None:
    started = time.perf_counter()
    top = [rank(text)[0][0] for _, _, text in rows]
    per_text_ms = (time.perf_counter() - started) * 1000 / len(rows)
    by_language: dict[str, Counter] = defaultdict(Counter)
    for (_, code, _), guess in zip(rows, top, strict=True):
        by_language[code]["n"] += 1
        by_language[code]["right"] += guess == code
    print(f"\n{name}: {per_text_ms:.3f} ms a text; top-1 right per language:")
    print(
        "  "
        + ", ".join(
            f"{c} {v['right'] / v['n']:.1%} (n={v['n']})" for c, v in sorted(by_language.items())
        )
    )
    wrong_en = [
        text for (_, code, text), g in zip(rows, top, strict=True) if code == "en" and g != "en"
    ]
    print(f"  English read as another language: {len(wrong_en)} e.g. {wrong_en[:4]}")
    for min_letters, min_confidence in rules:
        outcome = Counter()
        for _, code, text in rows:
            guess = with_rule(rank, text, min_letters, min_confidence)
            outcome[
                "fallback" if guess == FALLBACK else ("right" if guess == code else "wrong")
            ] += 1
        n = len(rows)
        print(
            f"  rule letters>={min_letters}, confidence>={min_confidence}: "
            f"right {outcome['right'] / n:.1%}, fallback {outcome['fallback'] / n:.1%}, "
            f"wrong {outcome['wrong'] / n:.2%} ({outcome['wrong']})"
        )


def desk(rows) -> None:
    """The desk's own function (fallback: English, the first served language)."""
    outcome = Counter()
    unserved = []
    for _, code, text in rows:
        guess = language.language_detect(text)
        if guess not in SERVED:
            unserved.append((guess, text))
        outcome["right" if guess == code else "wrong"] += 1
    n = len(rows)
    with (ROOT / "bench" / "data" / "unserved_languages.csv").open(encoding="utf-8") as h:
        others = list(csv.DictReader(h))
    caught = [r for r in others if language.language_detect(r["text"]) not in SERVED]
    print(
        f"\nunserved languages (bench/data/unserved_languages.csv): {len(caught)} of "
        f"{len(others)} called unserved"
    )
    print(
        f"tickets.language.language_detect (fallback en): right {outcome['right'] / n:.1%}, "
        f"wrong {outcome['wrong'] / n:.2%}; called unserved: {len(unserved)} {unserved[:5]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lingua", action="store_true")
    args = parser.parse_args()
    rows = labelled_texts()
    print(f"{len(rows)} texts: {dict(Counter(code for _, code, _ in rows))}")
    desk(rows)
    rules = [(0, 0.0), (12, 0.9), (12, 0.99), (20, 0.99), (12, 0.999)]
    evaluate("py3langid 0.3.0", py3langid_ranker(), rows, rules)
    if args.lingua:
        started = time.perf_counter()
        rank = lingua_ranker()
        print(f"\nlingua load (7 languages, preloaded): {time.perf_counter() - started:.1f} s")
        evaluate("lingua 2.1.1", rank, rows, [(0, 0.0), (12, 0.5), (12, 0.6), (12, 0.7), (20, 0.7)])


if __name__ == "__main__":
    main()
