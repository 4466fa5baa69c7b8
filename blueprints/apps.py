from django.apps import AppConfig


class BlueprintsConfig(AppConfig):
    name = "blueprints"
    label = "blueprints"
