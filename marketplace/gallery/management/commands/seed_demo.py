"""``manage.py seed_demo``: the demo gallery (creators, posts with generated art, likes, follows).

Idempotent: a second run creates nothing. ``demo`` and ``buyer`` log in with ``kiln-demo``.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from marketplace.gallery.management.demo_catalog import (
    BUYER,
    DEFAULT_POST_COUNT,
    DEMO,
    DEMO_PASSWORD,
)
from marketplace.gallery.management.demo_seeding import seed_demo


class Command(BaseCommand):
    help = "Create demo creators, posts with procedural art, likes and follows (idempotent)."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--posts",
            type=int,
            default=DEFAULT_POST_COUNT,
            help=f"How many demo posts should exist (default {DEFAULT_POST_COUNT}).",
        )
        parser.add_argument(
            "--sync",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Process images in this process so the gallery is complete on return "
            "(default). --no-sync leaves them to the CPU worker's media queue.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=min(4, os.cpu_count() or 1),
            help="Processes that render the art in parallel (default: CPU cores, at most 4).",
        )
        parser.add_argument(
            "--verification",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Add Blueprints that the demo's render worker verifies on the tiny model "
            "(needs the tiny models in RENDER_MODELS_DIR and .venv-render; default on).",
        )
        parser.add_argument(
            "--art-size",
            type=int,
            default=None,
            help="Long side of new images in pixels (default: 768 to 1024, varying per post; "
            "tests use small images to stay fast).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["posts"] < 0:
            raise CommandError(f"--posts={options['posts']}; give 0 or more.")
        if options["jobs"] < 1:
            raise CommandError(f"--jobs={options['jobs']}; give 1 or more.")
        if options["art_size"] is not None and not 64 <= options["art_size"] <= 2048:
            raise CommandError(f"--art-size={options['art_size']}; give 64 to 2048 pixels.")
        verbose = options["verbosity"] >= 1
        summary = seed_demo(
            post_count=options["posts"],
            sync=options["sync"],
            jobs=options["jobs"],
            art_size=options["art_size"],
            log=self.stdout.write if verbose else (lambda _line: None),
        )
        # --- Verification demo (issue 6): Blueprints the demo's render worker verifies for real.
        if options["verification"]:
            from blueprints.verification_demo import seed_verification_demo
            from marketplace.accounts.models import User

            owner = User.objects.get(username=DEMO.handle)
            seed_verification_demo(owner=owner, log=self.stdout.write if verbose else (lambda _line: None))
        # --- end of the verification demo
        if not verbose:
            return
        self.stdout.write(self.style.SUCCESS("Demo data ready:"))
        for line in summary.lines():
            self.stdout.write(f"  {line}")
        self.stdout.write(
            f"  log in as {DEMO.handle} ({DEMO.email}) or {BUYER.handle} ({BUYER.email}), "
            f"password {DEMO_PASSWORD}"
        )
        if summary.posts_failed:
            raise CommandError(f"{len(summary.posts_failed)} demo images could not be processed.")
