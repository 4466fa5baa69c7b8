"""The hosted pages a browser sees: Checkout's "pay" page and Connect's onboarding page.

They stand in for checkout.stripe.com and connect.stripe.com so a headless-browser test can
click through a purchase or an onboarding. Every action is a plain HTML form POST followed by
a 303 redirect, so they work without JavaScript.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .checkout_actions import complete_session
from .connect_actions import onboard_account
from .errors import StripeError
from .store import Store

ZERO_DECIMAL_CURRENCIES = {
    "bif",
    "clp",
    "djf",
    "gnf",
    "jpy",
    "kmf",
    "krw",
    "mga",
    "pyg",
    "rwf",
    "ugx",
    "vnd",
    "vuv",
    "xaf",
    "xof",
    "xpf",
}
PAY_ACTIONS = {"card": "card", "async": "async"}


@dataclass(frozen=True)
class PageResponse:
    """An HTML page or a redirect."""

    status: int
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def format_amount(*, amount: int, currency: str) -> str:
    """Minor units to a display string (`1999, usd` -> `19.99 USD`), never through float."""
    if currency in ZERO_DECIMAL_CURRENCIES:
        return f"{amount} {currency.upper()}"
    return f"{amount // 100}.{amount % 100:02d} {currency.upper()}"


def pay_page(*, store: Store, session_id: str) -> PageResponse:
    """The checkout page: items, total, and the buyer's three choices."""
    session = store.find(session_id)
    if session is None or session["object"] != "checkout.session":
        return _message_page(
            status=404, title="Checkout not found", text=f"No Checkout Session {session_id}."
        )
    if session["status"] != "open":
        return _message_page(
            status=200,
            title="Checkout closed",
            text=f"This Checkout Session is {session['status']}.",
        )
    currency = session["currency"]
    rows = "".join(
        "<tr "
        f'class="line-item"><td>{html.escape(item["description"])}</td><td>{item["quantity"]}</td>'
        f"<td>{format_amount(amount=item['amount_total'], currency=currency)}</td></tr>"
        for item in store.session_line_items[session_id]
    )
    total = format_amount(amount=session["amount_total"], currency=currency)
    body = (
        f"<h1>Pay Kiln</h1><p>Test mode: no money moves.</p>"
        f"<table><tr><th>Item</th><th>Qty</th><th>Amount</th></tr>{rows}</table>"
        f'<p>Total: <strong id="total">{total}</strong></p>'
        # Posts back to the page's own URL, so the page works behind any --public-url prefix.
        '<form method="post">'
        '<button type="submit" name="action" value="card" id="pay-card">Pay with card</button> '
        '<button type="submit" name="action" value="async" id="pay-async">Pay with bank '
        "transfer (async)</button> "
        '<button type="submit" name="action" value="cancel" id="cancel">Cancel</button>'
        "</form>"
    )
    return PageResponse(status=200, body=_document(title="Checkout", body=body))


def pay_submit(*, store: Store, session_id: str, action: str) -> PageResponse:
    """Pay (card or async) and go to success_url, or cancel and go to cancel_url."""
    session = store.find(session_id)
    if session is None or session["object"] != "checkout.session":
        return _message_page(
            status=404, title="Checkout not found", text=f"No Checkout Session {session_id}."
        )
    if action == "cancel":
        # Cancelling leaves the session open, as on Stripe: the buyer may come back to it.
        return _redirect_or_message(url=session["cancel_url"], title="Checkout cancelled")
    if action not in PAY_ACTIONS:
        return _message_page(
            status=400,
            title="Unknown action",
            text=f"action must be card, async or cancel, got {action!r}.",
        )
    try:
        complete_session(store=store, session_id=session_id, payment_method=PAY_ACTIONS[action])
    except StripeError as error:
        return _message_page(status=409, title="Checkout closed", text=error.message)
    success_url = session["success_url"]
    if success_url is not None:
        success_url = success_url.replace("{CHECKOUT_SESSION_ID}", session_id)
    return _redirect_or_message(url=success_url, title="Payment submitted")


def onboarding_page(*, store: Store, account_id: str, token: str) -> PageResponse:
    """Connect onboarding. Account Links are single-use and short-lived: a second visit or an
    expired link sends the browser to `refresh_url`, where Kiln must mint a new link."""
    record = store.account_links.get(token)
    if record is None or record.account_id != account_id:
        return _message_page(
            status=404, title="Link not found", text="This onboarding link does not exist."
        )
    if record.visited or record.expires_at <= store.clock.now():
        return _redirect(url=record.refresh_url)
    record.visited = True
    account = store.get(account_id, object_name="account", param="account")
    body = (
        f"<h1>Set up payouts for Kiln</h1><p>Account {html.escape(account_id)} "
        f"({html.escape(account['email'] or 'no email')}). Test mode: no details are needed.</p>"
        '<form method="post">'
        '<button type="submit" name="action" value="submit" id="submit-onboarding">Submit '
        "details</button> "
        '<button type="submit" name="action" value="leave" id="leave-onboarding">Return '
        "without finishing</button>"
        "</form>"
    )
    return PageResponse(status=200, body=_document(title="Onboarding", body=body))


def onboarding_submit(*, store: Store, account_id: str, token: str, action: str) -> PageResponse:
    """Finish onboarding (`submit`) or leave it unfinished (`leave`); then go to return_url."""
    record = store.account_links.get(token)
    if record is None or record.account_id != account_id or not record.visited:
        return _message_page(
            status=404,
            title="Link not found",
            text="Open the onboarding link before submitting it.",
        )
    if action not in ("submit", "leave"):
        return _message_page(
            status=400,
            title="Unknown action",
            text=f"action must be submit or leave, got {action!r}.",
        )
    del store.account_links[token]
    if action == "submit":
        onboard_account(store=store, account_id=account_id, flags={})
    return _redirect(url=record.return_url)


def _redirect_or_message(*, url: str | None, title: str) -> PageResponse:
    if url is None:
        return _message_page(status=200, title=title, text="You can close this page.")
    return _redirect(url=url)


def _redirect(*, url: str) -> PageResponse:
    return PageResponse(status=303, headers={"Location": url})


def _message_page(*, status: int, title: str, text: str) -> PageResponse:
    body = f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
    return PageResponse(status=status, body=_document(title=title, body=body))


def _document(*, title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} · Kiln Stripe stand-in</title>"
        "<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto}"
        "td,th{padding:.3rem .8rem}</style>"
        f"</head><body>{body}</body></html>"
    )
