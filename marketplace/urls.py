from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from marketplace.api.views_gallery import not_found_view
from marketplace.core.media import public_media

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("marketplace.api.urls")),
    re_path(r"^api/", not_found_view),
    path("accounts/", include("marketplace.accounts.urls")),
    path("", include("marketplace.recipes.urls")),
    path("", include("blueprints.urls")),
    path("", include("marketplace.gallery.urls")),
    path("", include("marketplace.commerce.urls")),
]

if settings.SERVE_PUBLIC_MEDIA:
    # Embedded default only: public derivatives from local disk. Private files have no URL.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", public_media)]
