"""Read one RFC 822 e-mail on standard input (a Postfix or Exim pipe) into the desk.

Exit status, as a mail server reads it (sysexits.h): 0 stored (whatever became of it),
65 (EX_DATAERR) refused as too large, so the server bounces it to the sender,
75 (EX_TEMPFAIL) the desk could not store it (e.g. the database is down): the server keeps
the message and tries again later. Nothing is lost in either failure.
"""

import logging
import sys

from django.core.management.base import BaseCommand

from channels.services.email_in import EmailRefused, email_ingest

logger = logging.getLogger(__name__)

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one e-mail (RFC 822) on standard input and open or continue a ticket."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--source", default="pipe", help="recorded with the e-mail")

    def handle(self, *args, source: str, **options) -> None:
        from django.conf import settings

        # Read at most one byte past the limit: a huge message is refused without filling memory.
        raw = sys.stdin.buffer.read(settings.INBOUND_EMAIL_MAX_BYTES + 1)
        try:
            record = email_ingest(raw=raw, source=source)
        except EmailRefused as error:
            self.stderr.write(str(error))
            sys.exit(EX_DATAERR)
        except Exception:
            logger.exception("Could not store the e-mail; the mail server will retry")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(f"e-mail {record.pk}: {record.status} {record.note}".rstrip())
