"""Attachments: customers and agents attach files in the portal and the API (e-mail in
tests/test_channels_email_in.py); types read from the bytes, size limits; downloads only for
people who may see the ticket, always as downloads. Voice notes are transcribed through an
OpenAI-compatible endpoint (a local HTTP server here), or go to a person."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.api_helpers import api, error_of, escalated_ticket, open_ticket
from tests.conftest import PASSWORD
from tickets.models import Attachment, Ticket, TicketStatus

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 50
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 200


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def portal(user) -> Client:
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def test_a_customer_attaches_a_picture_to_a_new_ticket_in_the_portal(alice, taxonomy):
    response = portal(alice).post(
        "/tickets/new/",
        {
            "subject": "Broken",
            "message": "It arrived broken",
            "attachments": [upload("a.png", PNG)],
        },
    )
    assert response.status_code == 302, response.content[:500]
    attachment = Attachment.objects.get()
    assert attachment.ticket.customer == alice and attachment.content_type == "image/png"
    assert attachment.message == attachment.ticket.messages.first()
    page = portal(alice).get(f"/tickets/{attachment.ticket_id}/").content.decode()
    assert f"/tickets/{attachment.ticket_id}/files/{attachment.pk}/" in page and "a.png" in page


def test_a_refused_file_is_a_form_error_and_stores_nothing(alice, taxonomy):
    response = portal(alice).post(
        "/tickets/new/",
        {"message": "Here is my program", "attachments": [upload("run.exe", b"MZ\x90\x00" * 50)]},
    )
    assert response.status_code == 200
    assert "not accepted" in response.content.decode()
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0


def test_too_large_a_file_is_refused(alice, settings, taxonomy):
    settings.ATTACHMENT_MAX_BYTES = 100
    ticket = open_ticket(alice)
    response = portal(alice).post(
        f"/tickets/{ticket.pk}/reply/",
        {"message": "see", "attachments": [upload("b.png", PNG * 3)]},
    )
    assert response.status_code == 400 and "too large" in response.content.decode()
    assert ticket.messages.count() == 1 and Attachment.objects.count() == 0


def test_only_people_who_may_see_the_ticket_download_and_always_as_a_download(
    alice, charlie, agent, taxonomy
):
    portal(alice).post(
        "/tickets/new/",
        {
            "message": "Photo attached",
            "attachments": [upload("x.png", b"<html><script>1</script>")],
        },
    )
    attachment = Attachment.objects.get()
    assert attachment.content_type == "text/plain"  # by its bytes, not its name
    url = f"/tickets/{attachment.ticket_id}/files/{attachment.pk}/"
    for user in (alice, agent):
        response = portal(user).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == b"<html><script>1</script>"
    assert portal(charlie).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    assert portal(alice).get(f"/tickets/{attachment.ticket_id}/files/999/").status_code == 404


def test_a_customer_never_gets_a_file_from_an_internal_note(alice, agent, taxonomy):
    ticket = escalated_ticket(alice)
    portal(agent).post(
        f"/agent/tickets/{ticket.pk}/reply/",
        {"body": "Internal: screenshot", "action": "note", "attachments": [upload("n.png", PNG)]},
    )
    attachment = Attachment.objects.get()
    assert attachment.message.internal
    url = f"/tickets/{ticket.pk}/files/{attachment.pk}/"
    assert portal(agent).get(url).status_code == 200
    assert portal(alice).get(url).status_code == 404
    assert "n.png" not in portal(alice).get(f"/tickets/{ticket.pk}/").content.decode()


def test_the_api_takes_files_as_multipart(alice, agent, taxonomy):
    client = api(alice)
    response = client.post(
        "/api/tickets",
        {"message": "Broken screen", "attachments": [upload("s.png", PNG)]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    ticket_id = response.json()["id"]
    reply = client.post(
        f"/api/tickets/{ticket_id}/messages",
        {"body": "another", "attachments": [upload("t.png", PNG)]},
        format="multipart",
    )
    assert reply.status_code == 201
    agent_reply = api(agent).post(
        f"/api/tickets/{ticket_id}/reply",
        {"body": "Here is the label", "attachments": [upload("label.pdf", b"%PDF-1.4\n1 0 obj")]},
        format="multipart",
    )
    assert agent_reply.status_code == 201, agent_reply.content
    assert sorted(Attachment.objects.values_list("filename", flat=True)) == [
        "label.pdf",
        "s.png",
        "t.png",
    ]
    refused = client.post(
        f"/api/tickets/{ticket_id}/messages",
        {"body": "zip", "attachments": [upload("a.zip", b"PK\x03\x04" + b"\x00" * 40)]},
        format="multipart",
    )
    assert error_of(refused, 400)["details"] == {
        "attachments": ["type application/zip not accepted"]
    }


# --- Voice notes ------------------------------------------------------------------------------


def test_a_voice_note_is_transcribed_and_the_transcript_is_the_tickets_text(
    alice, settings, trained_model, http_receiver, django_capture_on_commit_callbacks
):
    settings.TRANSCRIBE_BASE_URL = http_receiver.url + "/v1"
    settings.TRANSCRIBE_API_KEY = "transcribe-key"
    http_receiver.replies = [
        (
            200,
            json.dumps(
                {"text": "Where is my order? I would like to know when it arrives."}
            ).encode(),
        )
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alice).post(
            "/api/tickets",
            {"message": "", "attachments": [upload("note.mp3", MP3)]},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    (request,) = http_receiver.requests
    assert request.path == "/v1/audio/transcriptions"
    assert request.headers["Authorization"] == "Bearer transcribe-key"
    assert b'name="model"' in request.body and MP3[:10] in request.body
    ticket = Ticket.objects.get()
    assert ticket.message == "Where is my order? I would like to know when it arrives."
    assert ticket.status == TicketStatus.AUTO_RESOLVED  # the pipeline read the transcript
    voice = Attachment.objects.get()
    assert voice.transcript == ticket.message and voice.is_audio
    page = portal(alice).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "<audio" in page and "Transcript:" in page


@pytest.mark.parametrize("provider", ["none", "error", "empty"])
def test_without_a_transcript_a_voice_note_goes_to_a_person(
    alice, settings, trained_model, http_receiver, django_capture_on_commit_callbacks, provider
):
    if provider != "none":
        settings.TRANSCRIBE_BASE_URL = http_receiver.url + "/v1"
    http_receiver.replies = [(500, b"boom")] if provider == "error" else [(200, b'{"text": ""}')]
    with django_capture_on_commit_callbacks(execute=True):
        response = portal(alice).post(
            "/tickets/new/", {"message": "", "attachments": [upload("note.mp3", MP3, "audio/mpeg")]}
        )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.ESCALATED
    assert ticket.escalation_reason == "voice_not_transcribed"
    assert Attachment.objects.get().transcript == ""
    assert not ticket.decisions.exists()  # the AI had nothing to read and did not decide


def test_erasure_deletes_the_customers_files_and_raw_emails(alice, taxonomy):
    from accounts.privacy import user_erase_data
    from channels.models import InboundEmail
    from channels.services.email_in import email_ingest

    portal(alice).post(
        "/tickets/new/", {"message": "Photo", "attachments": [upload("me.png", PNG)]}
    )
    attachment = Attachment.objects.get()
    stored = attachment.file.name
    raw = b"From: alice@example.com\r\nSubject: hi\r\n\r\nMy address is 1 Main St.\r\n"
    record = email_ingest(raw=raw, source="test")
    raw_name = record.raw.name
    assert record.ticket.customer == alice
    user_erase_data(user=alice)
    assert Attachment.objects.count() == 0 and InboundEmail.objects.count() == 0
    assert not attachment.file.storage.exists(stored)
    assert not record.raw.storage.exists(raw_name)
