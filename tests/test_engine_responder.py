"""Answers come from the knowledge base, then the intent's template, then the LLM; in the
ticket's language, greeted once."""

from resolution.engine.llm import DisabledLLM
from resolution.engine.responder import SYSTEM_PROMPT, respond
from resolution.engine.types import KnowledgeItem, Match

MATCH = Match(KnowledgeItem(1, "where is my order", "Track it under My orders.", "track"), 0.9)
TEMPLATE = "Hello {{ customer_name }}, your order {{ ticket.order }} ships soon."
CONTEXT = {"customer_name": "Ann O'Brien & Co <ltd>", "ticket": {"order": "A-1"}}


class FakeLLM:
    def __init__(self, reply: str | None = "Here is how to track it.", error: bool = False):
        self.reply, self.error, self.calls = reply, error, []

    def generate(self, prompt: str, *, system: str) -> str | None:
        self.calls.append((prompt, system))
        if self.error:
            raise RuntimeError("provider exploded")
        return self.reply


def answer(**overrides):
    arguments = {
        "text": "Where is my order?",
        "intent": "track_order",
        "match": MATCH,
        "template": TEMPLATE,
        "context": CONTEXT,
        "llm": FakeLLM(),
    }
    arguments.update(overrides)
    return respond(**arguments)


def test_the_matched_knowledge_entry_comes_first():
    llm = FakeLLM()
    result = answer(llm=llm)
    assert (result.source, result.text) == (
        "knowledge",
        "Hi Ann O'Brien & Co <ltd>,\n\nTrack it under My orders.",
    )
    assert llm.calls == []


def test_then_the_template_rendered_with_the_context_and_not_html_escaped():
    result = answer(match=None)
    assert result.source == "template"
    # Plain text: the page escapes it when it shows it.
    assert result.text == "Hello Ann O'Brien & Co <ltd>, your order A-1 ships soon."


def test_then_the_llm_prompted_with_the_intent_and_the_text():
    llm = FakeLLM()
    result = answer(match=None, template=None, llm=llm)
    assert (result.source, result.text) == ("llm", "Here is how to track it.")
    prompt, system = llm.calls[0]
    assert "track_order" in prompt and "Where is my order?" in prompt
    assert system == SYSTEM_PROMPT
    assert "not sure" in system


def test_then_nothing():
    assert answer(match=None, template=None, llm=DisabledLLM()) is None
    assert answer(match=None, template="   ", llm=FakeLLM(reply="  ")) is None


def test_a_broken_template_falls_through_to_the_llm():
    assert answer(match=None, template="{% if %}oops", llm=FakeLLM()).source == "llm"
    assert answer(match=None, template="{% include 'x.html' %}", llm=DisabledLLM()) is None


def test_an_llm_that_raises_or_is_unsure_gives_no_answer():
    assert answer(match=None, template=None, llm=FakeLLM(error=True)) is None
    assert answer(match=None, template=None, llm=FakeLLM(reply="UNSURE")) is None


def test_an_entry_without_answer_text_is_skipped():
    empty = Match(KnowledgeItem(2, "q", "  ", None), 0.9)
    assert answer(match=empty).source == "template"


# --- Languages and greetings -----------------------------------------------------------------

TEMPLATES = {"en": "Track it at {{ shop.orders_url }}", "es": "Síguelo en {{ shop.orders_url }}"}
SHOP_CONTEXT = {"customer_name": "Ana", "shop": {"orders_url": "https://shop.test/orders/"}}


def test_the_template_in_the_tickets_language_greeted_in_it():
    result = answer(match=None, template=TEMPLATES, context=SHOP_CONTEXT, language="es")
    assert result.text == "Hola, Ana:\n\nSíguelo en https://shop.test/orders/"


def test_a_language_without_a_template_gets_english_with_a_line_saying_so():
    result = answer(match=None, template=TEMPLATES, context=SHOP_CONTEXT, language="de")
    greeting, note, body = result.text.split("\n\n")
    assert greeting == "Hallo Ana,"
    assert "auf Englisch" in note
    assert body == "Track it at https://shop.test/orders/"


def test_a_template_that_already_greets_is_not_greeted_twice():
    result = answer(match=None, template={"en": "Hello {{ customer_name }}, ok."}, language="en")
    assert result.text.count("Hello") == 1 and not result.text.startswith("Hi")


def test_no_name_greets_without_one():
    result = answer(match=None, template=TEMPLATES, context={"shop": {}}, language="fr")
    assert result.text.startswith("Bonjour,\n\n")


def test_a_knowledge_answer_fills_in_the_shops_links():
    entry = KnowledgeItem(3, "q", "See {{ shop.orders_url }}.", "track", language="es")
    result = answer(match=Match(entry, 0.9), context=SHOP_CONTEXT, language="es")
    assert result.text == "Hola, Ana:\n\nSee https://shop.test/orders/."
