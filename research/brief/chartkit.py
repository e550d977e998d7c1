"""What every chart of the brief shares: fonts, the brand palette, plain-language axes, alt text.

- **Fonts.** The market writes in Latin, Devanagari and Cyrillic; matplotlib's default font
  (DejaVu Sans) has no Devanagari. `style` builds and saves charts with the installed part
  of `FONT_STACK` (matplotlib falls back font by font, glyph by glyph), keeps text as text
  in SVG (the reader's browser draws it with `CSS_FONT_FAMILY`) and never parses web text
  as mathtext (a cashtag ``$ABC`` stays text). `missing_scripts` names the scripts a PNG
  could not draw on this machine, so the brief can say so.
- **Brands.** `brand_palette`: the client in one strong colour, competitors in muted blues
  and greys, the same colour for a brand in every chart; `mark_client` makes its label bold.
- **Axes.** Formatters for thousands, percentages, ``1.5×`` and ``12 Sep`` dates;
  `empty_figure` says "No data for this chart in the period" instead of an empty axis.
- **Alt text.** `set_alt` attaches a one-sentence summary to a figure; ``Results.figure``
  records it and the SVG carries it as its accessible name.
"""

from __future__ import annotations

import contextlib
import functools
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.dates as mdates
from matplotlib import font_manager
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, PercentFormatter

__all__ = [
    "FONT_STACK",
    "CSS_FONT_FAMILY",
    "CLIENT_COLOR",
    "COMPETITOR_COLORS",
    "OTHER_BRAND_COLOR",
    "NO_DATA",
    "LABEL_CHARS",
    "short_label",
    "BrandPalette",
    "brand_palette",
    "brand_color",
    "mark_client",
    "font_families",
    "rc_params",
    "style",
    "styled",
    "missing_scripts",
    "thousands",
    "percent",
    "times",
    "day_month",
    "plain",
    "empty_figure",
    "set_alt",
    "alt_text",
]

# The fonts charts are drawn with, in order. Noto Sans covers Latin, Cyrillic and Greek, Noto Sans
# Devanagari the Hindi and Marathi posts; DejaVu Sans ships with matplotlib, so something always draws.
FONT_STACK = ("Noto Sans", "Noto Sans Devanagari", "DejaVu Sans")
CSS_FONT_FAMILY = "'Noto Sans', 'Noto Sans Devanagari', 'DejaVu Sans', sans-serif"
# Debian's fonts-noto-core file names of the two Noto families (regular, bold and italics).
_FONT_FILES = {
    "Noto Sans": (
        "NotoSans-Regular.ttf",
        "NotoSans-Bold.ttf",
        "NotoSans-Italic.ttf",
        "NotoSans-BoldItalic.ttf",
    ),
    "Noto Sans Devanagari": ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
}

# Okabe-Ito vermillion: strong on white and used for nothing else, so "the orange one" is the client.
CLIENT_COLOR = "#D55E00"
# Muted blues and greys for competitors, dark to light so neighbours differ in lightness too.
COMPETITOR_COLORS = ("#4E6E8E", "#8FA9C2", "#5F6B78", "#A9B4BF", "#2F4A66", "#7C95AD", "#C3CCD5")
OTHER_BRAND_COLOR = "#BBBBBB"
NO_DATA = "No data for this chart in the period"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ALT = "_research_alt"  # the Figure attribute holding the alt text (see set_alt)


# --- fonts -------------------------------------------------------------------------------------


@functools.cache
def font_families() -> tuple[str, ...]:
    """The families of `FONT_STACK` matplotlib can use on this machine, in stack order.

    Noto fonts installed after matplotlib built its font cache (``apt-get install
    fonts-noto-core`` on a machine that already ran matplotlib) are added from the system
    font folders, so they are used without deleting the cache.
    """
    known = {f.name for f in font_manager.fontManager.ttflist}
    wanted = {name for fam, names in _FONT_FILES.items() if fam not in known for name in names}
    if wanted:
        for path in font_manager.findSystemFonts(fontext="ttf"):
            if Path(path).name in wanted:
                font_manager.fontManager.addfont(path)
        known = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(f for f in FONT_STACK if f in known)


def rc_params() -> dict[str, Any]:
    """The matplotlib settings charts are built and saved with (see `style`)."""
    return {
        # Only installed families: a missing one would make matplotlib log a warning per text.
        "font.family": list(font_families()) or ["DejaVu Sans"],
        "svg.fonttype": "none",  # text stays text: the browser shapes Devanagari and picks fonts
        "svg.hashsalt": "research-brief",  # the same ids, so the same SVG for the same figure
        "text.parse_math": False,  # "$5 off, $10 off" from a post is text, not mathtext
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "axes.titlelocation": "left",
        "axes.labelcolor": "#333333",
        "xtick.color": "#444444",
        "ytick.color": "#444444",
        "legend.frameon": False,
    }


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Build or save charts with `rc_params`; glyphs no font has are left out silently.

    Fonts are chosen when a text is created and tick labels are created when a figure is
    drawn, so both building and saving happen inside it (`styled`, ``Results.figure``).
    What could not be drawn is reported by `missing_scripts`, not by warnings.
    """
    with mpl.rc_context(rc_params()), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        yield


def styled(func):
    """Decorator: run a chart function inside `style`."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with style():
            return func(*args, **kwargs)

    return wrapper


@functools.cache
def _charmap(path: str) -> frozenset[int]:
    return frozenset(FT2Font(path).get_charmap())


def _fonts_of(text: Text) -> list[frozenset[int]]:
    maps = []
    for family in text.get_fontfamily():
        prop = text.get_fontproperties().copy()
        prop.set_family(family)
        with contextlib.suppress(ValueError):
            maps.append(_charmap(font_manager.findfont(prop, fallback_to_default=False)))
    return maps


def _script(char: str) -> str | None:
    """The script a character belongs to, by its Unicode name; None for spaces and controls."""
    category = unicodedata.category(char)
    name = unicodedata.name(char, "")
    if category in ("Cc", "Cf", "Zs", "Zl", "Zp") or name.startswith("VARIATION SELECTOR"):
        return None
    if category.startswith("S"):
        return "Symbols and emoji"
    word = name.split(" ")[0] if name else "Unknown"
    return word if word in ("CJK",) else word.title()


def missing_scripts(fig: Figure) -> list[str]:
    """Scripts of the figure's visible text that no font of this machine can draw in PNG.

    Examples
    --------
    >>> with style():
    ...     fig = Figure()
    ...     _ = fig.text(0.5, 0.5, "chai ☕")
    >>> "Latin" in missing_scripts(fig)
    False
    """
    missing: set[str] = set()
    for text in fig.findobj(Text):
        s = text.get_text()
        if not s or not text.get_visible():
            continue
        maps = _fonts_of(text)
        for char in set(s):
            if not any(ord(char) in m for m in maps):
                script = _script(char)
                if script:
                    missing.add(script)
    return sorted(missing)


# --- brands ------------------------------------------------------------------------------------


class BrandPalette(dict):
    """``{brand name: hex colour}`` that also knows which brand is the ``client``.

    A plain dict to seaborn and matplotlib; chart functions read ``client`` to emphasise it.
    """

    def __init__(self, colours: Mapping[str, str], client: str | None = None):
        super().__init__(colours)
        self.client = client


def brand_palette(brands: Iterable[Any], client: str | None = None) -> BrandPalette:
    """One colour per brand: `CLIENT_COLOR` for the client, muted blues/greys for the others.

    ``brands`` are names or `research.brands.Brand` objects (whose ``is_client`` names the
    client); competitors get `COMPETITOR_COLORS` in the order given, so every chart built from
    the same brands uses the same colours.

    Examples
    --------
    >>> p = brand_palette(["Brew Bros", "Chai & Co", "Kettle Kings"], client="Chai & Co")
    >>> p["Chai & Co"], p["Brew Bros"], p.client
    ('#D55E00', '#4E6E8E', 'Chai & Co')
    """
    brands = list(brands)
    names = [str(getattr(b, "name", b)) for b in brands]
    if client is None:
        client = next((str(b.name) for b in brands if getattr(b, "is_client", False)), None)
    others = [n for n in dict.fromkeys(names) if n != client]
    colours = {n: COMPETITOR_COLORS[i % len(COMPETITOR_COLORS)] for i, n in enumerate(others)}
    if client is not None:
        colours = {client: CLIENT_COLOR, **colours}
    return BrandPalette(colours, client)


def brand_color(palette: Mapping[str, str] | None, brand: str) -> str:
    """The brand's colour in ``palette``; a neutral grey for a brand it does not know."""
    return (palette or {}).get(brand, OTHER_BRAND_COLOR)


def mark_client(labels: Iterable[Text], client: str | None) -> None:
    """Make the client's tick or legend label bold and in `CLIENT_COLOR`."""
    for label in labels:
        if client is not None and label.get_text() == client:
            label.set_fontweight("bold")
            label.set_color(CLIENT_COLOR)


# --- plain-language axes -----------------------------------------------------------------------


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def thousands(axis: Axis) -> None:
    """Tick labels with thousands separators: 12,500."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: _number(v)))


def percent(axis: Axis, decimals: int = 0) -> None:
    """Tick labels of shares (0-1) as percentages: 25%."""
    axis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))


def times(axis: Axis) -> None:
    """Tick labels of ratios as multiples: 0.5×, 1×, 2×."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{_number(v)}×"))


def day_month(axis: Axis) -> None:
    """Date tick labels as "12 Sep", whatever the locale."""

    def fmt(value: float, _pos: object) -> str:
        d = mdates.num2date(value)
        return f"{d.day} {_MONTHS[d.month - 1]}"

    axis.set_major_formatter(FuncFormatter(fmt))


LABEL_CHARS = 40  # a label longer than this (a 1 MB handle) is cut, or the figure grows to fit it


def short_label(text: object, limit: int = LABEL_CHARS, *, one_line: bool = False) -> str:
    """``text`` of at most ``limit`` characters (cut with an ellipsis), its whitespace runs made
    single spaces with ``one_line``: every chart's and view's labels.

    >>> short_label("x" * 50)
    'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'
    >>> short_label("Chai  &   Co", 24, one_line=True)
    'Chai & Co'
    """
    text = " ".join(str(text).split()) if one_line else str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain(name: object) -> str:
    """A column or feature name in words: ``share_of_voice`` -> "share of voice".

    >>> plain("engagement_share")
    'engagement share'
    """
    return str(name).replace("_", " ").strip()


def empty_figure(title: str = "", *, width: float = 7) -> Figure:
    """A small figure that says `NO_DATA` (chart functions return it for empty tables)."""
    fig = Figure(figsize=(width, 1.4))
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.45, NO_DATA, ha="center", va="center", color="#52606D", transform=ax.transAxes)
    if title:
        ax.set_title(title)
    set_alt(fig, f"{title}: {NO_DATA.lower()}." if title else f"{NO_DATA}.")
    return fig


def set_alt(fig: Figure, text: str) -> Figure:
    """Attach a one-sentence summary of what the figure shows (its alt text)."""
    # NOTE: an attribute on the Figure, so chart functions keep returning a plain Figure.
    setattr(fig, _ALT, " ".join(str(text).split()))
    return fig


def alt_text(fig: Figure, default: str = "") -> str:
    """The summary `set_alt` attached, else ``default``."""
    return getattr(fig, _ALT, "") or default
