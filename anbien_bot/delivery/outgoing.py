"""What goes out for an outbox row: a post, a list of a chat's waiting posts, or a broadcast.

Rendering is done once per article and language, however many chats receive it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace

from ..config import Config
from ..models import Article
from ..store import Store
from ..store.outbox import Delivery
from ..text.dates import utcnow
from ..texts import Lang, language_of, text
from ..values import digest_date, is_digest
from .links import ArticleLinks
from .message import parse_html
from .reading import read_button
from .render import RenderedPost, render_post, render_post_list_chunks

_CACHED = 256  # articles and rendered posts kept in memory


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send and the outbox rows it settles."""

    ids: tuple[int, ...]
    rendered: RenderedPost
    label: str  # for logs: "article 12", "broadcast 3", "list of 7 posts"
    keys: frozenset[tuple[str, int]]  # the fan-outs it belongs to: ("article", id), ...
    article: Article | None = None  # to rebuild a photo post as text
    lang: Lang = "vi"
    photo_is_file_id: bool = False  # broadcasts carry Telegram's file_id, not a URL
    plain: bool = False  # send without markup (Telegram refused the HTML)
    preview: bool = True  # False: no link preview (a list of many links)
    buttons: tuple[tuple[str, str], ...] = ()  # one row under the message: (label, data)


def fanout_key(row: Delivery) -> tuple[str, int]:
    """Return the fan-out a row belongs to: its article or its broadcast."""
    if row.article_id is not None:
        return ("article", row.article_id)
    return ("broadcast", row.broadcast_id or 0)


class Composer:
    """Build the messages for claimed outbox rows."""

    def __init__(
        self, store: Store, config: Config, bot_username: Callable[[], str] = lambda: ""
    ) -> None:
        """Read articles and broadcasts from store; name categories and collapse per config.

        ``bot_username`` gives the bot's username once known, for the lists' deep links.
        """
        self.store = store
        self.bot_username = bot_username
        self.names: Mapping[str, str] = config.category_names
        self.collapse_after = config.delivery.collapse_after
        self._articles: OrderedDict[int, Article | None] = OrderedDict()
        self._renders: OrderedDict[tuple[int, str], RenderedPost] = OrderedDict()

    def __len__(self) -> int:
        """Return how many articles and rendered posts are kept in memory."""
        return len(self._articles) + len(self._renders)

    async def compose(self, row: Delivery) -> Outgoing | None:
        """Return the message for a row, or None when its article or broadcast was deleted."""
        lang = language_of(row.language)
        if row.broadcast_id is not None:
            # The admin's broadcast is stored ready to send: Telegram HTML and a file_id.
            content = await self.store.broadcast_message(row.broadcast_id)
            if content is None:
                return None
            text, photo = content
            return Outgoing(
                ids=(row.id,),
                rendered=RenderedPost(parse_html(text), photo, None),
                label=f"broadcast {row.broadcast_id}",
                keys=frozenset({fanout_key(row)}),
                photo_is_file_id=True,
            )
        assert row.article_id is not None
        if is_digest(row.priority):
            # A daily digest is always one list, however few posts the day brought.
            digest = await self._compose_list(row, lang, digest=True)
            if digest is not None:
                return digest
        elif self.collapse_after and row.due_posts > self.collapse_after:
            listed = await self._compose_list(row, lang)
            if listed is not None:
                return listed
        article = await self._article(row.article_id)
        if article is None:
            return None
        return Outgoing(
            ids=(row.id,),
            rendered=self._render(article, lang),
            label=f"article {article.id}",
            keys=frozenset({fanout_key(row)}),
            article=article,
            lang=lang,
            buttons=(read_button(article.id, lang),),
        )

    def without_photo(self, out: Outgoing) -> RenderedPost:
        """Return the message as text only, for a photo Telegram would not take."""
        if out.article is None:
            return RenderedPost(out.rendered.message, None, None)
        return render_post(replace(out.article, image_url=None), out.lang, self.names)

    async def _compose_list(
        self, row: Delivery, lang: Lang, *, digest: bool = False
    ) -> Outgoing | None:
        """Return one list message of the chat's due posts, as many as one message holds."""
        posts = await self.store.due_posts(row.chat_id, row.priority, utcnow())
        if not digest and len(posts) <= self.collapse_after:
            return None
        found = [(i, a) for i, aid in posts if (a := await self._article(aid)) is not None]
        if not found:
            return None
        # One message per task keeps the crash bound: what does not fit goes in the next list.
        header = None
        if digest:
            day = digest_date(row.priority)
            header = text(lang, "digest_header", date=day.strftime("%d/%m/%Y"))
        # Each title opens the archived copy in the bot; the original page sits beside it.
        links = ArticleLinks(self.bot_username())
        chosen = found[: _fitting([a for _, a in found], lang, self.names, header, links)]
        listed = render_post_list_chunks(
            [a for _, a in chosen], lang, self.names, header=header, links=links
        )
        return Outgoing(
            ids=tuple(i for i, _ in chosen),
            rendered=RenderedPost(listed[0], None, None),
            label=f"{'digest' if digest else 'list'} of {len(chosen)} posts",
            keys=frozenset(("article", a.id) for _, a in chosen),
            lang=lang,
            preview=False,
        )

    async def _article(self, article_id: int) -> Article | None:
        """Return an article, from memory when it was read before."""
        if article_id in self._articles:
            return self._articles[article_id]
        article = await self.store.article(article_id)
        _keep(self._articles, article_id, article)
        return article

    def _render(self, article: Article, lang: Lang) -> RenderedPost:
        """Return the post as rendered for lang, rendering it once."""
        key = (article.id, lang)
        rendered = self._renders.get(key)
        if rendered is None:
            rendered = render_post(article, lang, self.names)
            _keep(self._renders, key, rendered)
        return rendered


def _fitting(
    articles: list[Article],
    lang: Lang,
    names: Mapping[str, str],
    header: str | None = None,
    links: ArticleLinks | None = None,
) -> int:
    """Return how many of the articles, from the first, one list message can hold."""
    links = links or ArticleLinks()

    def fits(some: list[Article]) -> bool:
        return len(render_post_list_chunks(some, lang, names, header=header, links=links)) == 1

    if fits(articles):
        return len(articles)
    low, high = 1, len(articles) - 1  # one always fits: list titles are short
    while low < high:
        middle = (low + high + 1) // 2
        if fits(articles[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


def _keep(cache: OrderedDict, key: Hashable, value: object) -> None:
    """Put value in a bounded cache, forgetting the oldest entries."""
    cache[key] = value
    while len(cache) > _CACHED:
        cache.popitem(last=False)
