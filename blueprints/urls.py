from django.urls import path

from blueprints import verification_views, views

app_name = "blueprints"

urlpatterns = [
    path("posts/<int:post_id>/blueprint/new/", views.blueprint_new, name="new"),
    path("blueprint-versions/<int:version_id>/", views.version_page, name="version"),
    path(
        "blueprint-versions/<int:version_id>/resources/<int:resource_id>/link/",
        views.resource_link,
        name="resource-link",
    ),
    path("blueprint-versions/<int:version_id>/submit/", views.version_submit, name="submit"),
    path("blueprint-versions/<int:version_id>/publish/", views.version_publish, name="publish"),
    path("models/upload/", views.model_upload, name="model-upload"),
    # Verification record (issue 6).
    path(
        "blueprint-versions/<int:version_id>/verification/",
        verification_views.verification_report,
        name="verification-report",
    ),
    path(
        "verification-runs/<int:run_id>/images/<str:role>",
        verification_views.verification_image,
        name="verification-image",
    ),
]
