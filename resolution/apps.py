from django.apps import AppConfig


class ResolutionConfig(AppConfig):
    name = "resolution"
    verbose_name = "Resolution (AI)"

    def ready(self) -> None:
        from resolution import signals  # noqa: F401  (connects the receivers)
