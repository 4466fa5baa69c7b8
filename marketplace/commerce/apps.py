from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "marketplace.commerce"
    label = "commerce"
