"""The scrubber on its own: each kind of personal data, validation, placeholders, and text that
must stay as it is."""

import pytest

from resolution.engine.scrub import Person, render_placeholders, residual, scrub

ALANNA = Person("customer", "Alanna Privett", ("alanna.p@example.org",), ("07700 900123",))
AGNES = Person("agent", "Agnes Moore", ("agnes@desk.test",))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mail me at bob.smith+x@mail.example.co.uk.", "Mail me at my e-mail address."),
        ("Call +49 30 901820 please", "Call my phone number please"),
        ("My number is (202) 555-0143.", "My number is my phone number."),
        ("Card 4111 1111 1111 1111 was charged", "Card my card was charged"),
        ("IBAN DE89 3704 0044 0532 0130 00 please", "IBAN my bank account please"),
        ("Send it to 10 Downing Street, London SW1A 2AA today", "Send it to my address today"),
        ("Ich wohne in der Hauptstraße 5, 10115 Berlin.", "Ich wohne in der my address."),
        ("Ship to 742 Evergreen Terrace, Springfield, OR 97403.", "Ship to my address."),
        ("Where is my order #5512349?", "Where is my order?"),
        ("Order no. AB-99812 never came", "my order never came"),
        ("tracking number 1Z999AA10123456784 shows nothing", "my tracking number shows nothing"),
        ("RR123456785GB is stuck", "my tracking number is stuck"),
        ("Reset at https://shop.test/reset?token=abc123 now", "Reset at the link in my e-mail now"),
        ("my wife Jane Doe ordered it", "my wife them ordered it"),
    ],
)
def test_each_kind_of_personal_data_in_a_question(text, expected):
    assert scrub(text, voice="question").text == expected


def test_the_customers_own_data_becomes_placeholders_and_theirs_alone():
    text = "Hi Alanna, Mrs Privett's parcel: ring 07700 900123 or alanna.p@example.org. Agnes"
    out = scrub(text, people=[ALANNA, AGNES]).text
    assert out == (
        "Hi {{ customer.first_name }}, {{ customer.full_name }} parcel: ring your phone number "
        "or your e-mail address. our team"
    )
    assert render_placeholders(out, first_name="Bob", full_name="Bob Stone").startswith(
        "Hi Bob, Bob Stone parcel"
    )


def test_a_phone_on_file_is_caught_however_it_is_written():
    for written in ("+44 7700 900123", "07700900123", "(0)7700-900-123"):
        assert "900" not in scrub(f"Call {written} now", people=[ALANNA]).text, written


def test_numbers_that_fail_validation_are_left_alone():
    # Luhn fails, IBAN check digits fail: not a card or a bank account.
    assert scrub("Code 4111 1111 1111 1112 here").findings == ()
    assert all(f.kind != "iban" for f in scrub("IBAN GB00 WEST 1234 5698 7654 32").findings)


@pytest.mark.parametrize(
    "clean",
    [
        "Returns are free within 30 days. Visit https://shop.test/help/returns for the form.",
        "Delivery takes 3-5 business days and costs £4.99; orders over £50 ship free.",
        "Dear customer, Royal Mail delivers Monday to Saturday between 7am and 6pm.",
        "Hello there! Go to /account/settings/ and click Delete my account.",
        "Your order number is in the confirmation e-mail we sent you.",
    ],
)
def test_generic_answers_are_unchanged_and_unflagged(clean):
    assert scrub(clean).text == clean
    assert residual(clean) == []


def test_placeholders_render_only_the_two_names_and_run_nothing():
    text = "Hi {{ customer.first_name }} {{ customer.email }} {% load x %} {{customer.full_name}}"
    assert render_placeholders(text, first_name="Bo", full_name="Bo Li") == (
        "Hi Bo {{ customer.email }} {% load x %} Bo Li"
    )
    assert render_placeholders("Hi {{ customer.first_name }},", first_name="", full_name="") == (
        "Hi there,"
    )


def test_residual_flags_what_the_scrubber_does_not_act_on():
    kinds = {f.kind for f in residual("Sent to Jane Doe, code 88123")}
    assert kinds == {"name", "number"}
