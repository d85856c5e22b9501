"""Loopback fake of the Telegram Bot API (aiohttp) that PTB reaches through base_url.

It records every call, answers with plausible results, serves pushed updates through
getUpdates, injects faults per chat and method, and rejects what real Telegram rejects
(too long, unparsable HTML, oversized callback_data, bad inline answers, photos over
Telegram's size and dimension limits), so tests cannot pass on a message Telegram would
refuse. A photo sent by the URL of a loopback server is fetched from it, as Telegram would,
to know what it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any, Self

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from yarl import URL

from tests.telegram_media import (
    DOCUMENT_BY_URL_LIMIT,
    FILE_TOO_BIG,
    FILE_UPLOAD_LIMIT,
    PHOTO_BY_URL_LIMIT,
    URL_FETCH_FAILED,
    largest_size,
    photo_rejection,
)
from tests.telegram_rules import (
    commands_rejection,
    inline_answer_rejection,
    markup_rejection,
    parse_telegram_html,
    text_rejection,
    utf16_length,
)

SEND_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendMediaGroup", "sendDocument", "sendVideo", "sendAudio"}
    | {"sendAnimation", "sendVoice", "sendSticker", "sendLocation", "copyMessage"}
    | {"forwardMessage"}
)
DEFAULT_GROUP_USER = 4242  # who writes in a group when a test does not say
TELEGRAM_USER_AGENT = "TelegramBot (like TwitterBot)"  # how Telegram fetches a photo URL
_LOOPBACK = ("127.0.0.1", "localhost", "::1")  # the only hosts the fake fetches from
_JSON_FIELDS = ("reply_markup", "media", "commands", "scope", "results", "allowed_updates")
_JSON_FIELDS += ("entities", "caption_entities", "link_preview_options", "reply_parameters")
_Json = dict[str, Any]
_Upload = tuple[str, bytes]  # a multipart file part: (file name, content)
_Files = dict[str, _Upload]
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a content and reply markup of the current message"
)
_ADMIN_RIGHTS = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats")
_ADMIN_RIGHTS += ("can_restrict_members", "can_promote_members", "can_change_info")
_ADMIN_RIGHTS += ("can_invite_users", "can_post_stories", "can_edit_stories")
_ADMIN_RIGHTS += ("can_delete_stories", "can_be_edited")


@dataclass(frozen=True)
class Call:
    """One request the bot made; status is the HTTP status it was answered with (0: pending)."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    chat_id: int | None = None
    status: int = 0


@dataclass
class _Fault:
    chat_id: int | None
    method: str | None
    code: int
    description: str
    remaining: int | None
    parameters: dict[str, int]
    photo: str | None = None

    def matches(self, method: str, chat_id: int | None, photos: set[str]) -> bool:
        if self.photo is not None:
            return self.photo in photos
        if self.method is None and chat_id is None:
            return False  # chat-wide faults leave getMe, getUpdates and the like alone
        return (self.chat_id is None or self.chat_id == chat_id) and (
            self.method is None or self.method.lower() == method.lower()
        )


class ApiError(Exception):
    """An error answer of the Bot API: HTTP code, description and optional parameters."""

    def __init__(self, code: int, description: str, **parameters: int) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


class FakeTelegram:
    """A Bot API server on 127.0.0.1 for one test: start(), point PTB at base_url, stop()."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        group_admins: dict[int, set[int]] | None = None,
        port: int = 0,
    ) -> None:
        self.port = port  # 0: a free one, chosen at start
        self.calls: list[Call] = []
        self.uploads = 0
        self.latency = latency  # seconds added to every answer but getUpdates
        self.method_latency: dict[str, float] = {}  # seconds for one method, instead
        self.group_admins: dict[int, set[int]] = group_admins if group_admins is not None else {}
        self.max_poll = 1.0  # getUpdates waits at most this long, whatever timeout asks
        self.base_url = ""
        self.base_file_url = ""
        self.bot_user = {"id": 777000, "is_bot": True, "first_name": "Tin An Biên"}
        self.bot_user["username"] = "anbien_test_bot"
        self._faults: list[_Fault] = []
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._closing = False
        self._chat_types: dict[int, str] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._last_message: dict[int, int] = {}
        self._files: dict[str, _Upload] = {}
        self._photo_sizes: dict[str, list[dict[str, Any]]] = {}
        self._paths: dict[str, str] = {}
        self._commands: dict[str, list[Any]] = {}
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Callable[..., Any]] = {
            name[3:].lower(): getattr(self, name) for name in dir(self) if name.startswith("_m_")
        }

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> Self:
        """Start listening on 127.0.0.1 (on a free port unless given one) and set base_url
        and base_file_url."""
        app = web.Application(client_max_size=50 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        port = self.port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.base_file_url = f"http://127.0.0.1:{port}/file/bot"
        return self

    async def stop(self) -> None:
        """Stop the server, ending any getUpdates long poll first."""
        self._closing = True
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- what the bot did --------------------------------------------------------------

    def sent(self, method: str | None = None) -> list[Call]:
        """Return the successful sends (sendMessage, sendPhoto, …), or of one method only."""
        return [
            call
            for call in self.calls
            if call.status == 200
            and (call.method == method if method else call.method in SEND_METHODS)
        ]

    def sent_to(self, chat_id: int) -> list[Call]:
        """Return the successful sends to one chat."""
        return [call for call in self.sent() if call.chat_id == chat_id]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Return the text or caption of each successful send, oldest first."""
        calls = self.sent() if chat_id is None else self.sent_to(chat_id)
        return [str(c.params.get("text", c.params.get("caption", ""))) for c in calls]

    def file_content(self, file_id: str) -> bytes:
        """Return the bytes Telegram keeps for a file_id (an upload, or what a URL gave)."""
        return self._files[file_id]

    # -- faults ------------------------------------------------------------------------

    def fail(
        self,
        chat_id: int | None = None,
        method: str | None = None,
        *,
        code: int,
        description: str,
        times: int | None = 1,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Answer matching calls with an error ``times`` times (None: always).

        With neither chat_id nor method, every call that names a chat fails.
        """
        parameters = {"retry_after": retry_after, "migrate_to_chat_id": migrate_to_chat_id}
        params = {k: v for k, v in parameters.items() if v is not None}
        self._faults.append(_Fault(chat_id, method, code, description, times, params))

    def block(self, chat_id: int) -> None:
        """Make the chat answer 403, as when the user blocked the bot."""
        self.fail(
            chat_id, code=403, description="Forbidden: bot was blocked by the user", times=None
        )

    def flood(self, chat_id: int, retry_after: int, times: int = 1) -> None:
        """Make sends to the chat answer 429 with parameters.retry_after."""
        description = f"Too Many Requests: retry after {retry_after}"
        self.fail(chat_id, code=429, description=description, times=times, retry_after=retry_after)

    def global_flood(self, retry_after: int, times: int = 1) -> None:
        """Make the next sends to any chat answer 429 with parameters.retry_after."""
        description = f"Too Many Requests: retry after {retry_after}"
        self.fail(code=429, description=description, times=times, retry_after=retry_after)

    def bad_photo_url(
        self, url: str, description: str = "Bad Request: wrong type of the web page content"
    ) -> None:
        """Make every send of this photo URL answer 400, as Telegram does for a broken image."""
        self._faults.append(_Fault(None, None, 400, description, None, {}, photo=url))

    def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """Make the group answer 400 with migrate_to_chat_id, as after a supergroup upgrade."""
        description = "Bad Request: group chat was upgraded to a supergroup chat"
        self.fail(
            chat_id, code=400, description=description, times=None, migrate_to_chat_id=new_chat_id
        )

    def server_error(self, chat_id: int | None = None, times: int = 1) -> None:
        """Make calls for the chat (or any chat) answer 500."""
        self.fail(chat_id, code=500, description="Internal Server Error", times=times)

    def clear_faults(self) -> None:
        """Forget every injected fault."""
        self._faults.clear()

    # -- updates -----------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> _Json:
        """Queue a raw update for getUpdates and return it with its update_id."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._new_update.set()
        return update

    def push_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "vi",
        first_name: str = "Dân",
    ) -> _Json:
        """Queue a text message from a user; a leading /command gets its bot_command entity."""
        message = self._incoming(chat_id, user_id, chat_type, language_code, first_name)
        message["text"] = text
        if text.startswith("/"):
            length = utf16_length(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.push_update({"message": message})

    def push_sticker(
        self, chat_id: int, *, user_id: int | None = None, chat_type: str = "private"
    ) -> _Json:
        """Queue a sticker message, the kind of input the bot cannot read."""
        message = self._incoming(chat_id, user_id, chat_type, "vi", "Dân")
        n = next(self._ids)
        message["sticker"] = {
            "file_id": f"sticker-{n}",
            "file_unique_id": f"us{n}",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": "👍",
        }
        return self.push_update({"message": message})

    def push_callback(
        self,
        chat_id: int,
        data: str,
        *,
        user_id: int | None = None,
        message_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "vi",
    ) -> _Json:
        """Queue a button press on a message (by default the last one sent to the chat)."""
        user = self._user(chat_id, user_id, chat_type, language_code, "Dân")
        message_id = message_id or self._last_message.get(chat_id) or next(self._ids)
        message = self._messages.get((chat_id, message_id)) or {
            "message_id": message_id,
            "date": int(time.time()),
            "from": self.bot_user,
            "chat": self._chat(chat_id, chat_type),
            "text": "…",
        }
        query = {
            "id": str(next(self._ids)),
            "from": user,
            "chat_instance": str(chat_id),
            "data": data,
            "message": message,
        }
        return self.push_update({"callback_query": query})

    def push_my_chat_member(
        self,
        chat_id: int,
        new_status: str,
        *,
        chat_type: str = "private",
        user_id: int | None = None,
    ) -> _Json:
        """Queue the bot's own membership change: "kicked" (blocked), "member", "left", …"""
        old_status = "member" if new_status in ("kicked", "left") else "left"
        change = {
            "chat": self._chat(chat_id, chat_type),
            "date": int(time.time()),
            "from": self._user(chat_id, user_id, chat_type, "vi", "Dân"),
            "old_chat_member": self._member(self.bot_user, old_status),
            "new_chat_member": self._member(self.bot_user, new_status),
        }
        return self.push_update({"my_chat_member": change})

    def push_inline_query(self, user_id: int, query: str, *, language_code: str = "vi") -> _Json:
        """Queue an inline query typed by a user."""
        user = self._user(user_id, user_id, "private", language_code, "Dân")
        inline = {"id": str(next(self._ids)), "from": user, "query": query, "offset": ""}
        return self.push_update({"inline_query": inline})

    # -- HTTP --------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        at = time.monotonic()
        params, files = await self._read(request)
        method = request.match_info["method"]
        index = len(self.calls)
        self.calls.append(Call(method, params, at, _chat_id(params.get("chat_id"))))
        latency = self.method_latency.get(method, self.latency)
        if latency and method != "getUpdates":
            await asyncio.sleep(latency)
        try:
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            self._inject(method, params)
            result = handler(params, files)
            if isinstance(result, Awaitable):
                result = await result
        except ApiError as error:
            self.calls[index] = replace(self.calls[index], status=error.code)
            body: dict[str, Any] = {"ok": False, "error_code": error.code}
            body["description"] = error.description
            if error.parameters:
                body["parameters"] = error.parameters
            return web.json_response(body, status=error.code)
        self.calls[index] = replace(self.calls[index], status=200)
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        file_id = self._paths.get(request.match_info["path"])
        if file_id is None:
            return web.json_response(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
            )
        return web.Response(body=self._files[file_id])

    async def _read(self, request: web.Request) -> tuple[dict[str, Any], dict[str, _Upload]]:
        files: dict[str, _Upload] = {}
        if request.content_type == "application/json":
            params = dict(await request.json())
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            params = {}
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    content = value.file.read()
                    files[name] = (value.filename, content)
                    self.uploads += 1
                    params[name] = f"<upload {value.filename} {len(content)}>"
                else:
                    params[name] = value
        else:
            params = dict(request.query)
        for key in _JSON_FIELDS:
            if isinstance(params.get(key), str):
                # Left as sent if it is no JSON; the method rejects it where that matters.
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        return params, files

    def _inject(self, method: str, params: dict[str, Any]) -> None:
        chat_id = _chat_id(params.get("chat_id"))
        photos = {str(params.get("photo", ""))}
        if isinstance(params.get("media"), list):
            photos |= {str(item.get("media")) for item in params["media"]}
        for fault in self._faults:
            if fault.matches(method, chat_id, photos):
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                raise ApiError(fault.code, fault.description, **fault.parameters)

    # -- building objects --------------------------------------------------------------

    def _chat(self, chat_id: int, chat_type: str | None = None) -> _Json:
        if chat_type is not None:
            self._chat_types[chat_id] = chat_type
        kind = self._chat_types.get(chat_id) or (
            "private"
            if chat_id > 0
            else "supergroup"
            if str(chat_id).startswith("-100")
            else "group"
        )
        name = {"first_name": "Dân"} if kind == "private" else {"title": f"Nhóm {chat_id}"}
        return {"id": chat_id, "type": kind, **name}

    def _user(
        self, chat_id: int, user_id: int | None, chat_type: str, lang: str, first_name: str
    ) -> _Json:
        if user_id is None:
            user_id = chat_id if chat_type == "private" else DEFAULT_GROUP_USER
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": lang}

    def _incoming(
        self, chat_id: int, user_id: int | None, chat_type: str, lang: str, first_name: str
    ) -> _Json:
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id, chat_type),
            "from": self._user(chat_id, user_id, chat_type, lang, first_name),
        }

    @staticmethod
    def _member(user: dict[str, Any], status: str) -> _Json:
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "kicked":
            member["until_date"] = 0
        elif status == "administrator":
            member |= dict.fromkeys(_ADMIN_RIGHTS, True) | {"is_anonymous": False}
        return member

    def _message(self, params: dict[str, Any], **content: Any) -> _Json:
        chat_id = _chat_id(params.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        message_id = next(self._ids)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            **content,
        }
        if (
            isinstance(params.get("reply_markup"), dict)
            and "inline_keyboard" in params["reply_markup"]
        ):
            message["reply_markup"] = params["reply_markup"]
        self._messages[(chat_id, message_id)] = message
        self._last_message[chat_id] = message_id
        return message

    def _file(
        self, value: Any, upload: _Upload | None, kind: str, fetched: bytes | None = None
    ) -> tuple[str, bool]:
        """Return (file_id, is_new) for a photo or document sent by upload, URL or file_id."""
        value = str(value or "")
        if upload is not None:
            content = upload[1]
        elif value.startswith(("http://", "https://")):
            content = fetched if fetched is not None else f"fake {kind} from {value}".encode()
        elif value in self._files:
            sent_as = value.split("-", 1)[0]
            if sent_as != kind:
                # A file_id keeps its type: a document cannot be resent as a photo.
                raise ApiError(
                    400, f"Bad Request: can't use file of type {sent_as.title()} as {kind.title()}"
                )
            return value, False
        else:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        file_id = f"{kind}-{next(self._ids)}"
        self._files[file_id] = content
        self._paths[f"{kind}s/file_{len(self._paths)}.bin"] = file_id
        return file_id, True

    async def _photo(self, value: Any, upload: _Upload | None) -> list[dict[str, Any]]:
        fetched = None
        if upload is not None:
            _reject(photo_rejection(upload[1], by_url=False))
        elif str(value or "").startswith(("http://", "https://")):
            fetched = await self._fetch_photo(str(value))
            if fetched is not None:
                _reject(photo_rejection(fetched, by_url=True))
        file_id, new = self._file(value, upload, "photo", fetched)
        if not new:
            return self._photo_sizes.get(file_id) or [_size(file_id, 800, 600, 1)]
        sizes = []
        for width, height in ((90, 67), (320, 240)):
            small = f"{file_id}-{width}"
            self._files[small] = self._files[file_id]
            sizes.append(_size(small, width, height, len(self._files[small])))
        width, height = largest_size(self._files[file_id])
        sizes.append(_size(file_id, width, height, len(self._files[file_id])))
        self._photo_sizes[file_id] = sizes
        return sizes

    async def _fetch_photo(self, url: str, limit: int = PHOTO_BY_URL_LIMIT) -> bytes | None:
        """Fetch a photo (or file) URL as Telegram does, if it is on this machine; None for
        any other (tests never reach past loopback), whose content is then made up."""
        if URL(url).host not in _LOOPBACK:
            return None
        headers = {"User-Agent": TELEGRAM_USER_AGENT}
        try:
            async with (
                ClientSession(headers=headers, timeout=ClientTimeout(total=10)) as session,
                session.get(url) as response,
            ):
                if response.status != 200 or (response.content_length or 0) > limit:
                    raise ApiError(400, URL_FETCH_FAILED)
                body = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    body += chunk
                    if len(body) > limit:
                        raise ApiError(400, URL_FETCH_FAILED)
                return bytes(body)
        except (ClientError, TimeoutError) as exc:
            raise ApiError(400, URL_FETCH_FAILED) from exc

    async def _document(self, value: Any, upload: _Upload | None) -> _Json:
        fetched = None
        if upload is not None and len(upload[1]) > FILE_UPLOAD_LIMIT:
            raise ApiError(413, FILE_TOO_BIG)
        if upload is None and str(value or "").startswith(("http://", "https://")):
            fetched = await self._fetch_photo(str(value), DOCUMENT_BY_URL_LIMIT)
        file_id, _ = self._file(value, upload, "document", fetched)
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": upload[0] if upload else str(value).rsplit("/", 1)[-1],
            "file_size": len(self._files[file_id]),
        }

    # -- methods (named _m_<method>) ---------------------------------------------------

    def _m_getMe(self, params: _Json, files: _Files) -> _Json:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    async def _m_getUpdates(self, params: _Json, files: _Files) -> list[Any]:
        offset = int(params.get("offset") or 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(float(params.get("timeout") or 0), self.max_poll)
        while not self._updates and not self._closing and loop.time() < deadline:
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), deadline - loop.time())
            except TimeoutError:
                break
        return self._updates[: int(params.get("limit") or 100)]

    def _m_deleteWebhook(self, params: _Json, files: _Files) -> bool:
        return True

    _m_setWebhook = _m_close = _m_logOut = _m_sendChatAction = _m_leaveChat = _m_deleteWebhook
    _m_setMyDescription = _m_setMyShortDescription = _m_setChatMenuButton = _m_deleteWebhook

    def _m_answerInlineQuery(self, params: _Json, files: _Files) -> bool:
        _reject(inline_answer_rejection(params.get("results"), params.get("next_offset")))
        return True

    def _m_getWebhookInfo(self, params: _Json, files: _Files) -> _Json:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _m_setMyCommands(self, params: _Json, files: _Files) -> bool:
        _reject(commands_rejection(params.get("commands")))
        self._commands[_commands_key(params)] = list(params.get("commands") or [])
        return True

    def _m_getMyCommands(self, params: _Json, files: _Files) -> list[Any]:
        return self._commands.get(_commands_key(params), [])

    def _m_deleteMyCommands(self, params: _Json, files: _Files) -> bool:
        self._commands.pop(_commands_key(params), None)
        return True

    def _m_sendMessage(self, params: _Json, files: _Files) -> _Json:
        _reject(
            text_rejection(params, "text", 4096) or markup_rejection(params.get("reply_markup"))
        )
        return self._message(params, text=_visible(params, "text"))

    async def _m_sendPhoto(self, params: _Json, files: _Files) -> _Json:
        _reject(
            text_rejection(params, "caption", 1024) or markup_rejection(params.get("reply_markup"))
        )
        photo = await self._photo(params.get("photo"), files.get("photo"))
        return self._message(params, photo=photo, caption=_visible(params, "caption"))

    async def _m_sendDocument(self, params: _Json, files: _Files) -> _Json:
        _reject(
            text_rejection(params, "caption", 1024) or markup_rejection(params.get("reply_markup"))
        )
        caption = _visible(params, "caption")
        document = await self._document(params.get("document"), files.get("document"))
        return self._message(params, document=document, caption=caption)

    async def _m_sendMediaGroup(self, params: _Json, files: _Files) -> list[Any]:
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media in the album")
        group_id = str(next(self._ids))
        messages = []
        for item in media:
            _reject(text_rejection(item, "caption", 1024))
            content: dict[str, Any] = {"caption": _visible(item, "caption")}
            content["media_group_id"] = group_id
            source = str(item.get("media") or "")
            upload = files.get(source.removeprefix("attach://"))
            if item.get("type") == "photo":
                content["photo"] = await self._photo(source, upload)
            else:
                content["document"] = await self._document(source, upload)
            messages.append(self._message(params, **content))
        return messages

    def _m_editMessageText(self, params: _Json, files: _Files) -> Any:
        _reject(text_rejection(params, "text", 4096))
        return self._edit(params, text=_visible(params, "text"))

    def _m_editMessageCaption(self, params: _Json, files: _Files) -> Any:
        _reject(text_rejection(params, "caption", 1024))
        return self._edit(params, caption=_visible(params, "caption"))

    def _m_editMessageReplyMarkup(self, params: _Json, files: _Files) -> Any:
        return self._edit(params)

    def _edit(self, params: dict[str, Any], **content: Any) -> Any:
        _reject(markup_rejection(params.get("reply_markup")))
        if params.get("inline_message_id"):
            return True
        key = (_chat_id(params.get("chat_id")) or 0, int(params.get("message_id") or 0))
        markup = params.get("reply_markup")
        if markup is not None:
            content["reply_markup"] = markup
        old = self._messages.get(key)
        if old is None:
            message = {
                "message_id": key[1],
                "date": int(time.time()),
                "from": self.bot_user,
                "chat": self._chat(key[0]),
                "text": "…",
            }
        elif all(old.get(k) == v for k, v in content.items()) and (
            "reply_markup" in content or "reply_markup" not in old
        ):
            raise ApiError(400, _NOT_MODIFIED)
        else:
            message = dict(old)
        if markup is None:
            message.pop("reply_markup", None)
        message.update(content, edit_date=int(time.time()))
        self._messages[key] = message
        return message

    def _m_deleteMessage(self, params: _Json, files: _Files) -> bool:
        key = (_chat_id(params.get("chat_id")) or 0, int(params.get("message_id") or 0))
        if key in self._deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        self._deleted.add(key)
        self._messages.pop(key, None)
        return True

    def _m_answerCallbackQuery(self, params: _Json, files: _Files) -> bool:
        if len(str(params.get("text") or "")) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        # Outside games, Telegram opens only a link that starts this bot with a payload.
        url = params.get("url")
        start = f"https://t.me/{self.bot_user['username']}?start="
        if url is not None and not (str(url).startswith(start) and len(str(url)) > len(start)):
            raise ApiError(400, "Bad Request: URL_INVALID")
        return True

    def _m_getChatMember(self, params: _Json, files: _Files) -> _Json:
        chat_id, user_id = _chat_id(params.get("chat_id")), int(params["user_id"])
        status = (
            "administrator" if user_id in self.group_admins.get(chat_id or 0, ()) else "member"
        )
        return self._member(self._user(user_id, user_id, "private", "vi", "Dân"), status)

    def _m_getChatAdministrators(self, params: _Json, files: _Files) -> list[Any]:
        chat_id = _chat_id(params.get("chat_id")) or 0
        if self._chat(chat_id)["type"] == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        users = sorted(self.group_admins.get(chat_id, ()))
        return [
            self._member(self._user(u, u, "private", "vi", "Dân"), "administrator") for u in users
        ]

    def _m_getChat(self, params: _Json, files: _Files) -> _Json:
        chat_id = _chat_id(params.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts"), True)
        gifts |= {"premium_subscription": True, "gifts_from_channels": True}
        return {
            **self._chat(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts,
        }

    def _m_getFile(self, params: _Json, files: _Files) -> _Json:
        file_id = str(params.get("file_id") or "")
        if file_id not in self._files:
            raise ApiError(400, "Bad Request: invalid file_id")
        path = next((p for p, f in self._paths.items() if f == file_id), None)
        if path is None:
            path = f"files/file_{len(self._paths)}.bin"
            self._paths[path] = file_id
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self._files[file_id]),
            "file_path": path,
        }


def _chat_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None  # absent, or an @channelname


def _size(file_id: str, width: int, height: int, size: int) -> _Json:
    return {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "width": width,
        "height": height,
        "file_size": size,
    }


def _commands_key(params: dict[str, Any]) -> str:
    return json.dumps([params.get("scope"), params.get("language_code") or ""], sort_keys=True)


def _reject(description: str | None) -> None:
    if description is not None:
        raise ApiError(400, description)


def _visible(params: dict[str, Any], key: str) -> str:
    """Return params[key] as the user sees it, tags and entities parsed (already validated)."""
    raw = str(params.get(key) or "")
    return parse_telegram_html(raw) if str(params.get("parse_mode")).lower() == "html" else raw
