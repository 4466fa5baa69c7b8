"""What the demo gallery contains: creators, and one spec per post, all derived from fixed seeds.

Pure data and pure functions (no database): ``post_specs(count)`` returns the same list every
time, and a shorter count is a prefix of a longer one, so ``seed_demo --posts 8`` followed by
``seed_demo`` only adds posts. Posts are identified by (creator handle, title).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from marketplace.gallery.demo_art import GENERATORS, PALETTES
from marketplace.recipes.tools import TOOLS

# Published in the README on purpose: anyone may log in to the demo accounts.
DEMO_PASSWORD = "kiln-demo"  # noqa: S105
DEFAULT_POST_COUNT = 72
CATALOG_SEED = 20_260_522
# Every n-th post is rated mature, owned by `demo`, sells a Recipe, sells a Blueprint.
MATURE_EVERY = 9
DEMO_OWNS_EVERY = 6
RECIPE_EVERY = 3
BLUEPRINT_EVERY = 5


@dataclass(frozen=True)
class DemoAccount:
    handle: str
    email: str
    display_name: str
    bio: str
    # Art kinds this creator posts (empty for accounts that do not post).
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoPost:
    """Everything needed to create one demo post, and hints for later product seeding."""

    index: int
    creator: str
    title: str
    description: str
    tool: str
    tags: tuple[str, ...]
    rating: str
    art_kind: str
    palette: str
    art_seed: int
    # Hints for the Recipe and Blueprint seeding that later issues plug in (demo_seeding).
    sells_recipe: bool
    sells_blueprint: bool


DEMO = DemoAccount(
    handle="demo",
    email="demo@kiln.test",
    display_name="Demo Creator",
    bio="The account to try Kiln with: it owns some of the demo posts. Password: kiln-demo.",
    kinds=("flow-field", "aurora", "topographic"),
)
BUYER = DemoAccount(
    handle="buyer",
    email="buyer@kiln.test",
    display_name="Demo Buyer",
    bio="Collects prints and workflows. Try checkout as this account. Password: kiln-demo.",
)

CREATORS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "mira-voss",
        "mira-voss@kiln.test",
        "Mira Voss",
        "Generative landscapes from Tromsø. I chase the light that only lasts ten minutes.",
        ("aurora", "lowpoly-mountains", "nebula"),
    ),
    DemoAccount(
        "tomas-ek",
        "tomas-ek@kiln.test",
        "Tomás Ek",
        "Ex-cartographer. Contour lines, flow fields and maps of places that never existed.",
        ("topographic", "flow-field"),
    ),
    DemoAccount(
        "aiko-lumen",
        "aiko-lumen@kiln.test",
        "Aiko Lumen",
        "Soft focus, city lights, pastel noise. Wallpapers for quiet screens.",
        ("gradient-bokeh", "warped-noise"),
    ),
    DemoAccount(
        "juniper-grey",
        "juniper-grey@kiln.test",
        "Juniper Grey",
        "Watercolour textures and botanical abstractions, built layer by translucent layer.",
        ("watercolour", "warped-noise"),
    ),
    DemoAccount(
        "osei-patterns",
        "osei-patterns@kiln.test",
        "Kwame Osei",
        "Tilings, lattices and Truchet mazes. Textile designer by day.",
        ("geometric-tiling", "topographic"),
    ),
    DemoAccount(
        "paloma-rio",
        "paloma-rio@kiln.test",
        "Paloma Río",
        "Deep-sky dreams: nebulae, dust lanes and starfields, no telescope required.",
        ("nebula", "aurora", "gradient-bokeh"),
    ),
    DemoAccount(
        "kestrel-studio",
        "kestrel-studio@kiln.test",
        "Kestrel Studio",
        "A two-person studio making mountain posters and flowing line work for print.",
        ("lowpoly-mountains", "flow-field", "geometric-tiling"),
    ),
    DemoAccount(
        "nadia-ferro",
        "nadia-ferro@kiln.test",
        "Nadia Ferro",
        "Marbled inks and molten colour. Every piece starts as a single noise field.",
        ("warped-noise", "watercolour", "nebula"),
    ),
)

_TITLE_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "flow-field": (
        ("Quiet", "Restless", "Midnight", "Tangled", "Slow", "Silver", "Drifting"),
        (
            "Currents",
            "Undertow",
            "Murmuration",
            "Windlines",
            "Eddies",
            "Tidal Script",
            "Hair of the Wind",
        ),
    ),
    "warped-noise": (
        ("Molten", "Folded", "Liquid", "Smoked", "Marbled", "Restless"),
        ("Marble", "Ink Bloom", "Weather Map", "Lava Glass", "Agate", "Storm Study"),
    ),
    "gradient-bokeh": (
        ("Soft", "Late", "Blurred", "Warm", "Rainy", "Evening"),
        ("Afterglow", "City Lights", "Lantern Field", "Haze", "Window Seat", "Streetlamps"),
    ),
    "geometric-tiling": (
        ("Woven", "Interlocking", "Folded", "Bright", "Patient", "Quiet"),
        ("Tessellation", "Hex Garden", "Truchet Maze", "Mosaic", "Lattice", "Quilt"),
    ),
    "aurora": (
        ("Northern", "Polar", "Silent", "Green", "Winter", "Arctic"),
        ("Hush", "Curtain Call", "Night", "Sky Choir", "Borealis", "Vigil"),
    ),
    "nebula": (
        ("Distant", "Stellar", "Cosmic", "Dusty", "Deep", "Violet"),
        ("Nursery", "Dust Lanes", "Tide", "Pillars", "Deep Field", "Cradle"),
    ),
    "lowpoly-mountains": (
        ("First Light on the", "Dusk over the", "Fog in the", "Morning on the", "Wind across the"),
        ("Range", "Ridgeline", "Valley", "Foothills", "High Pass", "Summits"),
    ),
    "watercolour": (
        ("Wet", "Pale", "Spring", "Pooled", "Blushing", "Rain-washed"),
        ("Petals", "Bloom", "Pigment Study", "Garden", "Wash", "Puddles"),
    ),
    "topographic": (
        ("Imaginary", "Northern", "Island", "Coastal", "Highland", "Lost"),
        ("Contours", "Survey", "Elevations", "Isolines", "Relief Map", "Atlas Page"),
    ),
}

_KIND_TAGS: dict[str, tuple[str, ...]] = {
    "flow-field": ("flow-field", "lines", "generative"),
    "warped-noise": ("marble", "fluid", "abstract"),
    "gradient-bokeh": ("bokeh", "gradient", "dreamy"),
    "geometric-tiling": ("geometric", "pattern", "tiling"),
    "aurora": ("aurora", "night-sky", "landscape"),
    "nebula": ("space", "nebula", "stars"),
    "lowpoly-mountains": ("mountains", "low-poly", "landscape"),
    "watercolour": ("watercolour", "botanical", "texture"),
    "topographic": ("topographic", "map", "contours"),
}
_EXTRA_TAGS = (
    "wallpaper",
    "minimal",
    "print",
    "calm",
    "colourful",
    "study",
    "series",
    "4k",
    "poster",
)

_OPENINGS: dict[str, str] = {
    "flow-field": "Thousands of particles follow an invisible wind and leave their tracks behind.",
    "warped-noise": "Noise read through noise: the pattern folds over itself like marbled ink.",
    "gradient-bokeh": "A slow gradient and out-of-focus lights: a city seen through a wet window.",
    "geometric-tiling": "A tiling coloured by a slow field: the pattern drifts from mood to mood.",
    "aurora": "Curtains of light over a dark range, on a night nobody wants to go inside.",
    "nebula": "Gas, dust and a scattering of young stars, somewhere far from here.",
    "lowpoly-mountains": "Layered ridges that fade into the haze, faceted like folded paper.",
    "watercolour": "Dozens of faint layers, each a little different, pooling at the edges.",
    "topographic": "The contour map of a place that does not exist, one isoline per few metres.",
}
_PROCESS_NOTES = (
    "I iterated on the palette for a while before the composition clicked.",
    "Made in one evening; the first version was far too busy.",
    "Part of an ongoing series: I post one a week.",
    "The grain is deliberate: it keeps the gradients from banding in print.",
    "Printed at A2 on matte paper this looks best.",
    "Happy accident: the seed I almost skipped turned out to be my favourite.",
)
_CLOSINGS = (
    "Thanks for looking.",
    "Feedback welcome!",
    "Available as a print on request.",
    "More in this series on my page.",
)


def _title_for(kind: str, rng: random.Random, taken: set[str]) -> str:
    adjectives, nouns = _TITLE_WORDS[kind]
    title = f"{rng.choice(adjectives)} {rng.choice(nouns)}"
    if title not in taken:
        return title
    number = 2
    while f"{title} No. {number}" in taken:
        number += 1
    return f"{title} No. {number}"


def _description(kind: str, palette: str, tool_name: str, rng: random.Random) -> str:
    return (
        f"{_OPENINGS[kind]}\n\n"
        f"{rng.choice(_PROCESS_NOTES)}\n\n"
        f"- **Palette:** {palette}\n"
        f"- **Technique:** {kind.replace('-', ' ')}\n"
        f"- **Made with:** {tool_name}\n\n"
        f"*{rng.choice(_CLOSINGS)}*"
    )


def posting_accounts() -> tuple[DemoAccount, ...]:
    """Accounts that own posts, in the order posts are dealt to them."""
    return (*CREATORS, DEMO)


def post_specs(count: int = DEFAULT_POST_COUNT) -> list[DemoPost]:
    """The first ``count`` demo posts; deterministic, and each list a prefix of a longer one."""
    if count < 0:
        raise ValueError(f"count={count}; a post count is 0 or more.")
    rng = random.Random(CATALOG_SEED)
    palettes = list(PALETTES)
    tools = list(TOOLS.values())
    taken: dict[str, set[str]] = {}
    specs: list[DemoPost] = []
    for index in range(count):
        if index % DEMO_OWNS_EVERY == DEMO_OWNS_EVERY - 1:
            account = DEMO
        else:
            account = CREATORS[(index - index // DEMO_OWNS_EVERY) % len(CREATORS)]
        kind = account.kinds[index % len(account.kinds)]
        palette = palettes[(index * 7 + rng.randrange(3)) % len(palettes)]
        # Tools in rotation so each of the fourteen shows up in the filters.
        tool = tools[index % len(tools)]
        titles = taken.setdefault(account.handle, set())
        title = _title_for(kind, rng, titles)
        titles.add(title)
        tags = (*_KIND_TAGS[kind], palette, *rng.sample(_EXTRA_TAGS, 2))
        specs.append(
            DemoPost(
                index=index,
                creator=account.handle,
                title=title,
                description=_description(kind, palette, tool.name, rng),
                tool=tool.slug,
                tags=tags,
                rating="mature" if index % MATURE_EVERY == MATURE_EVERY - 1 else "general",
                art_kind=kind,
                palette=palette,
                art_seed=CATALOG_SEED + index,
                sells_recipe=index % RECIPE_EVERY == 0,
                sells_blueprint=index % BLUEPRINT_EVERY == 0
                and tool.slug in {"comfyui", "automatic1111"},
            )
        )
    return specs


def likes_for(specs: list[DemoPost]) -> list[tuple[str, int]]:
    """(liker handle, post index) pairs: a varied but fixed amount of engagement per post."""
    handles = [account.handle for account in (*CREATORS, DEMO, BUYER)]
    pairs: list[tuple[str, int]] = []
    for spec in specs:
        wanted = (spec.index * 7 + 3) % 6
        for offset in range(wanted):
            liker = handles[(spec.index * 3 + offset) % len(handles)]
            if liker != spec.creator:
                pairs.append((liker, spec.index))
    return pairs


def follows() -> list[tuple[str, str]]:
    """(follower, creator) pairs: the buyer follows several creators, creators follow peers."""
    handles = [account.handle for account in CREATORS]
    pairs = [("buyer", handle) for handle in handles[:5]]
    pairs += [("buyer", "demo"), ("demo", handles[0]), ("demo", handles[3])]
    for position, handle in enumerate(handles):
        for step in (1, 3):
            pairs.append((handle, handles[(position + step) % len(handles)]))
    pairs.append((handles[1], "demo"))
    return pairs


# Every art kind needs words and tags: fail at import, not halfway through a seed run.
if not set(_TITLE_WORDS) == set(GENERATORS) == set(_KIND_TAGS) == set(_OPENINGS):
    raise RuntimeError(
        "demo_catalog: every art kind in demo_art.GENERATORS needs titles, tags and an opening."
    )
