"""The API's user lookup, cached: a JWT request reads its user from the cache, not the database.

Every API request needs the user's row (is it active, its role, `tokens_valid_after` for
revocation). Reading it costs one query per request on the busiest endpoints; the row changes
rarely. So the row is kept in Django's default cache for AUTH_USER_CACHE_SECONDS, and every
change that matters drops it:

- any `save()` or deletion of a User (deactivation, role, password, erasure, last login): the
  `post_save` / `post_delete` receivers below, again once the transaction commits (so a
  concurrent request cannot put the old row back before the change is visible);
- the services that change a user with a queryset `update()` (token revocation at logout and
  password change, e-mail confirmation) call `user_cache_forget` themselves.

Why it is safe: with the shared cache production uses (CACHE_URL on Redis; `accounts.W001`
warns otherwise), a logout, a password change or a deactivation reaches every process at once.
What is left is bounded by the short lifetime: a per-process cache (several processes without
CACHE_URL) or a change made behind the ORM (raw SQL) is seen within AUTH_USER_CACHE_SECONDS
(default 30 s). Set it to 0 to read the row on every request, as before.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import User


def _key(user_id: object) -> str:
    return f"accounts:auth-user:{user_id}"


def cached_user(user_id: object, load) -> User | None:
    """The user with `user_id`: from the cache, else `load(user_id)` (None: no such user),
    which is cached for AUTH_USER_CACHE_SECONDS."""
    seconds = settings.AUTH_USER_CACHE_SECONDS
    if seconds <= 0:
        return load(user_id)
    user = cache.get(_key(user_id))
    if user is None:
        user = load(user_id)
        if user is not None:
            cache.set(_key(user_id), user, seconds)
    return user


def user_cache_forget(user_id: object) -> None:
    """Drop the cached row now and again after the current transaction commits."""
    cache.delete(_key(user_id))
    transaction.on_commit(lambda: cache.delete(_key(user_id)))


@receiver(post_save, sender=User, dispatch_uid="accounts_auth_cache_saved")
def forget_saved_user(sender, instance: User, raw: bool, **kwargs) -> None:
    user_cache_forget(instance.pk)


@receiver(post_delete, sender=User, dispatch_uid="accounts_auth_cache_deleted")
def forget_deleted_user(sender, instance: User, **kwargs) -> None:
    user_cache_forget(instance.pk)
