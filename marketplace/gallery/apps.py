from django.apps import AppConfig


class GalleryConfig(AppConfig):
    name = "marketplace.gallery"
    label = "gallery"
