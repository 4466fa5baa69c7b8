from django.urls import path
from drf_spectacular.views import SpectacularSwaggerView

from marketplace.api import (
    views_blueprints,
    views_commerce,
    views_gallery,
    views_health,
    views_recipes,
    views_schema,
)

app_name = "api"

urlpatterns = [
    path("health/", views_health.health, name="health"),
    path("schema/", views_schema.SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("posts/", views_gallery.PostListView.as_view(), name="posts"),
    path("posts/<int:post_id>/", views_gallery.PostDetailView.as_view(), name="post"),
    path("posts/<int:post_id>/like/", views_gallery.PostLikeView.as_view(), name="post-like"),
    path("posts/<int:post_id>/recipe/", views_recipes.PostRecipeView.as_view(), name="post-recipe"),
    path("recipes/parse/", views_recipes.RecipeParseView.as_view(), name="recipes-parse"),
    path("blueprints/analyze/", views_blueprints.BlueprintAnalyzeView.as_view(), name="blueprints-analyze"),
    path(
        "posts/<int:post_id>/blueprint/versions/",
        views_blueprints.PostBlueprintVersionsView.as_view(),
        name="post-blueprint-versions",
    ),
    path("blueprint-versions/<int:version_id>/", views_blueprints.BlueprintVersionView.as_view(), name="blueprint-version"),
    path(
        "blueprint-versions/<int:version_id>/resources/<int:resource_id>/link/",
        views_blueprints.ResourceLinkView.as_view(),
        name="blueprint-resource-link",
    ),
    path(
        "blueprint-versions/<int:version_id>/submit/",
        views_blueprints.VersionSubmitView.as_view(),
        name="blueprint-version-submit",
    ),
    path(
        "blueprint-versions/<int:version_id>/publish/",
        views_blueprints.VersionPublishView.as_view(),
        name="blueprint-version-publish",
    ),
    path("models/", views_blueprints.ModelsView.as_view(), name="models"),
    path("creators/<str:handle>/", views_gallery.CreatorDetailView.as_view(), name="creator"),
    path("creators/<str:handle>/follow/", views_gallery.CreatorFollowView.as_view(), name="creator-follow"),
    path("checkout/", views_commerce.CheckoutView.as_view(), name="checkout"),
    path("orders/<int:order_id>/", views_commerce.OrderView.as_view(), name="order"),
    path("library/", views_commerce.LibraryView.as_view(), name="library"),
    path("library/<int:entitlement_id>/download/", views_commerce.LibraryDownloadView.as_view(), name="library-download"),
    path("reviews/", views_commerce.ReviewsView.as_view(), name="reviews"),
]
