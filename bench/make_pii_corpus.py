"""Write bench/data/pii_corpus.jsonl: customer questions and agent replies with planted personal
data, for bench/pii_scrub.py.

    .venv/bin/python bench/make_pii_corpus.py          # needs Faker (requirements-dev.txt)

Every record is one text from templates filled with realistic values (Faker, en_GB / en_US /
de_DE), with the list of what was planted and whether it is on the customer's profile (what the
desk has on file: name, e-mail, phone, address) or only in the text. The templates are split in
two: the "tune" part is what the scrubber was tuned on; the "heldout" part (other templates,
other values, another seed) was measured, then its misses were read and fixed, so it counts as
tuning data since; the "fresh" part (templates written after that, another seed) is the one
measured once for the figures in docs/BENCHMARKS.md. The output is committed, so the benchmark
needs no Faker and gives the same figures everywhere.
"""

import json
import random
from pathlib import Path

from faker import Faker

OUT = Path(__file__).resolve().parent / "data" / "pii_corpus.jsonl"
PER_PART = 320
LOCALES = ("en_GB", "en_US", "de_DE")

QUESTIONS = [
    # (template, part): {slots} are filled; the part decides tune/heldout.
    "Where is my order? It still has not arrived. Order {order} for {full}, {address}, "
    "phone {phone}.",
    "Hi, I'm {full} and I ordered a jacket ({order}) but the tracking number {tracking} "
    "has not moved for a week.",
    "Please change the delivery address on order {order} to {address}. Thanks, {first}",
    "I was charged twice on my card {card} for order {order}. My email is {email}.",
    "My refund for {order} hasn't arrived. Can you send it to {iban} instead?",
    "Hello, the courier left my parcel with my neighbour {third} at {address}. "
    "Tracking {tracking}.",
    "I can't log in. The reset link {url} says it expired. My account email is {email}.",
    "Can you call me on {phone}? It's about my order {order}. {full}",
    "I moved to {address}. Please update my account ({email}) and send the invoice there.",
    "The parcel {tracking} was signed for by {third} but I never got it. I live at {address}.",
    "My name is {full}, order number {order}. I want to return the shoes. Phone: {phone}",
    "Could you refund order {order} to my bank account {iban}? Regards, {full}",
    "Why was my card {card} declined? I'm trying to pay for order {order}.",
    "My husband {third} placed order {order} with my card {card}, please cancel it.",
    "Is there a problem with {order}? Tracking {tracking} says returned to sender. {email}",
    "Hi there, {first} here. I need an invoice for {order} sent to {email} please.",
    "Delivery to {address} failed twice. Please call {phone} before the next try. Order {order}.",
    "I got a link {url} to confirm my email but it does not work. My email: {email}",
    "Please cancel my order {order}, I ordered the wrong size. {full}, {phone}",
    "The payment for {order} went from {iban} but the order shows unpaid.",
    "I'm writing for my mother {third}: her order {order} to {address} is late.",
    "Can I change the phone number on my account from {phone} to {phone2}?",
    "Tracking {tracking} shows delivered to {address} but nothing is here. {full}",
    "Hello, please send the return label for order {order} to {email}. Thanks {first}",
]
ANSWERS = [
    "Hi {first},\n\nyour order {order} left our warehouse on Monday with tracking {tracking} "
    "and goes to {address}. It should arrive within 3 working days.\n\nKind regards,\n{agent}",
    "Hello {full},\n\nI've updated the delivery address on {order} to {address}. You'll get a "
    "confirmation at {email} shortly.\n\nBest,\n{agent}",
    "Dear {first},\n\nwe refunded the duplicate charge on the card ending {card_last4} "
    "({card}) for order {order}. It takes 3-5 business days to show.\n\n{agent}",
    "Hi {first}, I'm {agent}. The refund for {order} will be paid to {iban} within 5 days.",
    "Hello {first},\n\nthe courier says the parcel ({tracking}) was left with {third}. If it "
    "isn't there, call us back and we'll open a claim.\n\nThanks,\n{agent}",
    "Hi {first},\n\nhere is a fresh reset link: {url}\nIt works for 24 hours.\n\n{agent}",
    "Dear {full},\n\nI tried to call you on {phone} about order {order} but couldn't reach "
    "you. Please reply here when convenient.\n\nRegards,\n{agent}",
    "Hi {first}, your account {email} now has the new address {address}, and the invoice for "
    "{order} is attached.",
    "Hello {first},\n\nI've arranged a return for order {order}. The courier will collect it "
    "from {address} on Thursday; please have it ready.\n\nCheers,\n{agent}",
    "Hi {first}, the payment from {iban} for order {order} arrived today, so the order is "
    "now marked as paid. Sorry for the worry!",
    "Dear Mr {last},\n\nthe card {card} was declined by your bank, not by us. Please try "
    "another card or contact them.\n\nKind regards,\n{agent}",
    "Hi {first},\n\norder {order} placed by {third} has been cancelled and the card {card} "
    "will be refunded in full.\n\n{agent}",
    "Hello {first}, tracking {tracking} shows the parcel was returned to us because the "
    "address {address} was incomplete. We'll resend it today.",
    "Hi {first}, the invoice for order {order} has been sent to {email}. Let me know if you "
    "need anything else. {agent}",
    "Dear {first},\n\nthe courier will call {phone} before the next delivery attempt to "
    "{address}.\n\nBest regards,\n{agent}",
    "Hi {full}, please use this link to confirm your e-mail: {url} (it expires in 2 days).",
    "Hello {first},\n\norder {order} is cancelled; you'll get a confirmation at {email} and "
    "the refund in 3 to 5 working days.\n\nThanks,\n{agent}",
    "Hi {first}, I'm sorry the payment from {iban} wasn't matched to {order}; it is now.",
    "Dear {first},\n\nwe've contacted the courier about {order} for {third} at {address}. "
    "They will update tracking {tracking} within 48 hours.\n\n{agent}",
    "Hi {first}, we updated your phone number from {phone} to {phone2}. {agent}",
    "Hello {full},\n\nthe courier's photo shows tracking {tracking} delivered to {address}. "
    "I've opened a claim; expect an update by e-mail to {email}.\n\n{agent}",
    "Hi {first}, the return label for order {order} is on its way to {email}. Drop the parcel "
    "at any post office within 14 days.\n\nBest,\n{agent}",
]
# Written after tuning on the two parts above, and measured once: the "fresh" held-out part.
FRESH_QUESTIONS = [
    "Good morning, this is {full}. The box for order {order} arrived crushed. You can reach me "
    "at {phone} or {email}.",
    "Hey, package {tracking} is stuck in customs. Ship address: {address}.",
    "My daughter {third} used my account to buy a phone. Please refund {order} to card {card}.",
    "Could the invoice for {order} show my company address {address}? Contact: {email}",
    "I paid by transfer from {iban} yesterday, reference {order}. When will it ship?",
    "Your email link {url} keeps failing and nobody answers {phone2}. {first}",
    "Order {order} shows delivered, but I live at {address}, not where the photo was taken.",
    "Please remove {phone} from my account and use {phone2} instead. Thanks, {full}",
]
FRESH_ANSWERS = [
    "Good morning {first},\n\nI'm sorry the box for {order} arrived damaged. A replacement "
    "goes out today to {address}; tracking {tracking}.\n\nAll the best,\n{agent}",
    "Hi {full}, customs released parcel {tracking} this morning. It will reach {address} in "
    "2 days.",
    "Hello {first}, we cancelled {order} bought by {third} and refunded card {card}.",
    "Hi {first},\n\nthe corrected invoice for {order} (billed to {address}) was sent to "
    "{email}.\n\nThanks,\n{agent}",
    "Dear {first}, your transfer from {iban} matched {order}; it ships tomorrow.",
    "Hi {first}, here is a working link: {url}. I've also noted {phone} as your callback number.",
    "Hello {first},\n\nthe driver delivered {order} to the wrong door. We've asked them to "
    "collect it and bring it to {address}.\n\nKind regards,\n{agent}",
    "Hi {full}, done: {phone} is removed and {phone2} is now on your account.",
]
# Text the scrubber must leave as it is (false positives), in the agents' voice.
CLEAN = [
    "Returns are free within 30 days. Print the label from /orders/ and drop the parcel at any "
    "post office.",
    "Standard delivery takes 3-5 working days and costs £4.99; orders over £50 ship free.",
    "Refunds reach your card within 5 to 10 business days after we receive the return.",
    "You can change the delivery address until the order is dispatched: open /orders/, pick "
    "the order and click 'Change address'.",
    "Our customer service team is available Monday to Friday, 9am to 6pm.",
    "Gift cards are valid for 24 months and can be used on any order over £10.",
    "To reset your password, click 'Forgot password' on the login page and follow the link we "
    "e-mail you. The link works for 24 hours.",
    "Express delivery (next working day) costs £7.95 if you order before 2pm.",
    "We accept Visa, Mastercard, American Express, PayPal and bank transfer.",
    "Your order number is in the confirmation e-mail and under /orders/ in your account.",
    "If the parcel shows as delivered but you can't find it, check with neighbours and your "
    "safe place, then tell us within 7 days.",
    "Items must be unworn, with tags, in the original packaging. Sale items can be exchanged.",
    "Royal Mail and DPD deliver Monday to Saturday; DHL Express also on Sundays in some areas.",
    "The invoice is a PDF you can download from /orders/ once the order has shipped.",
    "Prices include 20% VAT. Business customers can add a VAT number at checkout.",
    "Please allow 2-3 days for the tracking to update after dispatch.",
    "You can read our returns policy at https://shop.example/help/returns any time.",
    "Size guides are on every product page; between sizes, we suggest the larger one.",
    "Orders placed after 2pm on Friday are dispatched on Monday.",
    "To close your account go to /account/settings/, scroll to 'Close account' and confirm.",
]


def address(fake: Faker) -> str:
    return fake.address().replace("\n", ", ")


def order_number(rng: random.Random) -> str:
    return rng.choice(
        [
            str(rng.randint(100000, 99999999)),
            f"#{rng.randint(1000000, 9999999)}",
            f"ORD-{rng.randint(2020, 2026)}-{rng.randint(1000, 99999)}",
            f"{rng.choice('ABCDEFGHJK')}{rng.choice('LMNPRSTUVW')}-{rng.randint(10000, 999999)}",
        ]
    )


def tracking_number(rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(18))
    return rng.choice(
        [
            "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16)),
            f"{rng.choice(['RR', 'LX', 'CP', 'RN'])}{digits[:9]}{rng.choice(['GB', 'DE', 'US'])}",
            "JD" + digits,
            digits[:14],
            "00" + digits,
        ]
    )


def token_url(fake: Faker, rng: random.Random) -> str:
    token = fake.sha1()[: rng.randint(20, 40)]
    return rng.choice(
        [
            f"https://{fake.domain_name()}/account/reset?token={token}",
            f"https://{fake.domain_name()}/confirm/{token}",
            f"https://{fake.domain_name()}/t/{token}?utm_source=mail",
            f"https://{fake.domain_name()}/orders/view?id=8812&sig={token}",
        ]
    )


def card(fake: Faker, rng: random.Random) -> str:
    number = fake.credit_card_number(card_type=rng.choice(["visa16", "mastercard", "amex"]))
    if rng.random() < 0.6 and len(number) == 16:
        number = " ".join(number[i : i + 4] for i in range(0, 16, 4))
    return number


def iban(fake: Faker, rng: random.Random) -> str:
    value = fake.iban()
    if rng.random() < 0.6:
        value = " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value


def record(template: str, voice: str, part: str, rng: random.Random, fakes: dict) -> dict:
    locale = rng.choice(LOCALES)
    fake = fakes[locale]
    first, last = fake.first_name(), fake.last_name()
    agent = fakes[rng.choice(LOCALES)].first_name()
    profile = {
        "full_name": f"{first} {last}",
        "email": f"{first}.{last}@{fake.free_email_domain()}".lower().replace(" ", ""),
        "phone": fake.phone_number(),
        "address": address(fake),
    }
    # Half the time the text uses the data on file; otherwise other values only in the text.
    on_file = rng.random() < 0.5
    values = {
        "first": first,
        "last": last,
        "full": profile["full_name"],
        "email": profile["email"] if on_file else fake.email(),
        "phone": profile["phone"] if on_file else fake.phone_number(),
        "phone2": fake.phone_number(),
        "address": profile["address"] if on_file else address(fake),
        "order": order_number(rng),
        "tracking": tracking_number(rng),
        "card": card(fake, rng),
        "iban": iban(fake, rng),
        "url": token_url(fake, rng),
        "third": f"{fake.first_name()} {fake.last_name()}",
        "agent": agent,
    }
    values["card_last4"] = values["card"].replace(" ", "")[-4:]
    kinds = {
        "first": ("name", True),
        "last": ("name", True),
        "full": ("name", True),
        "email": ("email", on_file),
        "phone": ("phone", on_file),
        "phone2": ("phone", False),
        "address": ("address", on_file),
        "order": ("order", False),
        "tracking": ("tracking", False),
        "card": ("card", False),
        "iban": ("iban", False),
        "url": ("url", False),
        "third": ("third_party_name", False),
        "agent": ("agent_name", False),
    }
    planted = []
    for slot, (kind, profiled) in kinds.items():
        if "{" + slot + "}" in template:
            planted.append({"kind": kind, "value": values[slot], "profile": profiled})
    return {
        "part": part,
        "voice": voice,
        "locale": locale,
        "text": template.format(**values),
        "customer": profile,
        "agent": {"full_name": agent},
        "planted": planted,
    }


def main() -> None:
    out = []
    for part, seed in (("tune", 1401), ("heldout", 1402), ("fresh", 1403)):
        rng = random.Random(seed)
        fakes = {loc: Faker(loc) for loc in LOCALES}
        for loc, fake in fakes.items():
            fake.seed_instance(seed + len(loc))
        # Even templates tune, odd ones are held out: the held-out part's sentences are new.
        index = 0 if part == "tune" else 1
        templates = [(t, "question") for t in QUESTIONS[index::2]]
        templates += [(t, "answer") for t in ANSWERS[index::2]]
        if part == "fresh":
            templates = [(t, "question") for t in FRESH_QUESTIONS]
            templates += [(t, "answer") for t in FRESH_ANSWERS]
        for i in range(PER_PART):
            template, voice = templates[i % len(templates)]
            out.append(record(template, voice, part, rng, fakes))
        for text in CLEAN[index::2] if part != "fresh" else []:
            out.append(
                {"part": part, "voice": "answer", "text": text, "planted": [], "clean": True}
            )
    OUT.parent.mkdir(exist_ok=True)
    with OUT.open("w", encoding="utf-8") as handle:
        for row in out:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(out)} records -> {OUT}")


if __name__ == "__main__":
    main()
