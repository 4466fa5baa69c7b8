"""Run the stand-in: `python -m marketplace.commerce.stripe_standin --port 12111 ...`."""

from __future__ import annotations

import argparse
import signal
import threading

from .server import StripeStandIn


def main(argv: list[str] | None = None) -> None:
    """Run the stand-in in the foreground until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m marketplace.commerce.stripe_standin", description="Kiln's Stripe stand-in."
    )
    parser.add_argument(
        "--port", type=int, default=12111, help="port on 127.0.0.1 (0 picks a free one)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (keep it local)")
    parser.add_argument("--webhook-url", help="platform webhook endpoint (Kiln's /stripe/webhook/)")
    parser.add_argument(
        "--webhook-secret", help="whsec_... signing secret for the platform endpoint"
    )
    parser.add_argument("--connect-webhook-url", help="Connect webhook endpoint (account.updated)")
    parser.add_argument(
        "--connect-webhook-secret", help="whsec_... signing secret for the Connect endpoint"
    )
    parser.add_argument(
        "--public-url",
        help="base URL browsers use to reach the hosted pages (default: http://HOST:PORT)",
    )
    parser.add_argument(
        "--retry-delays",
        default="1,2,5,10,30,60,120",
        help="seconds between delivery retries, comma-separated (default: about 4 minutes in all, "
        "so Kiln may start after the stand-in)",
    )
    parser.add_argument("--log-requests", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    try:
        retry_delays = tuple(float(delay) for delay in args.retry_delays.split(",") if delay)
    except ValueError:
        parser.error(f"--retry-delays takes comma-separated seconds, got {args.retry_delays!r}")
    try:
        standin = StripeStandIn(
            port=args.port,
            host=args.host,
            webhook_url=args.webhook_url,
            webhook_secret=args.webhook_secret,
            connect_webhook_url=args.connect_webhook_url,
            connect_webhook_secret=args.connect_webhook_secret,
            public_url=args.public_url,
            retry_delays_seconds=retry_delays,
            log_requests=args.log_requests,
        )
    except ValueError as error:
        parser.error(str(error))
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    standin.start()
    print(f"Kiln Stripe stand-in listening on {standin.url}", flush=True)
    stopped.wait()
    standin.stop()


if __name__ == "__main__":
    main()
