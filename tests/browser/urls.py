"""The site's URLs, with public media served from the folder the test settings point at.

``marketplace.urls`` binds the media folder when it is first imported, which in a test session
is some earlier test's temporary folder; the browser must load the images this test made.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.views.static import serve

from marketplace.urls import urlpatterns as site_urlpatterns


def public_media(request: HttpRequest, path: str) -> Any:
    response: HttpResponse = serve(request, path, document_root=settings.MEDIA_ROOT / "public")
    return response


urlpatterns = [re_path(r"^media/(?P<path>.*)$", public_media), *site_urlpatterns]
