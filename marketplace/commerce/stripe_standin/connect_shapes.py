"""Builders for Connect objects: Express accounts and their requirements."""

from __future__ import annotations

from typing import Any

from .ids import new_id

JsonObject = dict[str, Any]

ONBOARDING_REQUIREMENTS = [
    "business_profile.mcc",
    "business_profile.url",
    "external_account",
    "individual.dob.day",
    "individual.first_name",
    "individual.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]


def express_account(*, params: JsonObject, created: int) -> JsonObject:
    """A fresh Express account: nothing submitted, nothing enabled yet."""
    account_id = new_id(prefix="acct", length=16)
    requested = [
        name for name, wanted in params.get("capabilities", {}).items() if wanted.get("requested")
    ]
    profile = params.get("business_profile", {})
    return {
        "id": account_id,
        "object": "account",
        "business_profile": {
            "annual_revenue": None,
            "estimated_worker_count": None,
            "mcc": profile.get("mcc"),
            "name": profile.get("name"),
            "product_description": profile.get("product_description"),
            "support_address": None,
            "support_email": None,
            "support_phone": None,
            "support_url": None,
            "url": profile.get("url"),
        },
        "business_type": params.get("business_type"),
        "capabilities": dict.fromkeys(sorted(requested), "inactive"),
        "charges_enabled": False,
        "controller": {
            "fees": {"payer": "application"},
            "is_controller": True,
            "losses": {"payments": "application"},
            "requirement_collection": "stripe",
            "stripe_dashboard": {"type": "express"},
            "type": "application",
        },
        "country": params.get("country", "US"),
        "created": created,
        "default_currency": params.get("default_currency", "usd"),
        "details_submitted": False,
        "email": params.get("email"),
        "external_accounts": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/accounts/{account_id}/external_accounts",
        },
        "future_requirements": requirements(currently_due=[], disabled_reason=None),
        "metadata": params.get("metadata", {}),
        "payouts_enabled": False,
        "requirements": requirements(
            currently_due=list(ONBOARDING_REQUIREMENTS), disabled_reason="requirements.past_due"
        ),
        "settings": {
            "dashboard": {"display_name": profile.get("name"), "timezone": "Etc/UTC"},
            "payouts": {
                "debit_negative_balances": True,
                "schedule": {"delay_days": 2, "interval": "daily"},
                "statement_descriptor": None,
            },
        },
        "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
        "type": "express",
    }


def requirements(*, currently_due: list[str], disabled_reason: str | None) -> JsonObject:
    """An account's `requirements` hash."""
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": currently_due,
        "disabled_reason": disabled_reason,
        "errors": [],
        "eventually_due": list(currently_due),
        "past_due": list(currently_due),
        "pending_verification": [],
    }


def account_link(*, url: str, created: int, expires_at: int) -> JsonObject:
    """The Account Link object: only a URL and its lifetime, no id."""
    return {"object": "account_link", "created": created, "expires_at": expires_at, "url": url}
