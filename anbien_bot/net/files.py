"""Telling a downloaded file from the page a portal serves in its place.

Portals on IIS or SharePoint answer a missing or protected file with 200 and a web page (a
login form, a "file not found" page, a soft 404), often at ``download.aspx?id=`` links, or
under the file's own name. The archive keeps only PDFs, and reading in Telegram uploads
attachments: both use this one rule so that neither keeps or sends such a page as a file.
"""

from __future__ import annotations

from ..text.urls import is_pdf_url

PDF_MAGIC = b"%PDF-"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")
_SNIFFED = 512  # bytes looked at for a page's start (after a BOM and blank lines)


def is_pdf(body: bytes) -> bool:
    """Tell whether a body is a PDF by its first bytes."""
    return body.startswith(PDF_MAGIC)


def not_a_file(body: bytes, content_type: str, *names: str) -> str | None:
    """Return why a body downloaded as an attachment is not one, or None when it may be.

    ``names`` are what the attachment claims to be (its URL, its file name): when one of
    them, or the content type, says PDF, the body must be one. A web page is never a file.
    """
    if is_pdf(body):
        return None
    kind = content_type.partition(";")[0].strip().lower()
    if kind == "application/pdf" or any(is_pdf_url(name) for name in names if name):
        return "not a PDF"
    start = body[:_SNIFFED].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if kind in _HTML_TYPES or start.startswith(_HTML_STARTS):
        return f"a web page ({kind or 'no content type'}), not a file"
    return None
