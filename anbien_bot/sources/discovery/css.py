"""CSS selectors that find an element again on the other pages of the same portal.

Candidates only, most telling first: the caller keeps the first that picks what it should on
every page it has. Names that change from page to page (states such as ``active``, numbered
ids) are left out, and a portal without class names is described by its attributes
(``font[size="4"] b``), as its templates are.
"""

from __future__ import annotations

import re

from ..htmlpage import Element

_IDENT = re.compile(r"-?[A-Za-z_][\w-]*")
_STATE = re.compile(
    r"(?:active|current|selected|odd|even|first|last|clearfix|hidden|visible|show|fade|in"
    r"|row|col|col-.*|is-.*|js-.*|.*-\d+|\d.*)",
    re.I,
)
# Attributes that old table layouts style with, and a few that name what an element is.
_ATTRIBUTES = ("itemprop", "role", "size", "color", "face", "align", "valign", "width")
_ANCESTORS = 4
_NUMBERED_ID = re.compile(r"\d{3,}")


def classes(el: Element) -> list[str]:
    """Return el's class names that can be written in a selector and say what el is."""
    names = el.get("class", "").split()
    return [c for c in names if _IDENT.fullmatch(c) and not _STATE.fullmatch(c)]


def own_selectors(el: Element) -> list[str]:
    """Return selectors for el by itself: its id, its classes, its attributes."""
    tag = el.tag if isinstance(el.tag, str) else "*"
    found = []
    ident = el.get("id", "")
    if _IDENT.fullmatch(ident) and not _NUMBERED_ID.search(ident):
        found.append(f"#{ident}")
    for name in classes(el):
        found += [f".{name}", f"{tag}.{name}"]
    for attribute in _ATTRIBUTES:
        value = el.get(attribute, "")
        if value and "'" not in value and "\\" not in value and len(value) < 40:
            found.append(f"{tag}[{attribute}='{value}']")
    return found


def candidates(el: Element) -> list[str]:
    """Return selectors that may pick el, from its own names and those of its ancestors."""
    tag = el.tag if isinstance(el.tag, str) else "*"
    own = own_selectors(el)
    found = list(own)
    for ancestor in _ancestors(el):
        for outer in own_selectors(ancestor)[:4]:
            found += [f"{outer} {inner}" for inner in own[:2]]
            found.append(f"{outer} {tag}")
    found.append(tag)
    return list(dict.fromkeys(found))


def _ancestors(el: Element) -> list[Element]:
    """Return el's nearest ancestors that are not the page itself."""
    found = []
    for ancestor in el.iterancestors():
        if ancestor.tag in ("body", "html") or len(found) == _ANCESTORS:
            break
        found.append(ancestor)
    return found


def quoted(text: str) -> str:
    """Return text as a CSS string literal, in single quotes (they read well inside TOML)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
