"""`python -m marketplace.commerce.stripe_standin` runs the server the demo uses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import stripe

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]


def test_module_entry_point_serves_the_api_until_terminated() -> None:
    command = [
        sys.executable,
        "-m",
        "marketplace.commerce.stripe_standin",
        "--port",
        "0",
        "--webhook-url",
        "http://127.0.0.1:9/never",
        "--webhook-secret",
        "whsec_cli_platform",
        "--connect-webhook-url",
        "http://127.0.0.1:9/never-connect",
        "--connect-webhook-secret",
        "whsec_cli_connect",
    ]
    process = subprocess.Popen(command, cwd=REPOSITORY_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline().strip()
        url = banner.rsplit(" ", 1)[-1]
        client = stripe.StripeClient(
            "sk_test_cli", base_addresses={"api": url}, max_network_retries=0
        )

        account = client.v1.accounts.create(params={"type": "express"})

        assert banner.startswith("Kiln Stripe stand-in listening on http://127.0.0.1:")
        assert client.v1.accounts.retrieve(account.id).type == "express"
    finally:
        process.terminate()
        exit_code = process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()
    assert exit_code == 0


def test_webhook_url_without_a_signing_secret_is_refused() -> None:
    command = [
        sys.executable,
        "-m",
        "marketplace.commerce.stripe_standin",
        "--port",
        "0",
        "--webhook-url",
        "http://127.0.0.1:9/hook",
    ]

    result = subprocess.run(
        command, cwd=REPOSITORY_ROOT, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2
    assert "webhook_secret must be a signing secret starting with 'whsec_'" in result.stderr
