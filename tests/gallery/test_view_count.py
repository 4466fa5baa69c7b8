"""Post page views are counted for the dashboard's conversion; the creator's own are not."""

from __future__ import annotations

from typing import Any

from django.test import Client


def test_visitors_views_count_and_the_creators_do_not(owner: Any, stranger: Any, make_post: Any) -> None:
    post = make_post(owner)
    Client().get(f"/posts/{post.pk}/")
    visitor = Client()
    visitor.force_login(stranger)
    visitor.get(f"/posts/{post.pk}/")
    creator = Client()
    creator.force_login(owner)
    creator.get(f"/posts/{post.pk}/")
    post.refresh_from_db()
    assert post.view_count == 2
