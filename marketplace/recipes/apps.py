from django.apps import AppConfig


class RecipesConfig(AppConfig):
    name = "marketplace.recipes"
    label = "recipes"
