"""Telegram's rules for parse_mode=HTML, checked strictly, for tests and the fake Bot API.

Written from core.telegram.org/bots/api#html-style and independently of anbien_bot.delivery.render,
so a bug in the renderer's own length count cannot hide itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Tag -> attributes it may carry (value None: any value; a string: that exact value).
_ALLOWED: dict[str, dict[str, str | None]] = {
    "b": {},
    "strong": {},
    "i": {},
    "em": {},
    "u": {},
    "ins": {},
    "s": {},
    "strike": {},
    "del": {},
    "a": {"href": None},
    "code": {"class": None},  # only "language-…", and only inside <pre>
    "pre": {},
    "blockquote": {"expandable": ""},
    "tg-spoiler": {},
    "span": {"class": "tg-spoiler"},
}
_REQUIRED = {"a": "href", "span": "class"}
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_CAPTION_TOO_LONG = "Bad Request: message caption is too long"
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_TAG = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s=<>\"'/]+(?:=(?:\"[^\"<>]*\"|'[^'<>]*'))?)*)\s*>"
)
_ATTR = re.compile(r"([^\s=]+)(?:=(?:\"([^\"]*)\"|'([^']*)'))?")
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]*));")


def utf16_length(text: str) -> int:
    """Return the length of text in UTF-16 code units, as Telegram counts message length."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def parse_telegram_html(text: str) -> str:
    """Return the visible text of Telegram HTML, raising AssertionError on any rule it breaks."""
    visible: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "<":
            match = _TAG.match(text, pos)
            if match is None:
                raise AssertionError(
                    f"bare '<' or malformed tag at {pos}: {text[pos : pos + 30]!r}"
                )
            _check_tag(match, stack)
            pos = match.end()
        elif char == "&":
            value, pos = _entity(text, pos)
            visible.append(value)
        elif char == ">":
            raise AssertionError(f"bare '>' at {pos}: {text[max(pos - 20, 0) : pos + 1]!r}")
        else:
            visible.append(char)
            pos += 1
    if stack:
        raise AssertionError(f"unclosed tags at the end: {stack}")
    return "".join(visible)


def check_telegram_html(text: str, limit: int) -> None:
    """Raise AssertionError unless text is valid Telegram HTML with at most ``limit`` visible."""
    length = utf16_length(parse_telegram_html(text))
    if length > limit:
        raise AssertionError(f"visible length {length} exceeds {limit}")


def _check_tag(match: re.Match[str], stack: list[str]) -> None:
    closing, name, raw_attrs = match.group(1), match.group(2), match.group(3)
    if name not in _ALLOWED:
        raise AssertionError(f"tag <{name}> is not supported by Telegram")
    if closing:
        if raw_attrs.strip():
            raise AssertionError(f"closing tag </{name}> with attributes")
        if not stack or stack[-1] != name:
            raise AssertionError(f"</{name}> closes {stack[-1] if stack else 'nothing'}")
        stack.pop()
        return
    attrs = {}
    for attr in _ATTR.finditer(raw_attrs):
        key = attr.group(1)
        value = attr.group(2) if attr.group(2) is not None else attr.group(3) or ""
        if key in attrs:
            raise AssertionError(f"<{name}> repeats attribute {key}")
        attrs[key] = value
        _check_attribute(name, key, value)
    if name in _REQUIRED and _REQUIRED[name] not in attrs:
        raise AssertionError(f"<{name}> needs {_REQUIRED[name]}")
    if stack and stack[-1] in ("code", "pre") and not (name == "code" and stack[-1] == "pre"):
        raise AssertionError(f"<{name}> inside <{stack[-1]}>")
    if name == "a" and "a" in stack:
        raise AssertionError("<a> inside <a>")
    if name == "code" and "class" in attrs and stack[-1:] != ["pre"]:
        raise AssertionError("<code class> outside <pre>")
    stack.append(name)


def _check_attribute(tag: str, key: str, value: str) -> None:
    allowed = _ALLOWED[tag]
    if key not in allowed:
        raise AssertionError(f"<{tag}> may not carry attribute {key}")
    expected = allowed[key]
    if expected is not None and value != expected:
        raise AssertionError(f"<{tag} {key}> must be {expected!r}, not {value!r}")
    if tag == "code" and not value.startswith("language-"):
        raise AssertionError(f"<code class> must be language-…, not {value!r}")
    _unescape_attribute(value)


def _unescape_attribute(value: str) -> str:
    out, pos = [], 0
    while pos < len(value):
        if value[pos] == "&":
            char, pos = _entity(value, pos)
            out.append(char)
        else:
            out.append(value[pos])
            pos += 1
    return "".join(out)


def _entity(text: str, pos: int) -> tuple[str, int]:
    match = _ENTITY.match(text, pos)
    if match is None:
        raise AssertionError(f"bare '&' at {pos}: {text[pos : pos + 12]!r}")
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        if name not in _NAMED:
            raise AssertionError(f"named entity &{name}; is not supported by Telegram")
        return _NAMED[name], match.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise AssertionError(f"entity {match.group()} is no character")
    return chr(code), match.end()


def text_rejection(params: Mapping[str, Any], key: str, limit: int) -> str | None:
    """Return Telegram's error for params[key] (text or caption) under parse_mode, or None."""
    visible = str(params.get(key) or "")
    if str(params.get("parse_mode") or "").lower() == "html":
        try:
            visible = parse_telegram_html(visible)
        except AssertionError as error:
            return f"Bad Request: can't parse entities: {error}"
    if utf16_length(visible) > limit:
        return "Bad Request: message is too long" if key == "text" else _CAPTION_TOO_LONG
    if key == "text" and not visible.strip():
        return "Bad Request: message text is empty"
    return None


def markup_rejection(markup: object) -> str | None:
    """Return Telegram's error for an inline keyboard, or None: callback_data is 1-64 bytes."""
    if not isinstance(markup, Mapping):
        return None
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                return "Bad Request: BUTTON_DATA_INVALID"
    return None


def commands_rejection(commands: object) -> str | None:
    """Return Telegram's error for a setMyCommands list, or None."""
    for command in commands if isinstance(commands, list) else []:
        if not _COMMAND.fullmatch(str(command.get("command", ""))):
            return "Bad Request: BOT_COMMAND_INVALID"
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            return "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
    return None


def inline_answer_rejection(results: object, next_offset: object) -> str | None:
    """Return why Telegram would refuse an answerInlineQuery with these results, or None."""
    items = results if isinstance(results, list) else []
    ids = [str(r.get("id", "")) for r in items]
    if len(items) > 50 or len(set(ids)) != len(ids):
        return "Bad Request: RESULTS_TOO_MUCH"
    if any(not 1 <= len(i.encode()) <= 64 for i in ids):
        return "Bad Request: RESULT_ID_INVALID"
    if len(str(next_offset or "").encode()) > 64:
        return "Bad Request: NEXT_OFFSET_INVALID"
    for result in items:
        if not str(result.get("title") or "").strip():
            return "Bad Request: RESULT_TITLE_EMPTY"
        rejection = text_rejection(result["input_message_content"], "message_text", 4096)
        if rejection is not None:
            return rejection
    return None
