from django.urls import path

from marketplace.recipes import views

app_name = "recipes"

urlpatterns = [
    path("posts/<int:post_id>/recipe/edit/", views.recipe_edit, name="edit"),
    path("posts/<int:post_id>/recipe/delete/", views.recipe_delete, name="delete"),
]
