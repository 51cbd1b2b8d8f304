"""The learning loop end to end (issue 14): what agents teach, answered automatically and right.

A desk with the starter taxonomy, knowledge and model (a throw-away SQLite database) is taught
N questions from outside its taxonomy: CLINC150 intents (Larson et al. 2019: banking, travel,
home, work, small talk...; none of them the shop's 27). For each taught intent, through the
desk's own services: a customer asks its first training utterance, the ticket escalates, an
agent answers it and adds the answer to knowledge, a reviewer approves it. Then other customers
ask, and every ticket goes through the real pipeline:

- near-identical wordings of each taught question (lower case, no punctuation, a greeting or
  "please" added, one typo): what direct answers are for;
- paraphrases: the intent's other utterances (the held-out split), worded freely;
- unrelated questions: CLINC150's out-of-scope utterances and the utterances of intents that
  were not taught (they must never get a taught answer).

Two flows (--flow). keep-intent: the agent resolves with whatever intent the classifier guessed
(the issue's case), and creates the intent from the workspace only later. new-intent: the agent
first creates the intent from the workspace (the answer as its template, the question and four
other ways of asking it as examples) and resolves the ticket with it. Two stages each: (1) the
approved entries before retraining (direct answers; the classifier does not know the intents),
and (2) once every taught intent exists and the model was retrained.

"Right" = the ticket was answered automatically with its own intent's taught answer (the entry,
or the new intent's template); "wrong" = answered with another taught answer, or (paraphrases)
with an unrelated starter answer. Escalated tickets go to a person, which is the safe outcome.

`--tune` instead sweeps the direct-answer rule (KNOWLEDGE_DIRECT_SIMILARITY x
KNOWLEDGE_DIRECT_VIEW_SIMILARITY) on the validation split with the engine alone (no tickets),
to choose the defaults; the figures to report come from the test split. Run from the
repository root (needs ../shared/data or SUPPORTDESK_DATA):

    .venv/bin/python bench/learning_loop.py                 # test split, defaults
    .venv/bin/python bench/learning_loop.py --flow new-intent
    .venv/bin/python bench/learning_loop.py --tune          # the sweep on the validation split
    .venv/bin/python bench/learning_loop.py --intents 30 --json

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("SUPPORTDESK_DATA", ROOT.parent / "shared" / "data"))
TMP = tempfile.TemporaryDirectory(prefix="sd-learning-loop-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "DATABASE_URL": f"sqlite:///{TMP.name}/bench.sqlite3",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-learning-loop-key-6f1d0c9e8b7a6f5e4d3c2b1a0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MODEL_RELOAD_SECONDS": "0",  # every process step sees the newest entries and model
        "LOG_LEVEL": "ERROR",
    }
)
os.environ.pop("CELERY_BROKER_URL", None)  # tasks run in-process

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from common.errors import ServiceError  # noqa: E402
from resolution.engine.knowledge import DirectRule, direct_match  # noqa: E402
from resolution.models import KnowledgeEntry  # noqa: E402
from resolution.services.intents import intent_create  # noqa: E402
from resolution.services.pipeline import run_pipeline  # noqa: E402
from resolution.services.registry import registry  # noqa: E402
from resolution.services.review import knowledge_entry_approve  # noqa: E402
from resolution.services.seed import (  # noqa: E402
    load_starter_examples,
    load_starter_knowledge,
    load_taxonomy,
)
from resolution.services.training import train_model  # noqa: E402
from tickets.services import ticket_agent_reply, ticket_claim, ticket_create  # noqa: E402

OOS = "oos"
EXAMPLES_PER_NEW_INTENT = 5
UNRELATED_PER_INTENT = 3  # utterances of each untaught intent among the unrelated questions


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def clinc() -> dict[str, list[tuple[str, str]]]:
    with (DATA / "clinc150" / "data_full.json").open(encoding="utf-8") as handle:
        return {part: [(t, y) for t, y in rows] for part, rows in json.load(handle).items()}


def variants(text: str, rng: random.Random) -> list[str]:
    """Near-identical wordings of a question, as customers retype it."""
    plain = " ".join(text.lower().replace("?", "").replace(",", "").replace(".", "").split())
    words = plain.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    typo = list(words)
    w = typo[longest]
    if len(w) > 3:
        i = rng.randrange(1, len(w) - 1)
        typo[longest] = w[:i] + w[i + 1] + w[i] + w[i + 2 :]
    return [
        plain,
        f"Hi, {text}",
        f"{text} Thanks!",
        f"please {plain}",
        " ".join(typo),
    ]


class Desk:
    """The desk's services, as customers, an agent and a reviewer use them."""

    def __init__(self) -> None:
        call_command("migrate", verbosity=0)
        load_taxonomy()
        load_starter_examples()
        load_starter_knowledge()
        train_model(force=True)
        self.agent = self._user("agent@bench.example", Role.AGENT)
        self.customers = [self._user(f"c{i}@bench.example", Role.CUSTOMER) for i in range(50)]
        self.asked = 0
        self.entry_of: dict[str, int] = {}  # taught CLINC intent -> its approved entry
        self.slug_of: dict[str, str] = {}  # taught CLINC intent -> the intent created for it

    def _user(self, email: str, role: str) -> User:
        user = User(email=email, role=role, full_name=email.split("@")[0].title())
        user.set_unusable_password()  # no password hashing: thousands of customers are cheap
        user.save()
        return user

    def ask(self, text: str):
        customer = self.customers[self.asked % len(self.customers)]
        self.asked += 1
        ticket = ticket_create(customer=customer, message=text)
        decision = run_pipeline(ticket.pk).decision  # already decided in-process: read it
        ticket.refresh_from_db()
        return ticket, decision

    def teach(
        self, intent: str, question: str, answer: str, new_intent_examples: list[str] | None
    ) -> str:
        """One escalated ticket answered by an agent into knowledge, then approved. With
        `new_intent_examples`, the agent first creates the intent from the workspace and
        resolves the ticket with it; else the ticket keeps the intent the classifier guessed."""
        ticket, _ = self.ask(question)
        if ticket.status != "escalated":
            return "answered_before_teaching"
        corrected = ""
        if new_intent_examples is not None:
            self.create_intent(intent, answer, [question, *new_intent_examples], ticket=ticket)
            corrected = self.slug_of[intent]
        ticket_claim(ticket=ticket, agent=self.agent)
        ticket_agent_reply(
            ticket=ticket,
            agent=self.agent,
            body=f"Hi {ticket.customer.get_short_name()},\n\n{answer}\n\nBest regards,\nAgnes",
            resolve=True,
            corrected_intent=corrected,
            add_to_knowledge=True,
        )
        entry = KnowledgeEntry.objects.get(source_ticket=ticket)
        try:
            knowledge_entry_approve(entry_id=entry.pk)
        except ServiceError:
            return "refused_as_duplicate"
        self.entry_of[intent] = entry.pk
        return "taught"

    def create_intent(self, intent: str, answer: str, examples: list[str], ticket=None) -> None:
        created = intent_create(
            name=f"CLINC {intent.replace('_', ' ')}",
            template=answer,
            examples=examples,
            agent=self.agent,
            ticket=ticket,
        )
        self.slug_of[intent] = created.slug


def answer_for(intent: str) -> str:
    return f"[{intent}] Here is how {intent.replace('_', ' ')} works with us: see /help/{intent}/."


def outcome(desk: Desk, label: str, ticket, decision) -> str:
    """right / wrong_taught / other_auto / escalated:<reason>, for a question of `label`."""
    if ticket.status != "auto_resolved":
        return f"escalated:{decision.reason_code}"
    taught_entries = {pk: i for i, pk in desk.entry_of.items()}
    taught_slugs = {slug: i for i, slug in desk.slug_of.items()}
    via = taught_entries.get(decision.matched_entry_id)
    if via is None and decision.answer_source == "template":
        via = taught_slugs.get(decision.predicted_intent)
    if via is None:
        return "other_auto"
    return "right" if via == label else "wrong_taught"


def run(desk: Desk, sets: dict[str, list[tuple[str, str]]]) -> dict:
    results = {}
    for name, rows in sets.items():
        counts = Counter(outcome(desk, label, *desk.ask(text)) for text, label in rows)
        total = sum(counts.values())
        escalated = {k.split(":", 1)[1]: n for k, n in counts.items() if k.startswith("escalated")}
        results[name] = {
            "n": total,
            **{k: counts[k] / total for k in sorted(counts) if ":" not in k},
            "escalated": sum(escalated.values()) / total,
            "escalated_by_reason": dict(sorted(escalated.items())),
        }
        say(f"  {name}: {results[name]}")
    return results


def tune(desk: Desk, taught: list[str], data: dict, near: list[tuple[str, str]]) -> list[dict]:
    """The direct-answer rule swept on the validation split (and near-identical wordings made
    with another seed), with the engine alone."""
    loaded, index = registry.model(), registry.index()
    entry_intent = {pk: i for i, pk in desk.entry_of.items()}
    rows = []
    for text, label in near + data["val"] + data["oos_val"]:
        prediction = loaded.classifier.predict(text)
        similar = index.search(text, k=3)
        views = index.view_scores(text, similar[0].item.id) if similar else {}
        rows.append((label, prediction, similar, views))
    sweep = []
    for min_score in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9):
        for min_view in (0.4, 0.5, 0.6, 0.7):
            rule = DirectRule(min_score=min_score, min_view_score=min_view)
            right = wrong = taught_n = near_right = 0
            for n, (label, prediction, similar, views) in enumerate(rows):
                match, _ = direct_match(
                    similar,
                    views=views,
                    prediction=prediction,
                    threshold=settings.AUTO_RESOLVE_THRESHOLD,
                    rule=rule,
                )
                got = entry_intent.get(match.item.id) if match else None
                if n < len(near):
                    near_right += got == label
                    continue
                taught_n += label in taught
                if got is not None:
                    right += got == label
                    wrong += got != label
            sweep.append(
                {
                    "min_score": min_score,
                    "min_view": min_view,
                    "near_identical_right": near_right / max(len(near), 1),
                    "paraphrases_right": right / max(taught_n, 1),
                    "direct_wrong": wrong,
                    "n_val": len(rows) - len(near),
                }
            )
    return sweep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--intents", type=int, default=30, help="CLINC150 intents taught")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tune", action="store_true", help="sweep the rule on validation")
    parser.add_argument(
        "--flow",
        choices=("keep-intent", "new-intent"),
        default="keep-intent",
        help="keep-intent: the agent resolves with the classifier's guess, creates the intent "
        "later; new-intent: the agent creates the intent from the workspace first",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (DATA / "clinc150").exists():
        sys.exit(f"CLINC150 not found under {DATA}")
    data = clinc()
    rng = random.Random(args.seed)
    intents = sorted({y for _, y in data["train"]})
    taught = sorted(rng.sample(intents, args.intents))
    untaught = [i for i in intents if i not in taught]
    train = {i: [t for t, y in data["train"] if y == i] for i in taught}

    started = time.perf_counter()
    say("Setting up the desk (migrate, starter data, starter model)")
    desk = Desk()
    say(f"Teaching {len(taught)} questions from outside the taxonomy")
    first_examples = args.flow == "new-intent"
    teaching = Counter(
        desk.teach(
            i,
            train[i][0],
            answer_for(i),
            train[i][1:EXAMPLES_PER_NEW_INTENT] if first_examples else None,
        )
        for i in taught
    )
    say(f"  {dict(teaching)}")
    if args.tune:
        tuning_rng = random.Random(args.seed + 1)
        near = [(v, i) for i in desk.entry_of for v in variants(train[i][0], tuning_rng)]
        sweep = tune(desk, taught, data, near)
        print(json.dumps(sweep, indent=2) if args.json else _table(sweep))
        return

    split = "test"
    held = [(t, y) for t, y in data[split] if y in desk.entry_of]
    other = [(t, y) for t, y in data[split] if y in untaught]
    unrelated = data[f"oos_{split}"] + [
        row for i in untaught for row in [r for r in other if r[1] == i][:UNRELATED_PER_INTENT]
    ]
    near = [(v, i) for i in desk.entry_of for v in variants(train[i][0], rng)]
    sets = {"near_identical": near, "paraphrases": held, "unrelated": unrelated}
    report = {
        "intents_taught": len(taught),
        "teaching": dict(teaching),
        "settings": {
            "KNOWLEDGE_DIRECT_SIMILARITY": settings.KNOWLEDGE_DIRECT_SIMILARITY,
            "KNOWLEDGE_DIRECT_VIEW_SIMILARITY": settings.KNOWLEDGE_DIRECT_VIEW_SIMILARITY,
            "AUTO_RESOLVE_THRESHOLD": settings.AUTO_RESOLVE_THRESHOLD,
        },
    }
    report["flow"] = args.flow
    say("Stage 1: the approved entries (and new intents, if created), before retraining")
    report["approved_entries"] = run(desk, sets)
    say("Stage 2: every taught intent exists (template + examples); the model is retrained")
    for i in desk.entry_of:
        if i not in desk.slug_of:
            desk.create_intent(i, answer_for(i), train[i][1 : 1 + EXAMPLES_PER_NEW_INTENT])
    result = train_model(force=True)
    registry.clear()
    report["after_retraining"] = run(desk, sets)
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["retrained"] = {"macro_f1": round(result.version.metrics.get("macro_f1", 0), 4)}
    print(json.dumps(report, indent=2) if args.json else _report_table(report))


def _table(sweep: list[dict]) -> str:
    lines = [
        "| min score | min view | near-identical right | paraphrases right "
        "| wrong direct answers (val + oos_val) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for row in sweep:
        lines.append(
            f"| {row['min_score']} | {row['min_view']} | {row['near_identical_right']:.1%} "
            f"| {row['paraphrases_right']:.1%} | {row['direct_wrong']} of {row['n_val']} |"
        )
    return "\n".join(lines)


def _report_table(report: dict) -> str:
    lines = [
        f"flow {report['flow']}; {report['intents_taught']} intents taught: {report['teaching']}; "
        f"settings {report['settings']}; retrained macro-F1 {report['retrained']}; "
        f"{report['seconds']} s",
        "",
        "| stage | questions | n | answered right | wrong (taught answer) | other automatic "
        "| escalated (reasons) |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for stage in ("approved_entries", "after_retraining"):
        for name, row in report[stage].items():
            lines.append(
                f"| {stage.replace('_', ' ')} | {name.replace('_', ' ')} | {row['n']} "
                f"| {row.get('right', 0):.1%} | {row.get('wrong_taught', 0):.1%} "
                f"| {row.get('other_auto', 0):.1%} | {row.get('escalated', 0):.1%} "
                f"({', '.join(f'{k} {n}' for k, n in row['escalated_by_reason'].items())}) |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
