"""A changed password revokes the user's tokens (refresh and access), whichever path changed it.

Password reset, the admin's "change password" form, `changepassword` and `set_password` in a
shell all end in a save of the User with a new hash: that is the one place to hook. The tokens
are revoked after the save commits (a rolled-back change revokes nothing).
"""

from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver

from accounts.models import User
from accounts.services import user_revoke_tokens


@receiver(pre_save, sender=User, dispatch_uid="accounts_revoke_tokens_on_password_change")
def revoke_tokens_on_password_change(sender, instance: User, raw: bool, **kwargs) -> None:
    update_fields = kwargs.get("update_fields")
    if raw or instance.pk is None or (update_fields and "password" not in update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        transaction.on_commit(lambda: user_revoke_tokens(user=instance))
