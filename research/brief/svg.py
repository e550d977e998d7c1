"""Charts as SVG with their text kept as text, and safe to inline into the brief's HTML.

`figure_svg` writes a figure the way ``Results.figure`` stores it: text as ``<text>``
elements in the `CSS_FONT_FAMILY` stack (the reader's browser shapes Devanagari and picks
the fonts), a ``<title>`` with the alt text, the same bytes for the same figure.

`inline_svg` turns such a file into markup for an HTML page. The SVG is our own
matplotlib output, but its labels are hashtags, handles and names from the web, so it is
parsed and written back through an allowlist: drawing elements only (no ``<script>``,
``<foreignObject>``, ``<a>``, animation), no ``on*`` attributes, references only inside the
figure (``#id``) or to embedded PNG/JPEG data, and every text and attribute escaped again
for HTML. Ids get a per-figure prefix, so many figures can share one page.

Renderer use (``render.py`` / ``brief.html.j2``)::

    from research.brief.svg import figure_markup
    item["svg"] = figure_markup(folder, name, meta)   # Markup, or None without an SVG file
    {% if fig.svg %}<figure>{{ fig.svg }}<figcaption>…</figcaption></figure>{% endif %}

It needs no change to the Content-Security-Policy (``style-src 'unsafe-inline'`` already
allows the SVG's own style attributes); CSS ``figure svg {max-width: 100%; height: auto}``
makes it fit the column.
"""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup
from matplotlib.figure import Figure

from research.brief.chartkit import CSS_FONT_FAMILY, alt_text, style

__all__ = ["figure_svg", "inline_svg", "figure_markup"]

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
_XML = "http://www.w3.org/XML/1998/namespace"
# What matplotlib draws with; everything else (script, foreignObject, a, animate, set,
# iframe, metadata with its RDF) is dropped with its content.
_ELEMENTS = frozenset(
    "svg g defs path rect circle ellipse line polyline polygon text tspan clipPath use style "
    "title desc image linearGradient radialGradient stop pattern mask symbol marker".split()
)
_EMBEDDED = ("data:image/png;base64,", "data:image/jpeg;base64,")
_URL = re.compile(r"url\(\s*['\"]?([^)'\"]*)['\"]?\s*\)", re.IGNORECASE)
_UNSAFE_CSS = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.IGNORECASE)
_FONT_FAMILY = re.compile(r"font-family: [^;\"]+")
_PROLOGUE = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE svg[^>\[]*>\s*)?")


def figure_svg(fig: Figure, *, alt: str | None = None, dpi: float = 72) -> str:
    """The figure as SVG text: text as text in the brief's font stack, with a ``<title>``.

    Deterministic: no date in the metadata and fixed element ids (``svg.hashsalt``), so
    the same figure gives the same bytes. ``alt`` defaults to the figure's `alt_text`.
    """
    out = io.BytesIO()
    with style():
        fig.savefig(out, format="svg", bbox_inches="tight", dpi=dpi, metadata={"Date": None})
    svg = _FONT_FAMILY.sub(f"font-family: {CSS_FONT_FAMILY}", out.getvalue().decode("utf-8"))
    alt = alt_text(fig) if alt is None else alt
    if alt:
        end = svg.index(">", svg.index("<svg")) + 1
        svg = f"{svg[:end]}\n <title>{html.escape(alt, quote=False)}</title>{svg[end:]}"
    return svg


def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return "", name


def _safe_reference(value: str) -> bool:
    value = value.strip()
    return value.startswith("#") or value.startswith(_EMBEDDED)


def _safe_css(value: str) -> bool:
    return not _UNSAFE_CSS.search(value) and all(u.strip().startswith("#") for u in _URL.findall(value))


def _prefixed(value: str, prefix: str) -> str:
    """``url(#id)`` and ``#id`` references pointed at the prefixed ids."""
    value = _URL.sub(lambda m: f"url(#{prefix}{m.group(1).strip()[1:]})", value)
    return f"#{prefix}{value.strip()[1:]}" if value.strip().startswith("#") else value


def _attributes(element: ET.Element, prefix: str) -> list[tuple[str, str]]:
    kept = []
    for name, value in element.attrib.items():
        ns, local = _local(name)
        if local.lower().startswith("on") or ns not in ("", _XLINK, _XML):
            continue
        if local == "href":
            if not _safe_reference(value):
                continue
            kept.append(("xlink:href" if ns == _XLINK else "href", _prefixed(value, prefix)))
        elif ns == _XML:
            if local == "space":
                kept.append(("xml:space", value))
        elif ns == "":
            if not _safe_css(value):
                continue
            value = (
                f"{prefix}{value}"
                if local == "id"
                else _prefixed(value, prefix)
                if "url(" in value
                else value
            )
            kept.append((local, value))
    return kept


def _write(element: ET.Element, prefix: str, parts: list[str]) -> None:
    ns, tag = _local(element.tag)
    if ns != _SVG or tag not in _ELEMENTS:
        return  # dropped with its content; its tail text stays (written by the parent)
    if tag == "style" and not _safe_css(element.text or ""):
        return
    attrs = "".join(
        f' {name}="{html.escape(value, quote=True)}"' for name, value in _attributes(element, prefix)
    )
    parts.append(f"<{tag}{attrs}>")
    if element.text:
        parts.append(html.escape(element.text, quote=False))
    for child in element:
        _write(child, prefix, parts)
        if child.tail:
            parts.append(html.escape(child.tail, quote=False))
    parts.append(f"</{tag}>")


def inline_svg(svg: str, *, alt: str = "", id_prefix: str = "fig") -> Markup:
    """SVG text as markup safe to put inside an HTML page.

    Parameters
    ----------
    svg : str
        An SVG document, normally from `figure_svg` (``figures/<name>.svg``).
    alt : str
        What the figure shows in one sentence; becomes ``aria-label`` (with ``role="img"``)
        and replaces the file's ``<title>``.
    id_prefix : str
        Put before every id and reference, so figures on one page cannot clash.

    Returns
    -------
    Markup
        An ``<svg>`` element (no XML prologue), rebuilt from an allowlist: see the module
        docstring. Raises ``ValueError`` for text that is not one SVG document.

    Examples
    --------
    >>> svg = '<svg xmlns="http://www.w3.org/2000/svg"><text onclick="x()">&lt;b&gt;</text><script>x()</script></svg>'
    >>> str(inline_svg(svg, alt="A test"))
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" role="img" aria-label="A test"><title>A test</title><text>&lt;b&gt;</text></svg>'
    """
    text = _PROLOGUE.sub("", svg, count=1)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ValueError("svg: a document type or entity declaration is not allowed")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ValueError(f"svg: not well-formed XML ({exc})") from exc
    if root.tag != f"{{{_SVG}}}svg":
        raise ValueError(f"svg: the root element is {root.tag!r}, not an SVG <svg>")
    prefix = re.sub(r"[^A-Za-z0-9_-]", "-", id_prefix) + "-" if id_prefix else ""
    for old in root.findall(f"{{{_SVG}}}title"):
        if alt:
            root.remove(old)
    if alt:
        title = ET.Element(f"{{{_SVG}}}title")
        title.text = alt
        root.insert(0, title)
    parts: list[str] = []
    _write(root, prefix, parts)
    head = f'<svg xmlns="{_SVG}" xmlns:xlink="{_XLINK}" role="img"'
    if alt:
        head += f' aria-label="{html.escape(alt, quote=True)}"'
    parts[0] = head + parts[0][len("<svg") :]
    return Markup("".join(parts))


def figure_markup(folder: str | Path, name: str, meta: Mapping[str, Any]) -> Markup | None:
    """The recorded figure ``name`` (its ``results.json`` entry ``meta``) as inline SVG markup.

    None when the figure has no SVG file (a results.json written before SVGs were kept).
    """
    svg = next((f for f in meta.get("files", []) if str(f).endswith(".svg")), None)
    path = Path(folder) / svg if svg else None
    if path is None or not path.exists():
        return None
    alt = str(meta.get("alt") or meta.get("title") or "")
    return inline_svg(path.read_text(encoding="utf-8"), alt=alt, id_prefix=f"fig-{name}")
