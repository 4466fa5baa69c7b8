"""Recipe pages: create/edit (with server-side paste-to-fill) and delete, for the post's creator.

Thin: the form turns widgets into the API's JSON shape and ``services.recipe_upsert`` checks
and saves it, so the page and ``PUT /api/v1/posts/{id}/recipe/`` answer alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.core.errors import NotFound
from marketplace.gallery import selectors as gallery_selectors
from marketplace.gallery.models import Post
from marketplace.recipes import presenters, services
from marketplace.recipes.forms import (
    RecipeForm,
    initial_from_paste,
    initial_from_recipe,
)
from marketplace.recipes.models import Recipe
from marketplace.recipes.paste import PasteError, parse_pasted
from marketplace.recipes.recipe_input import RecipeValidationError, paste_tool_for
from marketplace.recipes.tools import TOOLS

ACTIONS = ("save", "paste", "switch_tool")


def _own_post_or_404(request: HttpRequest, post_id: int) -> Post:
    try:
        post = gallery_selectors.post_get(post_id=post_id, viewer=request.user)
    except NotFound as error:
        raise Http404(error.message) from error
    if post.creator_id != request.user.pk:
        raise PermissionDenied("Only the creator of this post can edit its Recipe.")
    return post


def _render(
    request: HttpRequest,
    post: Post,
    form: RecipeForm,
    *,
    exists: bool,
    unparsed: list[dict[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "post": post,
        "form": form,
        "tool": TOOLS[form.tool_slug],
        "recipe_exists": exists,
        "unparsed": unparsed,
    }
    return render(request, "recipes/recipe_form.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recipe_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    """Create or edit the Recipe of a post. Buttons: Save, Fill from paste, Switch tool."""
    post = _own_post_or_404(request, post_id)
    recipe = Recipe.objects.filter(post=post).first()
    if request.method == "GET":
        initial = initial_from_recipe(recipe) if recipe else {"tool": post.tool}
        return _render(
            request,
            post,
            RecipeForm(tool=initial["tool"], initial=initial),
            exists=recipe is not None,
        )
    action = request.POST.get("action", "save")
    chosen = request.POST.get("tool", "")
    tool = chosen if chosen in TOOLS else post.tool
    form = RecipeForm(request.POST, tool=tool)
    if action == "paste":
        return _fill_from_paste(request, post, form, exists=recipe is not None)
    if action == "switch_tool":
        # Carry over the texts, the price and the parameters the new tool also has.
        kept = ("prompt", "negative_prompt", "notes", "price", "currency")
        carried: dict[str, Any] = {
            key: value
            for key, value in request.POST.items()
            if key in kept or key.startswith("param_")
        }
        carried["tool"] = tool
        return _render(
            request, post, RecipeForm(tool=tool, initial=carried), exists=recipe is not None
        )
    if form.is_valid():
        try:
            result = services.recipe_upsert(post=post, user=request.user, data=form.service_data())  # type: ignore[arg-type]
        except RecipeValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Recipe saved." if not result.created else "Recipe created.")
            return redirect("gallery:post", post_id=post.pk)
    return _render(request, post, form, exists=recipe is not None, status=400)


def _fill_from_paste(
    request: HttpRequest, post: Post, form: RecipeForm, *, exists: bool
) -> HttpResponse:
    text = request.POST.get("pasted", "")
    if not text.strip():
        form.is_valid()
        form.add_error(
            "pasted",
            "pasted: is empty; accepted: an Automatic1111 parameters block, "
            "a Midjourney prompt or plain text",
        )
        return _render(request, post, form, exists=exists, status=400)
    try:
        result = parse_pasted(text, tool=paste_tool_for(text=text, preferred=form.tool_slug))
    except PasteError as error:
        form.is_valid()
        form.add_error("pasted", str(error))
        return _render(request, post, form, exists=exists, status=400)
    initial = initial_from_paste(result, tool=form.tool_slug, kept=request.POST.dict())
    filled = RecipeForm(tool=initial["tool"], initial=initial)
    return _render(
        request, post, filled, exists=exists, unparsed=presenters.unparsed_list(result.unparsed)
    )


@login_required
@require_POST
def recipe_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    """Delete the Recipe of a post (its creator only)."""
    post = _own_post_or_404(request, post_id)
    try:
        services.recipe_delete(post=post, user=request.user)  # type: ignore[arg-type]
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, "Recipe deleted.")
    return redirect("gallery:post", post_id=post.pk)
