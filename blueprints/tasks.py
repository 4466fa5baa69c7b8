"""Blueprint tasks on the CPU worker's ``default`` queue."""

from __future__ import annotations

from blueprints import services
from blueprints.models import ModelVersion
from marketplace.celery import app


@app.task(name="blueprints.resolve_waiting_resources", queue="default", ignore_result=True)
def resolve_waiting_resources(model_version_id: int) -> int:
    """Resolve draft resources that wait for a newly added catalog file; returns how many.

    Quietly does nothing if the file was removed meanwhile.
    """
    model_version = ModelVersion.objects.select_related("asset").filter(pk=model_version_id).first()
    if model_version is None:
        return 0
    return services.resources_resolve_waiting(model_version=model_version)
