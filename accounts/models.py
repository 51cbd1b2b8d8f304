from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    AGENT = "agent", "Agent"
    ADMIN = "admin", "Admin"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("role", Role.CUSTOMER)
        # Accounts made by an admin, a command or the demo data are trusted as they are; only
        # self-service sign-up (accounts.services.user_sign_up) leaves the address unconfirmed.
        fields.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields["role"] = Role.ADMIN
        fields["is_superuser"] = True
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        # E-mail logins are case-insensitive: Alice@Example.com is alice@example.com.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # When the owner proved the address is theirs (the link e-mailed at sign-up); None until
    # then. An unconfirmed customer can log in but not open tickets.
    # Accounts made by admins, imports and scripts count as confirmed; sign-up alone starts
    # unconfirmed (accounts/verification.py sets None) until the e-mailed link is followed.
    email_verified_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    # API access tokens issued before this instant are refused (accounts/authentication.py):
    # set by logout, a password change and a replayed refresh token (accounts/services.py).
    tokens_valid_after = models.DateTimeField(null=True, blank=True, editable=False)
    # The language the person reads the desk in (an ISO 639-1 code); "" = from the browser.
    language = models.CharField(max_length=8, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def is_staff(self) -> bool:
        # Only admins reach Django admin; agents work in the portal's queue.
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_agent(self) -> bool:
        """Agents and admins both work tickets."""
        return self.role in (Role.AGENT, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    def has_perm(self, perm: str, obj=None) -> bool:
        # The admin role is the whole of an admin's authority; no per-model grants needed.
        return (self.is_active and self.is_admin) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        return (self.is_active and self.is_admin) or super().has_module_perms(app_label)

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email.split("@")[0]

    def get_full_name(self) -> str:
        return self.full_name or self.email
