from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from marketplace.api import views_gallery, views_recipes

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("posts/", views_gallery.PostListView.as_view(), name="posts"),
    path("posts/<int:post_id>/", views_gallery.PostDetailView.as_view(), name="post"),
    path("posts/<int:post_id>/like/", views_gallery.PostLikeView.as_view(), name="post-like"),
    path("posts/<int:post_id>/recipe/", views_recipes.PostRecipeView.as_view(), name="post-recipe"),
    path("recipes/parse/", views_recipes.RecipeParseView.as_view(), name="recipes-parse"),
    path("creators/<str:handle>/", views_gallery.CreatorDetailView.as_view(), name="creator"),
    path("creators/<str:handle>/follow/", views_gallery.CreatorFollowView.as_view(), name="creator-follow"),
]
