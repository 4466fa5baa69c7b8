"""Parameter kinds of the tool schemas: each one cleans a value and describes itself.

A kind's ``clean`` accepts the native JSON type and, where a web form would send text, the
same value written as text ("20" for 20); DRF's and Django's own fields accept both too, so the
API and the form agree. It raises :class:`Rejected` with what is wrong; the validator turns
that into a :class:`~marketplace.recipes.tools.errors.ParamIssue` naming field, value and what
is accepted.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, ClassVar, TypedDict

from .errors import shown

SEED_MAX = 2**64 - 1
_WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,30}$")
_TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
_FALSE_WORDS = frozenset({"false", "no", "off", "0"})
_SIZE = re.compile("^(\\d{1,6})[xX\u00d7](\\d{1,6})$")  # x, X or the multiplication sign
_RATIO = re.compile(r"^(\d{1,6}):(\d{1,6})$")
_HEX = re.compile(r"^[0-9a-fA-F]{8,64}$")
_LORA_TAG = re.compile(r"^<lora:([^<>:]+)((?::[^<>:]*){0,2})>$", re.IGNORECASE)


class Rejected(Exception):
    """Raised by ``clean``: ``reason`` completes the sentence "<field>: <value> ..."."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FormField(TypedDict):
    """What the web form generator needs to draw one field."""

    name: str
    label: str
    kind: str
    widget: str
    help: str
    default: Any
    required: bool
    choices: list[tuple[str, str]] | None
    min: float | int | None
    max: float | int | None
    step: float | int | None
    max_length: int | None
    max_items: int | None
    accepted: str


@dataclass(frozen=True, kw_only=True)
class Param:
    """A named parameter of a tool; subclasses define the type."""

    name: str
    label: str
    help: str = ""
    default: Any = None

    kind: ClassVar[str] = "param"
    widget: ClassVar[str] = "text"

    def clean(self, value: Any) -> Any:  # pragma: no cover - every kind overrides it
        """Return the typed value or raise :class:`Rejected`."""
        raise NotImplementedError

    def accepted(self) -> str:  # pragma: no cover - every kind overrides it
        """What this parameter accepts, in words, for error messages and help text."""
        raise NotImplementedError

    def describe(self) -> FormField:
        """The form-field spec of this parameter."""
        return FormField(
            name=self.name,
            label=self.label,
            kind=self.kind,
            widget=self.widget,
            help=self.help,
            default=self.default,
            required=False,
            choices=None,
            min=None,
            max=None,
            step=None,
            max_length=None,
            max_items=None,
            accepted=self.accepted(),
        )


def _whole_number(value: Any) -> int:
    if isinstance(value, bool):
        raise Rejected("is a boolean, not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _WHOLE_NUMBER.match(value.strip()):
        return int(value.strip())
    raise Rejected("is not a whole number")


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise Rejected("is a boolean, not a number")
    if isinstance(value, (int, float)):
        number = float(value) if not isinstance(value, int) or abs(value) < 2**63 else math.inf
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise Rejected("is not a number") from None
    else:
        raise Rejected("is not a number")
    if not math.isfinite(number):
        raise Rejected("is not a finite number")
    return number


def _format_number(number: float | int) -> str:
    return format(number, "g") if isinstance(number, float) else str(number)


@dataclass(frozen=True, kw_only=True)
class IntParam(Param):
    """A whole number in ``[min_value, max_value]``, optionally a multiple of ``multiple_of``."""

    min_value: int
    max_value: int
    multiple_of: int | None = None
    kind: ClassVar[str] = "int"
    widget: ClassVar[str] = "number"

    def clean(self, value: Any) -> int:
        number = _whole_number(value)
        if not self.min_value <= number <= self.max_value:
            raise Rejected("is out of range")
        if self.multiple_of and number % self.multiple_of:
            raise Rejected(f"is not a multiple of {self.multiple_of}")
        return number

    def accepted(self) -> str:
        text = f"a whole number from {self.min_value} to {self.max_value}"
        return text + (f", a multiple of {self.multiple_of}" if self.multiple_of else "")

    def describe(self) -> FormField:
        spec = super().describe()
        spec.update({"min": self.min_value, "max": self.max_value, "step": self.multiple_of or 1})
        return spec


@dataclass(frozen=True, kw_only=True)
class SeedParam(IntParam):
    """A seed: a whole number from 0 (``max_value`` defaults to 2**64-1, ComfyUI's range)."""

    min_value: int = 0
    max_value: int = SEED_MAX
    kind: ClassVar[str] = "seed"
    widget: ClassVar[str] = "seed"


@dataclass(frozen=True, kw_only=True)
class FloatParam(Param):
    """A finite number in ``[min_value, max_value]``; ``step`` is only a hint for the form."""

    min_value: float
    max_value: float
    step: float = 0.01
    kind: ClassVar[str] = "float"
    widget: ClassVar[str] = "number"

    def clean(self, value: Any) -> float:
        number = _number(value)
        if not self.min_value <= number <= self.max_value:
            raise Rejected("is out of range")
        return number

    def accepted(self) -> str:
        return f"a number from {_format_number(self.min_value)} to {_format_number(self.max_value)}"

    def describe(self) -> FormField:
        spec = super().describe()
        spec.update({"min": self.min_value, "max": self.max_value, "step": self.step})
        return spec


@dataclass(frozen=True, kw_only=True)
class StrParam(Param):
    """Free text of at most ``max_length`` characters, optionally matching ``pattern``."""

    max_length: int = 200
    pattern: str | None = None
    pattern_help: str = ""
    kind: ClassVar[str] = "str"
    widget: ClassVar[str] = "text"

    def clean(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Rejected("is not text")
        text = value.strip()
        if len(text) > self.max_length:
            raise Rejected(f"is {len(text)} characters long")
        if "\x00" in text:
            raise Rejected("contains a NUL character")
        if self.pattern is not None and not re.fullmatch(self.pattern, text):
            raise Rejected("has the wrong form")
        return text

    def accepted(self) -> str:
        text = f"text of at most {self.max_length} characters"
        return f"{text}, {self.pattern_help}" if self.pattern_help else text

    def describe(self) -> FormField:
        spec = super().describe()
        spec.update({"max_length": self.max_length})
        return spec


@dataclass(frozen=True, kw_only=True)
class BoolParam(Param):
    """On or off. Text forms (``"true"``, ``"on"``, ...) are accepted for HTML forms."""

    kind: ClassVar[str] = "bool"
    widget: ClassVar[str] = "checkbox"

    def clean(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS:
            return True
        if isinstance(value, str) and value.strip().lower() in _FALSE_WORDS:
            return False
        raise Rejected("is not true or false")

    def accepted(self) -> str:
        return "true or false"


@dataclass(frozen=True, kw_only=True)
class ChoiceParam(Param):
    """One value out of ``choices`` (exact spelling). ``labels`` are display names;
    ``hints`` add advice to the error for well-known wrong values."""

    choices: tuple[str, ...]
    labels: tuple[tuple[str, str], ...] = ()
    hints: tuple[tuple[str, str], ...] = ()
    kind: ClassVar[str] = "choice"
    widget: ClassVar[str] = "select"

    def clean(self, value: Any) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = _format_number(value)
        if not isinstance(value, str):
            raise Rejected("is not one of the choices")
        text = value.strip()
        if text in self.choices:
            return text
        hint = dict(self.hints).get(text)
        raise Rejected(f"is not allowed ({hint})" if hint else "is not allowed")

    def accepted(self) -> str:
        return "one of: " + ", ".join(self.choices)

    def describe(self) -> FormField:
        spec = super().describe()
        labels = dict(self.labels)
        spec.update({"choices": [(choice, labels.get(choice, choice)) for choice in self.choices]})
        return spec


@dataclass(frozen=True, kw_only=True)
class NumberChoiceParam(Param):
    """One number out of ``choices`` (Midjourney's ``--q .25/.5/1/2/4``)."""

    choices: tuple[float, ...]
    kind: ClassVar[str] = "number_choice"
    widget: ClassVar[str] = "select"

    def clean(self, value: Any) -> float:
        number = _number(value)
        for choice in self.choices:
            if number == choice:
                return choice
        raise Rejected("is not allowed")

    def accepted(self) -> str:
        return "one of: " + ", ".join(_format_number(choice) for choice in self.choices)

    def describe(self) -> FormField:
        spec = super().describe()
        spec.update({"choices": [(_format_number(c), _format_number(c)) for c in self.choices]})
        return spec


@dataclass(frozen=True, kw_only=True)
class ChoiceListParam(Param):
    """Several values out of ``choices``, without repeats."""

    choices: tuple[str, ...]
    max_items: int = 10
    kind: ClassVar[str] = "choice_list"
    widget: ClassVar[str] = "multiselect"

    def clean(self, value: Any) -> list[str]:
        if not isinstance(value, (list, tuple)):
            raise Rejected("is not a list")
        if len(value) > self.max_items:
            raise Rejected(f"has {len(value)} items")
        for item in value:
            if not isinstance(item, str) or item not in self.choices:
                raise Rejected(f"contains {shown(item)}, which is not allowed")
        if len(set(value)) != len(value):
            raise Rejected("repeats an item")
        return list(value)

    def accepted(self) -> str:
        return f"a list of at most {self.max_items} of: " + ", ".join(self.choices)

    def describe(self) -> FormField:
        spec = super().describe()
        spec.update(
            {"choices": [(choice, choice) for choice in self.choices], "max_items": self.max_items}
        )
        return spec


@dataclass(frozen=True, kw_only=True)
class SizeParam(Param):
    """``"WIDTHxHEIGHT"`` in pixels: either one of ``allowed`` or sides within the bounds."""

    min_side: int = 64
    max_side: int = 2048
    multiple_of: int = 1
    allowed: tuple[str, ...] = ()
    kind: ClassVar[str] = "size"
    widget: ClassVar[str] = "size"

    def clean(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Rejected("is not text like 1024x768")
        match = _SIZE.match(value.strip())
        if match is None:
            raise Rejected("is not written WIDTHxHEIGHT")
        width, height = int(match.group(1)), int(match.group(2))
        size = f"{width}x{height}"
        if self.allowed:
            if size not in self.allowed:
                raise Rejected("is not an available size")
            return size
        if not (
            self.min_side <= width <= self.max_side and self.min_side <= height <= self.max_side
        ):
            raise Rejected("is out of range")
        if width % self.multiple_of or height % self.multiple_of:
            raise Rejected(f"has a side that is not a multiple of {self.multiple_of}")
        return size

    def accepted(self) -> str:
        if self.allowed:
            return "one of: " + ", ".join(self.allowed)
        text = f"WIDTHxHEIGHT with each side from {self.min_side} to {self.max_side}"
        return text + (f" and a multiple of {self.multiple_of}" if self.multiple_of > 1 else "")

    def describe(self) -> FormField:
        spec = super().describe()
        if self.allowed:
            spec.update({"choices": [(size, size) for size in self.allowed]})
        else:
            spec.update({"min": self.min_side, "max": self.max_side, "step": self.multiple_of})
        return spec


@dataclass(frozen=True, kw_only=True)
class AspectRatioParam(Param):
    """``"W:H"`` with whole numbers: one of ``allowed``, or any ratio within ``max_ratio``."""

    allowed: tuple[str, ...] = ()
    max_ratio: float = 100.0
    kind: ClassVar[str] = "aspect_ratio"
    widget: ClassVar[str] = "aspect_ratio"

    def clean(self, value: Any) -> str:
        if not isinstance(value, str):
            raise Rejected("is not text like 3:2")
        match = _RATIO.match(value.strip())
        if match is None:
            raise Rejected("is not written W:H")
        width, height = int(match.group(1)), int(match.group(2))
        ratio = f"{width}:{height}"
        if self.allowed:
            if ratio not in self.allowed:
                raise Rejected("is not an available aspect ratio")
            return ratio
        if width < 1 or height < 1:
            raise Rejected("has a zero side")
        if max(width / height, height / width) > self.max_ratio:
            raise Rejected("is too elongated")
        return ratio

    def accepted(self) -> str:
        if self.allowed:
            return "one of: " + ", ".join(self.allowed)
        return (
            f"W:H with whole numbers of at least 1, at most "
            f"{_format_number(self.max_ratio)} times longer one way than the other"
        )

    def describe(self) -> FormField:
        spec = super().describe()
        if self.allowed:
            spec.update({"choices": [(ratio, ratio) for ratio in self.allowed]})
        return spec


@dataclass(frozen=True, kw_only=True)
class StrListParam(Param):
    """A list of short texts (Midjourney ``--no`` terms, reference URLs)."""

    max_items: int = 20
    item_max_length: int = 500
    pattern: str | None = None
    pattern_help: str = ""
    kind: ClassVar[str] = "str_list"
    widget: ClassVar[str] = "text_list"

    def clean(self, value: Any) -> list[str]:
        if not isinstance(value, (list, tuple)):
            raise Rejected("is not a list")
        if len(value) > self.max_items:
            raise Rejected(f"has {len(value)} items")
        cleaned: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise Rejected(f"contains {shown(item)}, which is not non-empty text")
            text = item.strip()
            if len(text) > self.item_max_length or "\x00" in text:
                raise Rejected(f"contains an item that is too long ({len(text)} characters)")
            if self.pattern is not None and not re.fullmatch(self.pattern, text):
                raise Rejected(f"contains {shown(text)}, which has the wrong form")
            cleaned.append(text)
        return cleaned

    def accepted(self) -> str:
        text = (
            f"a list of at most {self.max_items} texts of at most {self.item_max_length} characters"
        )
        return f"{text}, each {self.pattern_help}" if self.pattern_help else text

    def describe(self) -> FormField:
        spec = super().describe()
        spec.update({"max_items": self.max_items, "max_length": self.item_max_length})
        return spec


@dataclass(frozen=True, kw_only=True)
class LoraListParam(Param):
    """LoRAs with weights: ``{"name", "weight", "te_weight"?, "hash"?}`` objects or A1111 tags
    (``<lora:name:0.8>``, ``<lora:name:te:unet>``). Cleaned to objects with both weights."""

    max_items: int = 30
    min_weight: float = -10.0
    max_weight: float = 10.0
    kind: ClassVar[str] = "lora_list"
    widget: ClassVar[str] = "lora_list"

    def clean(self, value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, (list, tuple)):
            raise Rejected("is not a list")
        if len(value) > self.max_items:
            raise Rejected(f"has {len(value)} LoRAs")
        return [self._clean_item(index, item) for index, item in enumerate(value)]

    def _clean_item(self, index: int, item: Any) -> dict[str, Any]:
        where = f"has LoRA #{index + 1} {shown(item)}"
        if isinstance(item, str):
            item = _lora_tag_to_item(item, where)
        if not isinstance(item, dict):
            raise Rejected(f"{where}, which is neither an object nor a <lora:...> tag")
        unknown = set(item) - {"name", "weight", "te_weight", "hash"}
        if unknown:
            raise Rejected(f"{where} with unknown keys {sorted(unknown)}")
        name = item.get("name")
        if (
            not isinstance(name, str)
            or not name.strip()
            or len(name) > 255
            or any(character in name for character in "<>:\x00")
        ):
            raise Rejected(f"{where}, whose name is not 1-255 characters without < > :")
        cleaned: dict[str, Any] = {"name": name.strip()}
        for key in ("weight", "te_weight"):
            raw = item.get(key, cleaned.get("weight", 1.0))
            try:
                weight = _number(raw)
            except Rejected:
                raise Rejected(f"{where}, whose {key} is not a number") from None
            if not self.min_weight <= weight <= self.max_weight:
                raise Rejected(f"{where}, whose {key} is out of range")
            cleaned[key] = weight
        raw_hash = item.get("hash")
        if raw_hash is not None:
            if not isinstance(raw_hash, str) or not _HEX.match(raw_hash):
                raise Rejected(f"{where}, whose hash is not 8-64 hexadecimal digits")
            cleaned["hash"] = raw_hash.lower()
        return cleaned

    def accepted(self) -> str:
        return (
            f"a list of at most {self.max_items} LoRAs, each a tag like <lora:name:0.8> or an "
            f'object {{"name": text, "weight": number, "te_weight": number (optional), '
            f'"hash": hex (optional)}} with weights from {_format_number(self.min_weight)} to '
            f"{_format_number(self.max_weight)}"
        )

    def describe(self) -> FormField:
        spec = super().describe()
        spec.update(
            {
                "min": self.min_weight,
                "max": self.max_weight,
                "step": 0.05,
                "max_items": self.max_items,
            }
        )
        return spec


def _lora_tag_to_item(tag: str, where: str) -> dict[str, Any]:
    match = _LORA_TAG.match(tag.strip())
    if match is None:
        raise Rejected(f"{where}, which is not a tag like <lora:name:0.8>")
    weights = match.group(2).split(":")[1:]
    item: dict[str, Any] = {"name": match.group(1)}
    # A1111 order: text-encoder weight first, then the UNet weight (defaulting to the first).
    if weights:
        item["te_weight"] = weights[0]
        item["weight"] = weights[1] if len(weights) > 1 else weights[0]
    return item


@dataclass(frozen=True, kw_only=True)
class KeyValueParam(Param):
    """Other settings kept verbatim as text pairs (A1111 extension keys such as ADetailer's)."""

    max_items: int = 100
    key_max_length: int = 80
    value_max_length: int = 5000
    kind: ClassVar[str] = "key_value"
    widget: ClassVar[str] = "key_value"

    def clean(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise Rejected("is not an object of text values")
        if len(value) > self.max_items:
            raise Rejected(f"has {len(value)} entries")
        cleaned: dict[str, str] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not key.strip() or len(key) > self.key_max_length:
                raise Rejected(
                    f"has the key {shown(key)}, which is not 1-{self.key_max_length} "
                    "characters of text"
                )
            if any(character in key for character in ':,"\n\x00'):
                raise Rejected(f'has the key {shown(key)}, which contains : , " or a newline')
            if not isinstance(item, str) or len(item) > self.value_max_length or "\x00" in item:
                raise Rejected(
                    f"has the value {shown(item)} for {shown(key)}, which is not text "
                    f"of at most {self.value_max_length} characters"
                )
            cleaned[key.strip()] = item
        return cleaned

    def accepted(self) -> str:
        return (
            f"an object of at most {self.max_items} text values under keys of at most "
            f"{self.key_max_length} characters"
        )

    def describe(self) -> FormField:
        spec = super().describe()
        spec.update({"max_items": self.max_items, "max_length": self.value_max_length})
        return spec
