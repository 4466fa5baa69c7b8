"""Connect: finishing an Express account's onboarding and what an account may receive."""

from __future__ import annotations

from typing import Any

from . import connect_shapes
from .errors import StripeError
from .store import JsonObject, Store

ONBOARDING_FLAGS = ("charges_enabled", "payouts_enabled", "details_submitted")


def onboard_account(*, store: Store, account_id: str, flags: dict[str, bool]) -> JsonObject:
    """Set the account's onboarding flags (all true = fully onboarded) and emit `account.updated`.

    The event carries `account` and goes to the Connect endpoint, as Stripe sends it.
    Requested capabilities become active when charges are enabled.
    """
    account = store.get(account_id, object_name="account", param="account")
    unknown = sorted(set(flags) - set(ONBOARDING_FLAGS))
    if unknown:
        raise StripeError(
            status=400,
            param=unknown[0],
            message=(
                f"Unknown onboarding flag {unknown[0]!r}; accepted: {', '.join(ONBOARDING_FLAGS)}."
            ),
        )
    previous: dict[str, Any] = {
        name: account[name] for name in (*ONBOARDING_FLAGS, "capabilities", "requirements")
    }
    account.update({name: flags.get(name, True) for name in ONBOARDING_FLAGS})
    capability_state = "active" if account["charges_enabled"] else "inactive"
    names = account["capabilities"] or {"card_payments": None, "transfers": None}
    account["capabilities"] = dict.fromkeys(sorted(names), capability_state)
    fully_onboarded = all(account[name] for name in ONBOARDING_FLAGS)
    account["requirements"] = connect_shapes.requirements(
        currently_due=[] if fully_onboarded else list(connect_shapes.ONBOARDING_REQUIREMENTS),
        disabled_reason=None if fully_onboarded else "requirements.past_due",
    )
    if account["details_submitted"]:
        account["tos_acceptance"] = {
            "date": store.clock.now(),
            "ip": "127.0.0.1",
            "user_agent": "Kiln Stripe stand-in",
        }
    changed = {name: value for name, value in previous.items() if account[name] != value}
    store.emit_event(
        event_type="account.updated",
        data_object=account,
        previous_attributes=changed,
        account=account_id,
    )
    return account


def require_transfers_capability(*, account: JsonObject, param: str) -> None:
    """Stripe refuses to move money to an account whose `transfers` capability is not active."""
    if account["capabilities"].get("transfers") != "active":
        raise StripeError(
            status=400,
            code="insufficient_capabilities_for_transfer",
            param=param,
            message=(
                f"Your destination account ({account['id']}) needs to have at least one of "
                "the following "
                "capabilities enabled: transfers, crypto_transfers, legacy_payments. Finish its "
                "onboarding first (charges_enabled, payouts_enabled, details_submitted)."
            ),
        )
