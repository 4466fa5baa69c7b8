"""The HTTP server: routes `/v1/` (the API), `/_standin/` (test control) and the hosted pages.

`StripeStandIn` runs it on a background thread for tests; `python -m
marketplace.commerce.stripe_standin` runs it in the foreground for the demo.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import control, pages
from .api import dispatch
from .auth import authenticate
from .checkout_actions import expire_due_sessions
from .clock import Clock
from .errors import StripeError
from .forms import decode_form
from .idempotency import IdempotencyCache, StoredResponse
from .ids import new_id
from .routes import API_ROUTES
from .store import API_VERSION, JsonObject, Store
from .webhooks import CONNECT, PLATFORM, WebhookDispatcher, WebhookEndpoint

DEFAULT_RETRY_DELAYS_SECONDS = (0.25, 0.5, 1.0, 2.0, 4.0)
_PAY_PATH = re.compile(r"^/c/pay/(?P<session_id>[^/]+)$")
_ONBOARDING_PATH = re.compile(r"^/setup/e/(?P<account_id>[^/]+)/(?P<token>[^/]+)$")


class StripeStandIn:
    """A stateful Stripe stand-in on 127.0.0.1.

    `start()` binds (port 0 picks a free one) and serves on a thread; `url` is the base to pass
    to `stripe.StripeClient(key, base_addresses={"api": url})`; `stop()` shuts it down.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        connect_webhook_url: str | None = None,
        connect_webhook_secret: str | None = None,
        retry_delays_seconds: tuple[float, ...] = DEFAULT_RETRY_DELAYS_SECONDS,
        public_url: str | None = None,
        log_requests: bool = False,
    ) -> None:
        self.store = Store(clock=Clock())
        self.idempotency = IdempotencyCache()
        self.dispatcher = WebhookDispatcher(
            endpoints={
                PLATFORM: _endpoint(url=webhook_url, secret=webhook_secret, name="webhook"),
                CONNECT: _endpoint(
                    url=connect_webhook_url, secret=connect_webhook_secret, name="connect_webhook"
                ),
            },
            retry_delays_seconds=retry_delays_seconds,
        )
        self.store.endpoint_count = self.dispatcher.endpoint_count
        self.store.event_sink = self.dispatcher.enqueue
        self.log_requests = log_requests
        self._host = host
        self._port = port
        self._public_url = public_url
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>` once started."""
        if self._server is None:
            raise RuntimeError("StripeStandIn.url is known only after start().")
        return f"http://{self._host}:{self._server.server_address[1]}"

    @property
    def public_url(self) -> str:
        """The base used in hosted-page URLs (defaults to `url`)."""
        return self._public_url or self.url

    def start(self) -> StripeStandIn:
        """Bind, start webhook delivery and serve on a daemon thread; returns self."""
        self._server = _Server((self._host, self._port), _Handler, standin=self)
        self.dispatcher.start()
        # A short poll interval makes stop() return promptly (tests start one server each).
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="stripe-standin-http",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and delivering."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self.dispatcher.stop()

    def wait_for_webhooks(self, *, timeout_seconds: float = 30.0) -> bool:
        """Block until no delivery is queued or in flight (held ones aside); False on timeout."""
        return self.dispatcher.wait_idle(timeout_seconds=timeout_seconds)

    def __enter__(self) -> StripeStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _endpoint(*, url: str | None, secret: str | None, name: str) -> WebhookEndpoint | None:
    if url is None:
        return None
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{name}_url must be an http(s) URL, got {url!r}.")
    if not secret or not secret.startswith("whsec_"):
        raise ValueError(
            f"{name}_secret must be a signing secret starting with 'whsec_' when {name}_url "
            f"is set; got {secret!r}."
        )
    return WebhookEndpoint(url=url, secret=secret)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        standin: StripeStandIn,
    ) -> None:
        self.standin = standin
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.standin.log_requests:
            super().log_message(format, *args)

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        try:
            if parts.path.startswith("/v1/"):
                self._api(method=method, path=parts.path, query=parts.query, body=body)
            elif parts.path.startswith("/_standin/"):
                self._control(method=method, path=parts.path, body=body)
            else:
                self._page(method=method, path=parts.path, body=body)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            error = StripeError(
                status=500,
                error_type="api_error",
                message="The Kiln Stripe stand-in failed; see its stderr.",
            )
            self._send_json(
                status=500, payload=error.to_body(), headers={"Stripe-Should-Retry": "false"}
            )

    def _api(self, *, method: str, path: str, query: str, body: str) -> None:
        standin = self.server.standin
        request_id = new_id(prefix="req", length=14)
        headers = {
            "Request-Id": request_id,
            "Stripe-Version": self.headers.get("Stripe-Version") or API_VERSION,
        }
        idempotency_key = self.headers.get("Idempotency-Key")
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        try:
            api_key = authenticate(authorization=self.headers.get("Authorization", ""))
            raw_params = decode_form(encoded=body if method == "POST" else query)
            stripe_account = self.headers.get("Stripe-Account")
            scope = (
                (api_key, stripe_account or "", idempotency_key)
                if method == "POST" and idempotency_key
                else None
            )
            if scope is None:
                result = self._run_api(
                    method=method, path=path, params=raw_params, stripe_account=stripe_account
                )
                self._send_json(status=200, payload=result, headers=headers)
                return
            fingerprint = json.dumps(raw_params, sort_keys=True)
            stored = standin.idempotency.begin(
                scope=scope, method=method, path=path, fingerprint=fingerprint
            )
            if stored is not None:
                self._send(
                    status=stored.status,
                    body=stored.response_body,
                    content_type="application/json",
                    headers={**headers, "Idempotent-Replayed": "true"},
                )
                return
            try:
                result = self._run_api(
                    method=method, path=path, params=raw_params, stripe_account=stripe_account
                )
            except BaseException:
                standin.idempotency.finish(scope=scope, response=None)
                raise
            encoded = _encode_json(result)
            standin.idempotency.finish(
                scope=scope,
                response=StoredResponse(
                    method=method,
                    path=path,
                    fingerprint=fingerprint,
                    status=200,
                    response_body=encoded,
                ),
            )
            self._send(status=200, body=encoded, content_type="application/json", headers=headers)
        except StripeError as error:
            # Only a key still in flight (409) is worth retrying, as Stripe advises.
            should_retry = "true" if error.status == 409 else "false"
            self._send_json(
                status=error.status,
                payload=error.to_body(),
                headers={**headers, "Stripe-Should-Retry": should_retry},
            )

    def _run_api(
        self, *, method: str, path: str, params: JsonObject, stripe_account: str | None
    ) -> JsonObject:
        standin = self.server.standin
        return dispatch(
            routes=API_ROUTES,
            store=standin.store,
            method=method,
            path=path,
            raw_params=params,
            base_url=standin.public_url,
            stripe_account=stripe_account,
        )

    def _control(self, *, method: str, path: str, body: str) -> None:
        standin = self.server.standin
        try:
            payload = json.loads(body) if body.strip() else {}
            if not isinstance(payload, dict):
                raise StripeError(status=400, message="Control requests take a JSON object body.")
            if method == "POST" and path == "/_standin/webhooks/wait":
                # Never under the store lock: the receiver may call the API while we wait.
                timeout = payload.get("timeout_seconds", 30)
                idle = standin.dispatcher.wait_idle(timeout_seconds=float(timeout))
                self._send_json(
                    status=200, payload={"idle": idle, "held": standin.dispatcher.held_count()}
                )
                return
            for route_method, pattern, handler in control.ROUTES:
                path_args = _match(pattern=pattern, path=path)
                if path_args is None or route_method != method:
                    continue
                with standin.store.lock:
                    expire_due_sessions(store=standin.store)
                    context = control.ControlContext(
                        store=standin.store,
                        dispatcher=standin.dispatcher,
                        idempotency=standin.idempotency,
                        body=payload,
                        path_args=path_args,
                    )
                    result = handler(context)
                self._send_json(status=200, payload=result)
                return
            raise StripeError(
                status=404,
                message=f"Unknown control route {method} {path}; see docs/stripe-standin.md.",
            )
        except json.JSONDecodeError as error:
            self._send_json(
                status=400,
                payload=StripeError(status=400, message=f"Invalid JSON body: {error}").to_body(),
            )
        except StripeError as error:
            self._send_json(status=error.status, payload=error.to_body())

    def _page(self, *, method: str, path: str, body: str) -> None:
        standin = self.server.standin
        form = {name: values[0] for name, values in parse_qs(body).items()}
        action = form.get("action", "")
        response: pages.PageResponse | None = None
        with standin.store.lock:
            expire_due_sessions(store=standin.store)
            pay = _PAY_PATH.match(path)
            onboarding = _ONBOARDING_PATH.match(path)
            if pay and method == "GET":
                response = pages.pay_page(store=standin.store, session_id=pay["session_id"])
            elif pay and method == "POST":
                response = pages.pay_submit(
                    store=standin.store, session_id=pay["session_id"], action=action
                )
            elif onboarding and method == "GET":
                response = pages.onboarding_page(
                    store=standin.store,
                    account_id=onboarding["account_id"],
                    token=onboarding["token"],
                )
            elif onboarding and method == "POST":
                response = pages.onboarding_submit(
                    store=standin.store,
                    account_id=onboarding["account_id"],
                    token=onboarding["token"],
                    action=action,
                )
        if response is None:
            response = pages.PageResponse(
                status=404, body="<!doctype html><title>Not found</title><h1>Not found</h1>"
            )
        self._send(
            status=response.status,
            body=response.body.encode("utf-8"),
            content_type="text/html; charset=utf-8",
            headers=response.headers,
        )

    def _send_json(
        self, *, status: int, payload: JsonObject, headers: dict[str, str] | None = None
    ) -> None:
        self._send(
            status=status,
            body=_encode_json(payload),
            content_type="application/json",
            headers=headers or {},
        )

    def _send(
        self, *, status: int, body: bytes, content_type: str, headers: dict[str, str]
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, no-store")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def _encode_json(payload: JsonObject) -> bytes:
    return json.dumps(payload, indent=2).encode("utf-8")


def _match(*, pattern: str, path: str) -> dict[str, str] | None:
    regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"
    found = re.match(regex, path)
    return found.groupdict() if found else None
