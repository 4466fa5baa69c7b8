from django.urls import path

from marketplace.gallery import views

app_name = "gallery"

urlpatterns = [
    path("", views.index, name="index"),
    path("posts/new/", views.post_new, name="post-new"),
    path("posts/<int:post_id>/", views.post_page, name="post"),
    path("posts/<int:post_id>/like/", views.post_like_toggle, name="post-like"),
    path("creators/<str:handle>/", views.creator_page, name="creator"),
    path("creators/<str:handle>/follow/", views.creator_follow_toggle, name="creator-follow"),
]
