"""Token scopes: ``read`` for safe methods, ``write`` for changes, ``purchase`` for checkout.

Session (browser) users act with every scope; token users only with the token's scopes.
"""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from marketplace.accounts.models import ApiToken


class TokenScopePermission(permissions.BasePermission):
    message = "This token lacks the scope this request needs."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiToken):
            return True
        needed = getattr(view, "required_scope", None) or (
            "read" if request.method in permissions.SAFE_METHODS else "write"
        )
        if request.auth.has_scope(needed):
            return True
        self.message = f"This token lacks the '{needed}' scope; its scopes are {', '.join(request.auth.scopes)}."
        return False
