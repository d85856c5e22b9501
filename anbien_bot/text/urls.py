"""URL repair for links found in feeds and pages: resolve, mend, percent-encode, canonicalise.

absolute_url is also what makes an address safe to put in a Telegram link or send as a photo:
only http(s), an ASCII host, and nothing unencoded that could end an attribute.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# "http:host/path" and "http:/host/path" are typing slips seen in portal feeds; "http:///host"
# is the same slip the other way.
_BROKEN_SCHEME = re.compile(r"^(https?):/*(?=[^/])", re.IGNORECASE)
_INNER_WHITESPACE = re.compile(r"[\t\r\n]")
_OUTER_WHITESPACE = "".join(map(chr, range(0x21))) + "\xa0"  # controls, space, no-break space
_HOST = re.compile(r"[a-z0-9_.-]+")
_LONE_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Characters RFC 3986 allows unescaped; "%" stays so existing escapes are not encoded twice.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_USERINFO_SAFE = "%:!$&'()*+,;=-._~"

_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "zarsrc",  # Zalo share links
        "gidzl",  # Zalo share links
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
    }
)


def absolute_url(href: str | None, base: str | None = None) -> str | None:
    """Return href as an absolute, percent-encoded http(s) URL, or None if it cannot be one."""
    if not href:
        return None
    href = _INNER_WHITESPACE.sub("", href).strip(_OUTER_WHITESPACE)
    if not href:
        return None
    head, sep, tail = href.partition("?")
    # Browsers read backslashes as slashes before the query; some CMS links depend on it.
    href = head.replace("\\", "/") + sep + tail
    href = _BROKEN_SCHEME.sub(lambda m: m[1].lower() + "://", href)
    if href.startswith("//") and not base:
        href = "https:" + href
    try:
        if base:
            base = absolute_url(base)
            href = urljoin(base, href) if base else href
        return _normalise(href)
    except ValueError:
        return None


def _normalise(url: str) -> str | None:
    """Return url with a lowercase IDNA host and an encoded path and query; None if not http(s)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES or not parts.hostname:
        return None
    host = _idna_host(parts.hostname)
    if host is None:
        return None
    netloc = host
    port = parts.port  # raises ValueError on a port that is not a number
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    if parts.username is not None:
        userinfo = _encode(parts.netloc.rpartition("@")[0], _USERINFO_SAFE)
        netloc = f"{userinfo}@{netloc}"
    path = _encode(parts.path, _PATH_SAFE) or "/"
    query = _encode(parts.query, _QUERY_SAFE)
    fragment = _encode(parts.fragment, _QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, fragment))


def _idna_host(hostname: str) -> str | None:
    """Return hostname lowercased and in its ASCII (IDNA) form, or None if it is not a host."""
    hostname = hostname.strip(".")
    if ":" in hostname:  # an IPv6 literal; urlsplit dropped its brackets
        return f"[{hostname}]"
    try:
        host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    return host if _HOST.fullmatch(host) else None


def _encode(part: str, safe: str) -> str:
    """Return part percent-encoded as UTF-8, leaving valid %XX escapes as they are."""
    return quote(_LONE_PERCENT.sub("%25", part), safe=safe)


def canonical_url(url: str) -> str:
    """Return url absolute, without fragment or tracking parameters; '' if it is not http(s)."""
    absolute = absolute_url(url)
    if absolute is None:
        return ""
    parts = urlsplit(absolute)
    kept = [p for p in parts.query.split("&") if p and not _is_tracking(p)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), ""))


def _is_tracking(param: str) -> bool:
    """Return True if a raw "name=value" query parameter only serves to track the reader."""
    name = param.partition("=")[0].lower()
    return name.startswith("utm_") or name in _TRACKING_PARAMS


def host_of(url: str) -> str:
    """Return the lowercase host of url without its port, or '' if it has none."""
    try:
        return urlsplit(absolute_url(url) or url).hostname or ""
    except ValueError:
        return ""


def is_pdf_url(url: str) -> bool:
    """Tell whether a link names a PDF file ("…/QD-45.signed.pdf", "…/tb.PDF?v=2")."""
    path = url.partition("#")[0].partition("?")[0]
    return path.lower().endswith(".pdf")
