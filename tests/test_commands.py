"""train, evaluate, import_tickets and seed_demo: right on good input, clear on bad input."""

import json
import random

import pytest
from django.core.management import CommandError, call_command

from resolution.models import Intent, KnowledgeEntry, ModelVersion, TrainingExample

pytestmark = pytest.mark.django_db

ROWS = [
    ("where is my parcel", "track_order"),
    ("my package has not arrived where is it", "track_order"),
    ("track my order please", "track_order"),
    ("what is the status of my delivery", "track_order"),
    ("i want my money back", "get_refund"),
    ("please refund me for the broken lamp", "get_refund"),
    ("can i get a refund", "get_refund"),
    ("refund my order now", "get_refund"),
    ("how do i reset my password", "recover_password"),
    ("forgot my password cannot log in", "recover_password"),
    ("password reset link please", "recover_password"),
    ("i lost my password", "recover_password"),
]


def write_csv(path, rows, header=("text", "intent"), encoding="utf-8"):
    lines = [",".join(header)] + [f'"{text}",{label}' for text, label in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def labelled_csv(tmp_path):
    return write_csv(tmp_path / "train.csv", ROWS * 3)


# --- evaluate ---------------------------------------------------------------------------------


def test_evaluate_reports_every_figure_as_json(tmp_path, labelled_csv):
    test_csv = write_csv(tmp_path / "test.csv", ROWS + [("what is the weather on mars", "oos")])
    report = json.loads(
        run("evaluate", "--csv", str(test_csv), "--train-csv", str(labelled_csv), "--json")
    )
    for key in ("accuracy", "macro_f1", "ece", "coverage", "auto_precision", "oos_auto_rate", "n"):
        assert key in report
    assert report["n"] == len(ROWS) + 1
    assert report["n_oos"] == 1
    assert report["accuracy"] > 0.5


def test_evaluate_replays_the_whole_decision_per_reason_and_kind(tmp_path, trained_model):
    rows = [
        ("I forgot my password, how do I reset it?", "recover_password", "plain"),
        ("7021645199", "escalate", "no_content"),
        (
            "I clicked forgot password three times and the reset e-mail never arrives",
            "escalate",
            "path_failed",
        ),
    ]
    path = tmp_path / "hard.csv"
    path.write_text(
        "text,intent,kind\n" + "".join(f'"{t}",{label},{kind}\n' for t, label, kind in rows)
    )
    replay = json.loads(run("evaluate", "--csv", str(path), "--json"))["replay"]
    # The live decision, not the confidence alone: the number and the failed reset escalate.
    assert replay["auto"] == 1 and replay["auto_precision"] == 1.0
    assert replay["by_kind"]["no_content"]["by_reason"] == {"no_content": 1}
    assert replay["by_kind"]["path_failed"]["by_reason"] == {"path_failed": 1}
    assert replay["must_escalate_answered"] == 0.0
    assert replay["sent_to_people_by_abstention"]["path_failed"] == 1
    printed = run("evaluate", "--csv", str(path))
    assert "The whole decision, replayed" in printed and "path_failed" in printed


def test_evaluate_prints_a_readable_report(tmp_path, labelled_csv):
    output = run("evaluate", "--csv", str(labelled_csv), "--train-csv", str(labelled_csv))
    assert "Accuracy" in output and "Risk-coverage" in output


def test_evaluate_uses_the_active_model(tmp_path, trained_model):
    test_csv = write_csv(
        tmp_path / "t.csv", [("Where is my order 1234? It hasn't arrived.", "track_order")]
    )
    report = json.loads(run("evaluate", "--csv", str(test_csv), "--json"))
    assert report["n"] == 1


def test_evaluate_without_a_model_says_to_train(tmp_path):
    test_csv = write_csv(tmp_path / "t.csv", ROWS)
    with pytest.raises(CommandError, match="train"):
        run("evaluate", "--csv", str(test_csv))


def test_evaluate_names_a_missing_column(tmp_path, labelled_csv):
    with pytest.raises(CommandError, match="no column 'label'"):
        run(
            "evaluate",
            "--csv",
            str(labelled_csv),
            "--label-column",
            "label",
            "--train-csv",
            str(labelled_csv),
        )


def test_evaluate_refuses_an_empty_file(tmp_path, labelled_csv):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="empty"):
        run("evaluate", "--csv", str(empty), "--train-csv", str(labelled_csv))


def test_evaluate_refuses_a_header_without_rows(tmp_path, labelled_csv):
    header_only = tmp_path / "header.csv"
    header_only.write_text("text,intent\n")
    with pytest.raises(CommandError, match="no rows"):
        run("evaluate", "--csv", str(header_only), "--train-csv", str(labelled_csv))


def test_evaluate_explains_text_that_is_not_utf8(tmp_path, labelled_csv):
    latin = write_csv(
        tmp_path / "latin.csv", [("où est ma commande", "track_order")], encoding="utf-16"
    )
    with pytest.raises(CommandError, match="UTF-8"):
        run("evaluate", "--csv", str(latin), "--train-csv", str(labelled_csv))


def test_evaluate_refuses_an_unknown_encoding_name(tmp_path, labelled_csv):
    with pytest.raises(CommandError, match="Unknown encoding"):
        run(
            "evaluate",
            "--csv",
            str(labelled_csv),
            "--encoding",
            "klingon-8",
            "--train-csv",
            str(labelled_csv),
        )


def test_evaluate_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("evaluate", "--csv", str(tmp_path / "nope.csv"))


# --- import_tickets -----------------------------------------------------------------------------


def test_import_creates_examples_intents_and_knowledge(tmp_path, taxonomy):
    export = tmp_path / "export.csv"
    export.write_text(
        "question,category,reply\n"
        '"Where is my parcel?",track_order,"See /orders/."\n'
        '"Do you sell gift cards?",Gift Cards,"Yes, at /gift-cards/."\n'
        ",track_order,\n"
        '"no label",,\n'
    )
    output = run(
        "import_tickets",
        str(export),
        "--text-column",
        "question",
        "--label-column",
        "category",
        "--answer-column",
        "reply",
    )
    assert TrainingExample.objects.filter(source="import").count() == 2
    assert Intent.objects.filter(slug="gift-cards").exists()
    assert KnowledgeEntry.objects.filter(question="Do you sell gift cards?").exists()
    assert "Skipped 1 rows: empty text" in output
    assert "Skipped 1 rows: empty or unusable label" in output


def test_importing_twice_adds_nothing_new(tmp_path, taxonomy, labelled_csv):
    run("import_tickets", str(labelled_csv), "--text-column", "text", "--label-column", "intent")
    count = TrainingExample.objects.count()
    output = run(
        "import_tickets", str(labelled_csv), "--text-column", "text", "--label-column", "intent"
    )
    assert TrainingExample.objects.count() == count
    assert "already imported" in output


def test_import_names_a_missing_column(tmp_path, labelled_csv):
    with pytest.raises(CommandError, match="no column 'question'"):
        run(
            "import_tickets",
            str(labelled_csv),
            "--text-column",
            "question",
            "--label-column",
            "intent",
        )


def test_import_refuses_an_empty_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="empty"):
        run("import_tickets", str(empty), "--text-column", "text", "--label-column", "intent")


# --- train ----------------------------------------------------------------------------------


def test_train_makes_and_promotes_the_first_model(tmp_path, taxonomy, labelled_csv):
    run("import_tickets", str(labelled_csv), "--text-column", "text", "--label-column", "intent")
    output = run("train")
    version = ModelVersion.objects.get()
    assert version.is_active
    assert "Promoted" in output
    for key in ("accuracy", "macro_f1", "ece", "coverage"):
        assert key in version.metrics
    assert version.trained_on["total"] == len(ROWS)


def test_train_without_examples_fails_clearly(db):
    with pytest.raises(CommandError, match="at least two intents"):
        run("train")


def test_train_if_missing_does_nothing_when_a_model_is_active(trained_model):
    assert "nothing to do" in run("train", "--if-missing")
    assert ModelVersion.objects.count() == 1


def synthetic_rows(per_intent: int = 30) -> list[tuple[str, str]]:
    """Four intents with their own words, mixed with shared filler: learnable, not trivial."""
    import random

    rng = random.Random(7)
    words = {
        "track_order": ["parcel", "tracking", "courier", "arrived", "where", "shipment"],
        "get_refund": ["refund", "money", "back", "reimburse", "return", "repay"],
        "recover_password": ["password", "reset", "login", "locked", "forgot", "credentials"],
        "get_invoice": ["invoice", "receipt", "bill", "copy", "pdf", "vat"],
    }
    filler = ["please", "hi", "thanks", "my", "order", "help", "today", "the", "urgent", "i"]
    rows = []
    for label, vocab in words.items():
        for _ in range(per_intent):
            text = rng.sample(vocab, 3) + rng.sample(filler, 3)
            rng.shuffle(text)
            rows.append((" ".join(text), label))
    return rows


def test_a_worse_model_is_not_promoted(taxonomy, tmp_path):
    data = write_csv(tmp_path / "synthetic.csv", synthetic_rows())
    run("import_tickets", str(data), "--text-column", "text", "--label-column", "intent")
    run("train")
    assert ModelVersion.objects.get(is_active=True).metrics["macro_f1"] > 0.9
    # Shuffle the labels: the same texts now teach nonsense.
    examples = list(TrainingExample.objects.order_by("id"))
    labels = [e.intent_id for e in examples]
    random.Random(3).shuffle(labels)
    for example, label in zip(examples, labels, strict=True):
        example.intent_id = label
    TrainingExample.objects.bulk_update(examples, ["intent"])
    output = run("train")
    assert "Not promoted" in output
    assert ModelVersion.objects.get(is_active=True).version == 1
    assert run("train", "--force") and ModelVersion.objects.get(is_active=True).version == 3


# --- seed_demo ----------------------------------------------------------------------------


@pytest.fixture
def starter_model(db, starter_model_bytes):
    """An active starter model, so seed_demo need not train one (train has its own tests)."""
    return ModelVersion.objects.create(version=1, artifact=starter_model_bytes, is_active=True)


def test_seed_demo_is_idempotent(settings, starter_model):
    settings.DEBUG = True
    first = run("seed_demo")
    counts = (
        Intent.objects.count(),
        TrainingExample.objects.count(),
        KnowledgeEntry.objects.count(),
    )
    second = run("seed_demo")
    assert counts == (
        Intent.objects.count(),
        TrainingExample.objects.count(),
        KnowledgeEntry.objects.count(),
    )
    assert counts[0] == 27
    assert Intent.objects.filter(always_escalate=True).count() == 2
    assert "customer@example.com" in first and "customer@example.com" in second
    assert ModelVersion.objects.count() == 1


def test_seed_demo_makes_tickets_in_every_status(settings, starter_model):
    from tickets.models import Ticket

    settings.DEBUG = True
    run("seed_demo")
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {"escalated", "resolved", "auto_resolved"} <= statuses
    # Every demo ticket is decided: none sits "Open" for ever without a worker (issue 18).
    assert "open" not in statuses


def test_seed_demo_creates_no_demo_users_without_debug(settings, starter_model):
    from accounts.models import User

    settings.DEBUG = False
    output = run("seed_demo")
    assert not User.objects.exists()
    assert "no demo users" in output
