"""Media tasks: image derivatives run on the ``media`` queue of the CPU worker."""

from __future__ import annotations

from marketplace.celery import app
from marketplace.gallery import services


@app.task(name="gallery.process_post_image", queue="media", max_retries=3, default_retry_delay=10)
def process_post_image(post_id: int) -> None:
    """Build a post's public derivatives; quietly does nothing if the post is gone."""
    services.post_image_process(post_id=post_id)
