"""Mastodon: the REST API's Status JSON, as an import format and as a network collector.

- Import format ``mastodon-api-json``: a file of statuses exactly as the API returns them
  (a JSON array, JSON lines of statuses or of whole pages, or a ``/api/v2/search``
  result with ``statuses``).
- Collector ``mastodon``: public account statuses (``/api/v1/accounts/lookup`` then
  ``/api/v1/accounts/:id/statuses``) and hashtag timelines (``/api/v1/timelines/tag/:tag``)
  of any server, without a token, paginated through ``Link: <...>; rel="next"``.
  Both share :func:`normalize`.

Identity: ids are the server's own (strings); collect each account from its home server
(``brewbros@mastodon.social``). Handles are written with their server
(``ann@mastodon.social``), so accounts of different servers never merge. A boost is a
repost row (the boost's own id, author and time, no counts) plus the boosted status.
``content`` is HTML: it becomes plain text through ``html.parser`` (nothing is executed
or fetched), keeping paragraphs and line breaks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from research.errors import CollectorError, ResearchError
from research.schema import as_id, to_utc
from research.sources.base import Context, Format, Rows, Sample, count, handle, hashtags_in
from research.sources.collect import Collector, Fetcher, Page, Query, Skipped, Target
from research.sources.reading import read_json_items

__all__ = ["FORMAT", "COLLECTOR", "MastodonCollector", "normalize", "normalize_status", "html_to_text"]

PLATFORM = "mastodon"
_MEDIA = {"image": "photo", "video": "video", "gifv": "gif", "audio": "audio"}
_BLOCKS = {"p", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol"}


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS and "".join(self.parts).strip():
            self.parts.append("\n\n" if tag != "li" else "\n")
        elif tag == "a":
            a = dict(attrs)
            classes = (a.get("class") or "").split()
            # Mentions and hashtags are links too; only the others are the post's URLs.
            if (
                a.get("href")
                and not {"mention", "hashtag"} & set(classes)
                and "tag" not in (a.get("rel") or "")
            ):
                self.links.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str | None) -> tuple[str, list[str]]:
    """Plain text of Mastodon HTML (paragraphs and line breaks kept) and the links it holds.

    >>> html_to_text('<p>Fresh <a href="https://m.s/tags/chai" class="mention hashtag" rel="tag">#<span>chai</span></a>'
    ...              ' &amp; more<br>at <a href="https://chai.example/menu"><span class="invisible">https://</span>'
    ...              '<span class="">chai.example/menu</span></a></p><p>See you</p>')
    ('Fresh #chai & more\\nat https://chai.example/menu\\n\\nSee you', ['https://chai.example/menu'])
    """
    parser = _TextParser()
    parser.feed(html or "")
    parser.close()
    lines = "".join(parser.parts).replace("\r\n", "\n").split("\n")
    return "\n".join(line.strip() for line in lines).strip(), list(dict.fromkeys(parser.links))


def normalize(item: Any, ctx: Context) -> Rows:
    """Rows of one saved item: a status, a list of statuses (a page), or ``{"statuses": [...]}``."""
    if isinstance(item, list):
        rows = Rows()
        for status in item:
            rows.extend(normalize(status, ctx))
        return rows
    if isinstance(item, dict) and isinstance(item.get("statuses"), list):
        return normalize(item["statuses"], ctx)
    if not isinstance(item, dict) or "id" not in item or "account" not in item:
        raise ValueError("not a Mastodon status (no id and account)")
    return normalize_status(item, ctx)


def normalize_status(status: dict[str, Any], ctx: Context) -> Rows:
    """Rows of one Mastodon ``Status``: the status, the one it boosts or quotes, their authors."""
    account = status.get("account") or {}
    rows = Rows(accounts=[_account(account, ctx)] if account.get("id") is not None else [])
    reblog = status.get("reblog")
    if isinstance(reblog, dict):
        rows.posts.append(_boost(status, reblog, ctx))
        rows.extend(normalize_status(reblog, ctx))
        return rows
    quoted = _quoted(status)
    text, links = html_to_text(status.get("content"))
    if status.get("spoiler_text"):  # the content warning is shown first, as posted
        text = f"{status['spoiler_text'].strip()}\n\n{text}".strip()
    card_url = (status.get("card") or {}).get("url")
    tags = [str(t.get("name", "")).lower().lstrip("#") for t in status.get("tags") or []]
    rows.posts.append(
        {
            "platform": PLATFORM,
            "post_id": as_id(status["id"], field="id"),
            "url": status.get("url") or status.get("uri"),
            "author_id": as_id(account.get("id"), field="account.id"),
            "author_handle": _acct(account),
            "author_name": account.get("display_name") or None,
            "created_at": to_utc(status.get("created_at"), field="created_at"),
            "text": text,
            "lang": status.get("language") or None,
            "hashtags": list(dict.fromkeys(t for t in tags if t)) or hashtags_in(text),
            "mentions": list(dict.fromkeys(_acct(m) for m in status.get("mentions") or [] if m.get("acct"))),
            "urls": list(dict.fromkeys([*links, *([card_url] if card_url else [])])),
            "media_type": _media_type(status),
            "likes": count(status.get("favourites_count")),
            "reposts": count(status.get("reblogs_count")),
            "replies": count(status.get("replies_count")),
            "quotes": count(status.get("quotes_count")),  # Mastodon 4.5+; NULL before
            "views": None,  # Mastodon counts no views
            "saves": None,  # bookmarks are private
            "reply_to_post_id": as_id(status.get("in_reply_to_id"), field="in_reply_to_id"),
            "reply_to_author_id": as_id(status.get("in_reply_to_account_id"), field="in_reply_to_account_id"),
            "quote_of_post_id": as_id(quoted.get("id"), field="quote.quoted_status.id"),
            "quote_of_author_id": as_id((quoted.get("account") or {}).get("id"), field="quote.account.id"),
            "source": ctx.source,
            "collected_at": ctx.collected_at,
        }
    )
    if quoted.get("account"):
        rows.extend(normalize_status(quoted, ctx))
    return rows


def _boost(status: dict[str, Any], original: dict[str, Any], ctx: Context) -> dict[str, Any]:
    account = status.get("account") or {}
    return {
        "platform": PLATFORM,
        "post_id": as_id(status["id"], field="id"),
        "url": status.get("url") or status.get("uri"),
        "author_id": as_id(account.get("id"), field="account.id"),
        "author_handle": _acct(account),
        "author_name": account.get("display_name") or None,
        "created_at": to_utc(status.get("created_at"), field="created_at"),
        "text": "",
        "media_type": "text",
        "repost_of_post_id": as_id(original.get("id"), field="reblog.id"),
        "repost_of_author_id": as_id((original.get("account") or {}).get("id"), field="reblog.account.id"),
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


def _quoted(status: dict[str, Any]) -> dict[str, Any]:
    """The quoted status (Mastodon 4.5 ``quote``), or ``{"id": ...}`` when only its id is given."""
    quote = status.get("quote") or {}
    if isinstance(quote.get("quoted_status"), dict):
        return quote["quoted_status"]
    return {"id": quote.get("quoted_status_id")} if quote.get("quoted_status_id") else {}


def _acct(account: dict[str, Any]) -> str | None:
    """``user@server``: a local account's ``acct`` lacks the server, taken from its profile URL."""
    acct = str(account.get("acct") or account.get("username") or "")
    if acct and "@" not in acct:
        host = urlsplit(account.get("url") or "").hostname
        acct = f"{acct}@{host}" if host else acct
    return handle(acct)


def _media_type(status: dict[str, Any]) -> str:
    if status.get("poll"):
        return "poll"
    media = [_MEDIA.get(str(m.get("type")), "other") for m in status.get("media_attachments") or []]
    if len(media) > 1:
        return "album"
    if media:
        return media[0]
    return "link" if status.get("card") else "text"


def _account(account: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {
        "platform": PLATFORM,
        "account_id": as_id(account.get("id"), field="account.id"),
        "handle": _acct(account),
        "name": account.get("display_name") or None,
        "followers": count(account.get("followers_count")),
        "following": count(account.get("following_count")),
        "posts_count": count(account.get("statuses_count")),
        "created_at": to_utc(account.get("created_at"), field="account.created_at"),
        "verified": None,  # Mastodon has no verification mark (verified links are not one)
        "description": html_to_text(account.get("note"))[0] or None,
        "source": ctx.source,
        "collected_at": ctx.collected_at,
    }


def _sniff(sample: Sample) -> bool:
    text = sample.text.lstrip()
    return text[:1] in "[{" and '"favourites_count"' in text and '"reblogs_count"' in text


FORMAT = Format(
    name="mastodon-api-json",
    platforms=(PLATFORM,),
    reads="Mastodon API status JSON (arrays, JSON lines or pages of Status objects)",
    version="1",
    sniff=_sniff,
    read=read_json_items,
    normalize=normalize,
)


# --- collector -----------------------------------------------------------------------------------


class MastodonCollector(Collector):
    """Public statuses of accounts and hashtag timelines from any Mastodon server, no token."""

    name = "mastodon"
    platform = PLATFORM
    reads = "Mastodon REST API of any server, no token: account statuses, hashtag timelines"
    format = FORMAT
    # 300 requests per 5 minutes per IP is Mastodon's documented default for calls without a
    # token: one a second stays inside it however long the run.
    min_interval = 1.0
    page_size = 40  # the API's maximum for statuses
    default_instance = "mastodon.social"  # for hashtags when nothing says which server

    def make_targets(
        self, accounts: Sequence[str], hashtags: Sequence[str], instance: str | None
    ) -> list[Target]:
        targets = []
        for text in accounts:
            user, _, host = text.strip().lstrip("@").lower().partition("@")
            server = host or instance
            if not server:
                raise ResearchError(
                    f"@{user}: which Mastodon server? write the handle as {user}@server "
                    "or give the server (--instance, or instance: in params)"
                )
            targets.append(Target("account", user, server))
        servers = [t.instance for t in targets]
        tag_server = instance or (servers[0] if servers else self.default_instance)
        targets += [Target("hashtag", t.strip().lstrip("#").lower(), tag_server) for t in hashtags]
        return targets

    def server_url(self, instance: str | None) -> str:
        """A test or mirror base URL if given, else ``https://<instance>`` (or the instance as a URL)."""
        from research.sources.http import base_url_from_env

        override = self._base_url or base_url_from_env(self.name, "")
        if override:
            return override
        instance = instance or self.default_instance
        return instance if "://" in instance else f"https://{instance}"

    def origin(self, target: Target) -> str:
        base = self.server_url(target.instance).rstrip("/")
        return f"{base}/@{target.value}" if target.kind == "account" else f"{base}/tags/{target.value}"

    def pages(self, fetch: Fetcher, target: Target, query: Query, cursor: dict | None) -> Iterator[Page]:
        from research.sources.http import HttpStatusError

        http = fetch.json(self.server_url(target.instance))
        cursor = dict(cursor or {})
        host = urlsplit(http.base_url).netloc
        account_id = cursor.get("account_id")
        if target.kind == "account":
            account_id = account_id or _lookup(http, target.value, host)
            path = f"api/v1/accounts/{quote(str(account_id), safe='')}/statuses"
        else:
            path = f"api/v1/timelines/tag/{quote(target.value, safe='')}"
        params = cursor.get("params") or {"limit": str(self.page_size)}
        while True:
            try:
                reply = http.get_json(path, params)
            except HttpStatusError as e:
                if target.kind == "hashtag" and e.status in (401, 403, 422):
                    raise Skipped(
                        f"{host} does not show its #{target.value} timeline without logging in; "
                        "choose a server that does (--instance, or instance: in params)"
                    ) from None
                raise
            if not isinstance(reply.data, list):
                raise CollectorError(
                    f"{host} answered with a JSON object, not a list of statuses", url=reply.url
                )
            following = _next_params(reply.next_url) if reply.data else None
            yield Page(
                reply.data, reply.url, {"account_id": account_id, "params": following} if following else None
            )
            if following is None:
                return
            params = following

    def item_time(self, item: Any) -> datetime | None:
        return to_utc(item.get("created_at")) if isinstance(item, dict) else None

    def item_key(self, item: Any) -> str:
        return str(item.get("id"))


def _lookup(http: Any, user: str, host: str) -> str:
    from research.sources.http import HttpStatusError

    try:
        reply = http.get_json("api/v1/accounts/lookup", {"acct": user})
    except HttpStatusError as e:
        if e.status == 404:
            raise CollectorError(f"there is no account @{user} on {host}", url=e.url) from None
        raise
    if not isinstance(reply.data, dict) or reply.data.get("id") is None:
        raise CollectorError(f"{host} answered the account lookup without an id", url=reply.url)
    return str(reply.data["id"])


def _next_params(url: str | None) -> dict[str, str] | None:
    """The query of the ``rel="next"`` link: where the next page starts (``max_id``)."""
    if not url:
        return None
    params = dict(parse_qsl(urlsplit(url).query))
    return params or None


COLLECTOR = MastodonCollector()
