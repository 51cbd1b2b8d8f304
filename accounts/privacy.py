"""A customer's own data: export it as JSON, or erase it.

accounts sits below the apps that hold a customer's tickets and ratings, so it does not import
them: each app names a module in settings.PRIVACY_PROVIDERS with two functions,
`export_user_data(user) -> dict` (its section of the export) and `erase_user_data(user)`
(replace what the person wrote; keep the audit trail and the AI's decisions).

Erasing deactivates the account, scrubs its e-mail and name, makes the password unusable and
revokes its refresh tokens; the tickets stay (agents' work and the metrics refer to them), with
the customer's words replaced.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.models import User
from accounts.services import user_revoke_refresh_tokens


def _paths() -> list[str]:
    return list(getattr(settings, "PRIVACY_PROVIDERS", []))


def user_export_data(*, user: User) -> dict:
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "role": user.role,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
    }
    for path in _paths():
        data.update(import_string(f"{path}.export_user_data")(user))
    return data


@transaction.atomic
def user_erase_data(*, user: User) -> None:
    for path in _paths():
        import_string(f"{path}.erase_user_data")(user)
    user_revoke_refresh_tokens(user=user)
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
