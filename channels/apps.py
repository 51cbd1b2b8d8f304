from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    label = "channels"
    verbose_name = "Channels (e-mail, webhooks)"

    def ready(self) -> None:
        from channels import inbound, receivers  # noqa: F401  (connect the receivers)
