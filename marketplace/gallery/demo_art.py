"""Procedural art for demo posts and benchmarks: Pillow + numpy, deterministic from a seed.

Each generator paints one family of pictures (flow fields, domain-warped noise, gradient
meshes with bokeh, geometric tilings, aurora skies, nebulae, low-poly mountains, watercolour
blobs, topographic contours) in a palette picked for harmony. The same seed always gives the
same picture, so ``seed_demo`` can be re-run without the gallery changing.

Speed matters more than fidelity here: everything is vectorised numpy or one Pillow drawing
call per shape, and anti-aliased shapes are drawn at twice the size and reduced, so a
1024-pixel picture takes a few tenths of a second on one core.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Color = tuple[int, int, int]
FloatArray = np.ndarray

# Palettes ordered dark to light, so a palette doubles as a colour ramp.
PALETTES: dict[str, tuple[str, ...]] = {
    "dusk": ("#1b1b3a", "#4a2c5e", "#a2416b", "#f0766c", "#fbc98e"),
    "lagoon": ("#062b3d", "#0e5a73", "#1f9aa6", "#7fd4c1", "#eef4d8"),
    "sage": ("#1f2b2b", "#354f52", "#52796f", "#84a98c", "#dde5d5"),
    "ember": ("#1a0f14", "#5c1a1b", "#b23a1e", "#f08a24", "#ffd27a"),
    "glacier": ("#0d1b2a", "#1b3a5b", "#3f6e9a", "#8fb8de", "#eaf2fb"),
    "orchard": ("#2d1e2f", "#6b2d5c", "#c44d58", "#f9a65a", "#fdf1c7"),
    "moss": ("#151d12", "#2f4a1f", "#5d7f2f", "#a9b665", "#efe8c3"),
    "lavender": ("#1e1b34", "#453a72", "#7d6bb0", "#c0a9dc", "#f4eefb"),
    "desert": ("#2b1d16", "#7a4a2c", "#c27c48", "#e7b77b", "#f8ecd6"),
    "reef": ("#10213a", "#1d4e89", "#00a6a6", "#f4d35e", "#fbf6e9"),
    "peony": ("#2a1622", "#7b2d4f", "#d0587e", "#f3a6b8", "#fbe8ea"),
    "ink": ("#0f1115", "#2b303a", "#5b6474", "#aab3c0", "#f2efe8"),
    "citrus": ("#1d2a1f", "#2f6b4f", "#8fbf3f", "#f6d743", "#fff8dc"),
    "harbour": ("#14213d", "#2a4d69", "#4b86b4", "#adcbe3", "#fcf7ef"),
    "rosewood": ("#1c1214", "#4e2a2f", "#8d4b4f", "#c98b7d", "#f1dccb"),
    "midnight": ("#070b1a", "#17214a", "#31468f", "#5fb3c9", "#c7f0d8"),
}

# Portrait, square and landscape: the grid should look like real uploads.
ASPECT_RATIOS: tuple[tuple[int, int], ...] = (
    (1, 1),
    (4, 5),
    (3, 4),
    (2, 3),
    (9, 16),
    (5, 4),
    (4, 3),
    (3, 2),
    (16, 9),
)
LONG_SIDES = (768, 832, 896, 960, 1024)


@dataclass(frozen=True)
class Artwork:
    """A rendered picture and what made it (for titles and tags)."""

    image: Image.Image
    kind: str
    palette: str
    seed: int

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size


@dataclass(frozen=True)
class Canvas:
    """What a generator receives: its random source, size and colours."""

    rng: np.random.Generator
    width: int
    height: int
    colors: tuple[Color, ...]

    def color(self, index: int) -> Color:
        return self.colors[index % len(self.colors)]


def hex_to_rgb(value: str) -> Color:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


# --- Building blocks ------------------------------------------------------------------------


def smooth_noise(rng: np.random.Generator, height: int, width: int, cells: float) -> FloatArray:
    """Value noise in [-1, 1]: a coarse random grid upsampled with bicubic interpolation."""
    cells_x = max(2, round(cells * width / max(width, height))) + 2
    cells_y = max(2, round(cells * height / max(width, height))) + 2
    grid = rng.uniform(-1.0, 1.0, size=(cells_y, cells_x)).astype(np.float32)
    # Resize a one-cell-larger grid and crop, so the borders are not pinned to grid values.
    big = Image.fromarray(grid).resize(
        (width * cells_x // (cells_x - 2), height * cells_y // (cells_y - 2)),
        Image.Resampling.BICUBIC,
    )
    left = (big.width - width) // 2
    top = (big.height - height) // 2
    return np.asarray(big.crop((left, top, left + width, top + height)), dtype=np.float32)


def fbm(
    rng: np.random.Generator,
    height: int,
    width: int,
    *,
    cells: float = 3.0,
    octaves: int = 5,
    persistence: float = 0.5,
) -> FloatArray:
    """Fractal noise normalised to [0, 1]: octaves of value noise, each finer and fainter."""
    total = np.zeros((height, width), dtype=np.float32)
    amplitude = 1.0
    for octave in range(octaves):
        total += amplitude * smooth_noise(rng, height, width, cells * 2**octave)
        amplitude *= persistence
    return normalise(total)


def noise_1d(rng: np.random.Generator, length: int, cells: float, octaves: int = 4) -> FloatArray:
    """A smooth random curve in [0, 1] of ``length`` samples."""
    return fbm(rng, 1, length, cells=cells, octaves=octaves)[0]


def normalise(values: FloatArray) -> FloatArray:
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-9:
        return np.zeros_like(values)
    return (values - low) / (high - low)


def ramp(values: FloatArray, colors: Sequence[Color]) -> FloatArray:
    """Map values in [0, 1] through evenly spaced colour stops; returns float RGB in [0, 255]."""
    stops = np.linspace(0.0, 1.0, len(colors))
    table = np.asarray(colors, dtype=np.float32)
    channels = [np.interp(values, stops, table[:, channel]) for channel in range(3)]
    return np.stack(channels, axis=-1).astype(np.float32)


def sample_bilinear(field: FloatArray, ys: FloatArray, xs: FloatArray) -> FloatArray:
    """Read ``field`` at fractional coordinates (clamped to the edges)."""
    height, width = field.shape
    xs = np.clip(xs, 0, width - 1.001)
    ys = np.clip(ys, 0, height - 1.001)
    x0 = xs.astype(np.int32)
    y0 = ys.astype(np.int32)
    fx = xs - x0
    fy = ys - y0
    top = field[y0, x0] * (1 - fx) + field[y0, x0 + 1] * fx
    bottom = field[y0 + 1, x0] * (1 - fx) + field[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def vertical_gradient(
    height: int, width: int, top: Color, bottom: Color, *, power: float = 1.0
) -> FloatArray:
    t = np.linspace(0.0, 1.0, height, dtype=np.float32) ** power
    column = (
        np.asarray(top, np.float32) * (1 - t[:, None]) + np.asarray(bottom, np.float32) * t[:, None]
    )
    return np.broadcast_to(column[:, None, :], (height, width, 3)).copy()


def blur(field: FloatArray, radius: float) -> FloatArray:
    """Gaussian blur of a float field (Pillow blurs 8-bit images only, so scale through L)."""
    peak = float(field.max())
    if peak <= 0:
        return field
    eight_bit = Image.fromarray(np.clip(field / peak * 255.0, 0, 255).astype(np.uint8))
    return np.asarray(eight_bit.filter(ImageFilter.GaussianBlur(radius)), np.float32) * (
        peak / 255.0
    )


def vignette(rgb: FloatArray, strength: float) -> FloatArray:
    height, width = rgb.shape[:2]
    ys = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None]
    xs = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    falloff = 1.0 - strength * np.clip(xs**2 + ys**2 - 0.35, 0.0, None)
    return rgb * falloff[..., None]


def finish(rgb: FloatArray, rng: np.random.Generator, *, grain: float = 3.0) -> Image.Image:
    """Add a little film grain (it hides banding in smooth gradients) and convert to 8 bits."""
    if grain > 0:
        rgb = rgb + rng.normal(0.0, grain, size=rgb.shape[:2]).astype(np.float32)[..., None]
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def to_float(image: Image.Image) -> FloatArray:
    return np.asarray(image.convert("RGB"), dtype=np.float32)


def mix(a: Color, b: Color, t: float) -> Color:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def screen(base: FloatArray, light: FloatArray) -> FloatArray:
    return 255.0 - (255.0 - base) * (255.0 - light) / 255.0


# --- Generators -----------------------------------------------------------------------------


def flow_field(canvas: Canvas) -> Image.Image:
    """Thousands of particles drifting along a smooth angle field, drawn as translucent ink."""
    rng, width, height = canvas.rng, canvas.width, canvas.height
    scale = 2  # drawn at 2x, reduced for anti-aliasing
    dark_background = rng.random() < 0.6
    background = canvas.color(0) if dark_background else canvas.color(-1)
    image = Image.new("RGB", (width * scale, height * scale), background)
    draw = ImageDraw.Draw(image, "RGBA")
    angles = (
        fbm(rng, height // 4, width // 4, cells=rng.uniform(1.5, 3.5), octaves=3)
        * math.tau
        * rng.uniform(1.0, 2.2)
    )
    grid_h, grid_w = angles.shape
    # About 2,000 particles at 1024x768; fewer on smaller canvases, same density.
    count = max(150, int(rng.integers(1400, 2200) * width * height / (1024 * 768)))
    steps = int(rng.integers(45, 80))
    xs = rng.uniform(0, width, count)
    ys = rng.uniform(0, height, count)
    step = rng.uniform(1.8, 3.2)
    path = np.empty((steps, count, 2), dtype=np.float32)
    for index in range(steps):
        path[index, :, 0] = xs
        path[index, :, 1] = ys
        gx = np.clip((xs / width * grid_w).astype(np.int32), 0, grid_w - 1)
        gy = np.clip((ys / height * grid_h).astype(np.int32), 0, grid_h - 1)
        theta = angles[gy, gx]
        xs = xs + np.cos(theta) * step
        ys = ys + np.sin(theta) * step
    ink = canvas.colors[1:] if dark_background else canvas.colors[:-1]
    hue_field = fbm(rng, 32, 32, cells=2, octaves=2)
    line_width = int(rng.integers(1, 3)) * scale
    alpha = int(rng.integers(90, 170))
    for particle in range(count):
        start_x, start_y = path[0, particle]
        tone = hue_field[int(start_y / height * 31.99) % 32, int(start_x / width * 31.99) % 32]
        color = ink[min(len(ink) - 1, int(tone * len(ink)))]
        points = [(float(x) * scale, float(y) * scale) for x, y in path[:, particle]]
        draw.line(points, fill=(*color, alpha), width=line_width)
    return finish(vignette(to_float(image.reduce(scale)), 0.25), rng, grain=2.0)


def warped_noise(canvas: Canvas) -> Image.Image:
    """Domain-warped fractal noise: marbled, landscape-like swirls (noise read through noise)."""
    rng, width, height = canvas.rng, canvas.width, canvas.height
    cells = rng.uniform(2.0, 4.0)
    base = fbm(rng, height, width, cells=cells, octaves=5)
    warp_x = fbm(rng, height, width, cells=cells * 0.8, octaves=4) - 0.5
    warp_y = fbm(rng, height, width, cells=cells * 0.8, octaves=4) - 0.5
    strength = rng.uniform(0.12, 0.3) * max(width, height)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    warped = sample_bilinear(base, ys + warp_y * strength, xs + warp_x * strength)
    warped = normalise(warped)
    # Gentle contrast curve so the ramp's middle colours get most of the picture.
    shaped = 0.5 - 0.5 * np.cos(np.pi * warped)
    rgb = ramp(shaped, canvas.colors)
    highlight = normalise(np.hypot(warp_x, warp_y))[..., None]
    rgb = rgb * (0.85 + 0.3 * highlight)
    return finish(vignette(rgb, 0.3), rng)


def gradient_bokeh(canvas: Canvas) -> Image.Image:
    """A soft mesh gradient between a few coloured points, with out-of-focus lights on top."""
    rng, width, height = canvas.rng, canvas.width, canvas.height
    points = int(rng.integers(4, 7))
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    weights_sum = np.zeros((height, width), np.float32)
    rgb = np.zeros((height, width, 3), np.float32)
    for index in range(points):
        px, py = rng.uniform(-0.1, 1.1) * width, rng.uniform(-0.1, 1.1) * height
        spread = rng.uniform(0.25, 0.55) * max(width, height)
        weight = np.exp(-((xs - px) ** 2 + (ys - py) ** 2) / (2 * spread**2))
        weights_sum += weight
        rgb += weight[..., None] * np.asarray(
            canvas.color(int(rng.integers(0, len(canvas.colors)))), np.float32
        )
        del index
    rgb /= np.maximum(weights_sum, 1e-6)[..., None]
    lights = Image.new("RGB", (width, height), (0, 0, 0))
    draw = ImageDraw.Draw(lights, "RGBA")
    bright = canvas.colors[-2:]
    for _ in range(int(rng.integers(35, 80))):
        radius = rng.uniform(0.01, 0.07) * max(width, height)
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        color = bright[int(rng.integers(0, len(bright)))]
        alpha = int(rng.integers(30, 110))
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=(*color, alpha))
        # A brighter rim, as real lens bokeh has.
        draw.ellipse(
            (cx - radius, cy - radius, cx + radius, cy + radius),
            outline=(*color, min(255, alpha + 40)),
            width=2,
        )
    lights = lights.filter(ImageFilter.GaussianBlur(radius=max(width, height) / 400))
    rgb = screen(rgb, to_float(lights))
    return finish(vignette(rgb, 0.2), rng, grain=3.5)


def _tile_color(canvas: Canvas, field: FloatArray, x: float, y: float, jitter: float) -> Color:
    height, width = field.shape
    value = field[min(height - 1, max(0, int(y))), min(width - 1, max(0, int(x)))]
    value = min(0.999, max(0.0, value + canvas.rng.uniform(-jitter, jitter)))
    colors = canvas.colors[1:]
    return colors[int(value * len(colors))]


def geometric_tiling(canvas: Canvas) -> Image.Image:
    """Triangles, hexagons or Truchet arcs, coloured by a slow noise field."""
    rng, width, height = canvas.rng, canvas.width, canvas.height
    scale = 2
    big_w, big_h = width * scale, height * scale
    background = canvas.color(0)
    image = Image.new("RGB", (big_w, big_h), background)
    draw = ImageDraw.Draw(image)
    field = fbm(rng, big_h // 8, big_w // 8, cells=2.0, octaves=2)
    field_scale = 1 / 8
    style = ("triangles", "hexagons", "truchet")[int(rng.integers(0, 3))]
    size = rng.uniform(0.05, 0.1) * big_w
    gap = max(2, int(size * 0.04))
    if style == "triangles":
        row_height = size * math.sqrt(3) / 2
        rows = int(big_h / row_height) + 2
        columns = int(big_w / size) + 3
        for row in range(rows):
            top, bottom = row * row_height, (row + 1) * row_height
            shift = (row % 2) * size / 2
            for column in range(-1, columns):
                left = column * size - shift
                up = [(left, bottom), (left + size / 2, top), (left + size, bottom)]
                down = [(left + size / 2, top), (left + size * 1.5, top), (left + size, bottom)]
                for triangle in (up, down):
                    cx = sum(p[0] for p in triangle) / 3
                    cy = sum(p[1] for p in triangle) / 3
                    color = _tile_color(canvas, field, cx * field_scale, cy * field_scale, 0.08)
                    draw.polygon(triangle, fill=color, outline=background, width=gap)
    elif style == "hexagons":
        radius = size / 2
        dx, dy = radius * math.sqrt(3), radius * 1.5
        for row in range(int(big_h / dy) + 2):
            for column in range(int(big_w / dx) + 2):
                cx = column * dx + (row % 2) * dx / 2
                cy = row * dy
                hexagon = [
                    (
                        cx + radius * math.cos(math.radians(60 * k + 30)),
                        cy + radius * math.sin(math.radians(60 * k + 30)),
                    )
                    for k in range(6)
                ]
                color = _tile_color(canvas, field, cx * field_scale, cy * field_scale, 0.1)
                draw.polygon(hexagon, fill=color, outline=background, width=gap)
                # An inner facet: a lighter half gives each cell some depth.
                facet = [hexagon[3], hexagon[4], hexagon[5], (cx, cy)]
                draw.polygon(facet, fill=mix(color, (255, 255, 255), 0.12))
    else:
        cell = int(size)
        line = max(4, int(cell * rng.uniform(0.12, 0.22)))
        for row in range(big_h // cell + 1):
            for column in range(big_w // cell + 1):
                x0, y0 = column * cell, row * cell
                color = _tile_color(canvas, field, x0 * field_scale, y0 * field_scale, 0.05)
                half = cell / 2
                if rng.random() < 0.5:
                    corners = ((x0, y0), (x0 + cell, y0 + cell))
                    arcs = ((0, 90), (180, 270))
                else:
                    corners = ((x0 + cell, y0), (x0, y0 + cell))
                    arcs = ((90, 180), (270, 360))
                for (cx, cy), (start, end) in zip(corners, arcs, strict=True):
                    box = (cx - half, cy - half, cx + half, cy + half)
                    draw.arc(box, start, end, fill=color, width=line)
    return finish(vignette(to_float(image.reduce(scale)), 0.18), rng, grain=2.0)


def _mountain_silhouette(
    rng: np.random.Generator, width: int, base: float, amplitude: float
) -> FloatArray:
    return base - amplitude * (noise_1d(rng, width, cells=rng.uniform(2, 5), octaves=5) ** 1.3)


def aurora(canvas: Canvas) -> Image.Image:
    """Curtains of light over a starry sky and a dark horizon."""
    rng, width, height = canvas.rng, canvas.width, canvas.height
    night = mix(canvas.color(0), (0, 0, 0), 0.45)
    rgb = vertical_gradient(height, width, night, canvas.color(1), power=1.6)
    stars = np.zeros((height, width), np.float32)
    count = int(width * height / 900)
    stars[rng.integers(0, height, count), rng.integers(0, width, count)] = rng.uniform(
        60, 255, count
    )
    rgb += blur(stars, 0.6)[..., None] * 1.8
    ys = np.arange(height, dtype=np.float32)[:, None] / height
    glow = np.zeros((height, width, 3), np.float32)
    for _ in range(int(rng.integers(2, 4))):
        baseline = 0.35 + 0.3 * noise_1d(rng, width, cells=rng.uniform(1.5, 3))[None, :] - 0.1
        rays = (
            0.35 + 0.65 * noise_1d(rng, width, cells=rng.uniform(30, 60), octaves=2)[None, :] ** 2
        )
        above = np.clip(baseline - ys, 0.0, None)
        # A sharp lower edge that fades slowly upward: the shape of a real auroral curtain.
        edge = 1.0 / (1.0 + np.exp(np.clip((ys - baseline) * 120.0, -60.0, 60.0)))
        intensity = edge * np.exp(-above * rng.uniform(7, 12)) * rays
        low_color = np.asarray(canvas.color(3), np.float32)
        high_color = np.asarray(canvas.color(int(rng.integers(1, 3))), np.float32)
        blend = np.clip(above * 4, 0, 1)[..., None]
        glow += intensity[..., None] * (low_color * (1 - blend) + high_color * blend)
    rgb = screen(rgb, np.clip(glow * 1.3, 0, 255))
    for layer, shade in ((0, 0.55), (1, 0.8)):
        ridge = _mountain_silhouette(
            rng, width, height * (0.88 + 0.05 * layer), height * (0.22 - 0.08 * layer)
        )
        mask = (np.arange(height, dtype=np.float32)[:, None] > ridge[None, :])[..., None]
        silhouette = np.asarray(mix(canvas.color(0), (0, 0, 0), shade), np.float32)
        rgb = np.where(mask, silhouette, rgb)
    return finish(rgb, rng, grain=2.5)


def nebula(canvas: Canvas) -> Image.Image:
    """Coloured gas clouds, dark dust lanes and a field of stars."""
    rng, width, height = canvas.rng, canvas.width, canvas.height
    gas = fbm(rng, height, width, cells=rng.uniform(2, 3.5), octaves=6, persistence=0.55)
    tint = fbm(rng, height, width, cells=1.5, octaves=3)
    dust = fbm(rng, height, width, cells=4, octaves=5)
    density = np.clip((gas - 0.3) * 1.9, 0, 1) ** 1.2
    colors = canvas.colors[1:]
    rgb = ramp(tint, colors) * density[..., None] * 1.25
    rgb *= (0.45 + 0.55 * np.clip(dust * 1.6 - 0.2, 0, 1))[..., None]
    rgb += np.asarray(mix(canvas.color(0), (0, 0, 0), 0.5), np.float32)
    stars = np.zeros((height, width), np.float32)
    count = int(width * height / 500)
    stars[rng.integers(0, height, count), rng.integers(0, width, count)] = rng.uniform(
        40, 255, count
    )
    bright = np.zeros((height, width), np.float32)
    few = max(6, count // 150)
    bright[rng.integers(0, height, few), rng.integers(0, width, few)] = 255.0 * 40
    halo = blur(bright, 3.0)
    points = blur(stars, 0.5)
    rgb = screen(np.clip(rgb, 0, 255), np.clip((points * 2 + halo)[..., None], 0, 255))
    return finish(vignette(rgb, 0.35), rng, grain=2.0)


def lowpoly_mountains(canvas: Canvas) -> Image.Image:
    """Faceted mountain ranges that fade into the sky with distance, under a low sun."""
    rng, width, height = canvas.rng, canvas.width, canvas.height
    scale = 2
    big_w, big_h = width * scale, height * scale
    sky_top, sky_bottom = canvas.color(2), canvas.color(4)
    sky = vertical_gradient(big_h, big_w, sky_top, sky_bottom, power=0.8)
    sun_x, sun_y = rng.uniform(0.2, 0.8) * big_w, rng.uniform(0.25, 0.45) * big_h
    sun_r = rng.uniform(0.05, 0.09) * big_w
    ys, xs = np.mgrid[0:big_h:4, 0:big_w:4].astype(np.float32)
    distance = np.hypot(xs - sun_x, ys - sun_y)
    glow_small = np.clip(1.0 - distance / (sun_r * 5), 0, 1) ** 2
    glow = np.asarray(
        Image.fromarray(glow_small).resize((big_w, big_h), Image.Resampling.BILINEAR), np.float32
    )
    sky = screen(
        sky, glow[..., None] * np.asarray(mix(sky_bottom, (255, 255, 255), 0.5), np.float32)
    )
    image = Image.fromarray(np.clip(sky, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (sun_x - sun_r, sun_y - sun_r, sun_x + sun_r, sun_y + sun_r),
        fill=mix(sky_bottom, (255, 250, 235), 0.6),
    )
    layers = int(rng.integers(4, 7))
    near = mix(canvas.color(0), (0, 0, 0), 0.2)
    for layer in range(layers):
        depth = layer / max(1, layers - 1)  # 0 = farthest
        base_color = mix(mix(sky_bottom, sky_top, 0.4), near, 0.25 + 0.75 * depth)
        vertices = int(rng.integers(8, 16))
        ridge_x = np.linspace(-0.08, 1.08, vertices) * big_w
        ridge_x[1:-1] += rng.uniform(-0.3, 0.3, vertices - 2) * big_w / vertices
        top = big_h * (0.4 + 0.3 * depth)
        ridge_y = top + rng.uniform(-0.15, 0.06, vertices) * big_h * (1.0 - 0.4 * depth)
        # A second, lower row of points: the strip between the rows is cut into triangles.
        lower_x = ridge_x + rng.uniform(-0.4, 0.4, vertices) * big_w / vertices
        lower_y = np.maximum(
            ridge_y + big_h * rng.uniform(0.06, 0.14, vertices), top + big_h * 0.05
        )
        ridge = list(zip(ridge_x.tolist(), ridge_y.tolist(), strict=True))
        lower = list(zip(lower_x.tolist(), lower_y.tolist(), strict=True))
        for index in range(vertices - 1):
            for triangle in (
                (ridge[index], ridge[index + 1], lower[index]),
                (ridge[index + 1], lower[index + 1], lower[index]),
            ):
                centre_x = sum(p[0] for p in triangle) / 3
                # Slopes that rise toward the sun are lit, the others are in shade.
                rising = (ridge[index + 1][1] - ridge[index][1]) * (sun_x - centre_x) < 0
                light = (0.16 if rising else -0.1) * (1 - 0.5 * depth) + rng.uniform(-0.04, 0.04)
                target = (255, 255, 255) if light > 0 else (0, 0, 0)
                draw.polygon(list(triangle), fill=mix(base_color, target, abs(light)))
        body = [*lower, (lower[-1][0], big_h + 10.0), (lower[0][0], big_h + 10.0)]
        draw.polygon(body, fill=mix(base_color, (0, 0, 0), 0.06))
    rgb = to_float(image.reduce(scale))
    mist = np.clip(np.linspace(-0.4, 0.35, height, dtype=np.float32), 0, None)[:, None, None]
    rgb = rgb * (1 - mist * 0.4) + np.asarray(sky_bottom, np.float32) * mist * 0.4
    return finish(rgb, rng, grain=2.5)


def _deform(points: FloatArray, rng: np.random.Generator, depth: int, spread: float) -> FloatArray:
    """Recursive midpoint displacement of a closed polygon: the watercolour edge."""
    for _ in range(depth):
        following = np.roll(points, -1, axis=0)
        middle = (points + following) / 2
        length = np.linalg.norm(following - points, axis=1, keepdims=True)
        middle = middle + rng.normal(0.0, 1.0, middle.shape) * length * spread
        merged = np.empty((points.shape[0] * 2, 2), dtype=points.dtype)
        merged[0::2] = points
        merged[1::2] = middle
        points = merged
    return points


def watercolour(canvas: Canvas) -> Image.Image:
    """Blobs of pigment built from dozens of faint, slightly different layers on paper."""
    rng, width, height = canvas.rng, canvas.width, canvas.height
    paper = mix(canvas.color(-1), (255, 252, 245), 0.6)
    image = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(int(rng.integers(4, 8))):
        cx, cy = rng.uniform(0.1, 0.9) * width, rng.uniform(0.1, 0.9) * height
        radius = rng.uniform(0.12, 0.3) * min(width, height)
        angles = np.linspace(0, math.tau, 10, endpoint=False)
        base = np.stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)], axis=1)
        base = _deform(base, rng, 3, 0.4)
        color = canvas.color(int(rng.integers(1, len(canvas.colors) - 1)))
        for _layer in range(int(rng.integers(20, 28))):
            shape = _deform(base, rng, 3, 0.3)
            draw.polygon([(float(x), float(y)) for x, y in shape], fill=(*color, 7))
    rgb = to_float(image)
    texture = fbm(rng, height, width, cells=60, octaves=2)
    rgb *= (0.95 + 0.07 * texture)[..., None]
    return finish(rgb, rng, grain=1.5)


def topographic(canvas: Canvas) -> Image.Image:
    """A contour map of an imaginary terrain: banded colours and fine isolines."""
    rng, width, height = canvas.rng, canvas.width, canvas.height
    terrain = fbm(rng, height, width, cells=rng.uniform(2, 3.5), octaves=5, persistence=0.45)
    levels = int(rng.integers(14, 26))
    banded = np.floor(terrain * levels) / levels
    rgb = ramp(0.15 + 0.85 * banded, canvas.colors)
    gy, gx = np.gradient(terrain * levels)
    slope = np.hypot(gx, gy) + 1e-4
    phase = np.abs(((terrain * levels) % 1.0) - 0.5)  # 0.5 at a contour, 0 between
    distance_px = (0.5 - phase) / slope  # distance to the nearest contour, in pixels
    line = np.clip(1.2 - distance_px, 0, 1)
    ink = np.asarray(mix(canvas.color(0), (0, 0, 0), 0.3), np.float32)
    rgb = rgb * (1 - 0.55 * line[..., None]) + ink * 0.55 * line[..., None]
    return finish(vignette(rgb, 0.2), rng, grain=1.5)


GENERATORS: dict[str, Callable[[Canvas], Image.Image]] = {
    "flow-field": flow_field,
    "warped-noise": warped_noise,
    "gradient-bokeh": gradient_bokeh,
    "geometric-tiling": geometric_tiling,
    "aurora": aurora,
    "nebula": nebula,
    "lowpoly-mountains": lowpoly_mountains,
    "watercolour": watercolour,
    "topographic": topographic,
}


def render(
    *,
    seed: int,
    kind: str | None = None,
    palette: str | None = None,
    long_side: int | None = None,
    aspect: tuple[int, int] | None = None,
) -> Artwork:
    """Paint one picture; anything not given is chosen from ``seed``, so it is reproducible."""
    rng = np.random.default_rng(seed)
    kinds = list(GENERATORS)
    chosen_kind = kind or kinds[int(rng.integers(0, len(kinds)))]
    if chosen_kind not in GENERATORS:
        raise ValueError(f"Unknown art kind {chosen_kind!r}; accepted: {', '.join(kinds)}.")
    names = list(PALETTES)
    chosen_palette = palette or names[int(rng.integers(0, len(names)))]
    if chosen_palette not in PALETTES:
        raise ValueError(f"Unknown palette {chosen_palette!r}; accepted: {', '.join(names)}.")
    side = long_side or LONG_SIDES[int(rng.integers(0, len(LONG_SIDES)))]
    ratio_w, ratio_h = aspect or ASPECT_RATIOS[int(rng.integers(0, len(ASPECT_RATIOS)))]
    if ratio_w >= ratio_h:
        width, height = side, max(16, round(side * ratio_h / ratio_w))
    else:
        width, height = max(16, round(side * ratio_w / ratio_h)), side
    colors = tuple(hex_to_rgb(value) for value in PALETTES[chosen_palette])
    image = GENERATORS[chosen_kind](Canvas(rng=rng, width=width, height=height, colors=colors))
    return Artwork(image=image, kind=chosen_kind, palette=chosen_palette, seed=seed)


def encode(image: Image.Image, *, image_format: str = "JPEG", quality: int = 92) -> bytes:
    """Encode for upload. JPEG by default: 10x faster and smaller than PNG for grainy art."""
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=quality, optimize=False, subsampling=0)
    else:
        image.save(buffer, image_format)
    return buffer.getvalue()


def render_upload(job: tuple[int, str | None, str | None, int | None]) -> bytes:
    """``(seed, kind, palette, long_side)`` to JPEG bytes: a picklable process-pool entry point."""
    seed, kind, palette, long_side = job
    return encode(render(seed=seed, kind=kind, palette=palette, long_side=long_side).image)
