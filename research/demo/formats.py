"""Real collector formats: snscrape ``Tweet`` lines and Bluesky ``feedViewPost`` items, byte for byte."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .posts import _BREPLY, _BRIGADE, _QUOTE, _REPLY, _REPOST, _Live, _Post

if TYPE_CHECKING:  # annotations only: accounts imports this module
    from .accounts import _Account


_SNOWFLAKE_EPOCH = 1_288_834_974_657  # Twitter's snowflake epoch, ms
_SNSCRAPE = "0.7.0.20230622"
_DAYS_ISO: dict[int, str] = {}  # day number -> "YYYY-MM-DD"; datetime formatting is slow per post
_CLOCK: dict[int, str] = {}  # second of the day -> "HH:MM:SS"


def _stamp(ms: int) -> str:
    day, second = divmod(ms // 1000, 86_400)
    iso = _DAYS_ISO.get(day)
    if iso is None:
        iso = _DAYS_ISO[day] = (date(1970, 1, 1) + timedelta(day)).isoformat()
    clock = _CLOCK.get(second)
    if clock is None:
        clock = _CLOCK[second] = f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
    return f"{iso}T{clock}"


def _iso_tw(ms: int) -> str:
    """snscrape's ``datetime.isoformat()`` of an aware UTC time."""
    return _stamp(ms) + "+00:00"


def _iso_bs(ms: int) -> str:
    """AT Protocol datetime: milliseconds and ``Z``."""
    return f"{_stamp(ms)}.{ms % 1000:03d}Z"


_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_TID = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable, as AT Protocol record keys use
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_q = json.encoder.encode_basestring_ascii  # C: a string exactly as json.dumps writes it
_qu = json.encoder.encode_basestring  # C: the same, non-ASCII kept (ensure_ascii=False)
_HEX_TO_B32 = str.maketrans("0123456789abcdef", _B32[::2])


def _cid(data: str, blob: bool = False) -> str:
    """A CIDv1-looking id of ``data``: ``bafyrei...`` for records, ``bafkrei...`` for blobs (59 characters).

    The 52 characters after the prefix come from sha-256 mapped onto the base32 alphabet:
    it looks and sorts like a real CID; ``base64.b32encode`` is too slow per post.
    """
    return ("bafkrei" if blob else "bafyrei") + hashlib.sha256(data.encode()).hexdigest()[:52].translate(
        _HEX_TO_B32
    )


def _tid(us: int, clock: int) -> str:
    """An AT Protocol TID record key: microseconds and a 10-bit clock id, base32-sortable."""
    v = (us << 10) | (clock & 1023)
    return "".join([_TID[(v >> (60 - 5 * i)) & 31] for i in range(13)])


def _text_links(links: list[tuple]) -> str:
    """snscrape ``TextLink`` JSON of (text, url, t.co url, start, end) tuples."""
    if not links:
        return "null"
    return (
        "["
        + ", ".join(
            f'{{"_type": "snscrape.modules.twitter.TextLink", "text": {_q(text)}, "url": {_q(url)}, "tcourl": "{tco}", '
            f'"indices": [{start}, {end}]}}'
            for text, url, tco, start, end in links
        )
        + "]"
    )


def _facets(facets: list[tuple]) -> str:
    """Bluesky rich-text facets JSON of (feature type, key, value, byteStart, byteEnd) tuples."""
    return (
        "["
        + ", ".join(
            f'{{"features": [{{"$type": "app.bsky.richtext.facet#{kind}", "{key}": {_qu(value)}}}], '
            f'"index": {{"byteEnd": {end}, "byteStart": {start}}}}}'
            for kind, key, value, start, end in facets
        )
        + "]"
    )


def _snowflake(ms: int, low: int) -> int:
    return ((ms - _SNOWFLAKE_EPOCH) << 22) | (low & 0x3FFFFF)


# --- rendering ---------------------------------------------------------------------------------


class _Render:
    """How ``_World`` renders a post for its platform and writes it (mixed into ``_World``)."""

    def _tweet(self, post: _Post, live: _Live) -> tuple[str, list[int]]:
        """Write one snscrape ``Tweet`` line; its JSON is assembled from a template for speed.

        The template reproduces ``json.dumps`` of snscrape's dataclass dict byte for byte (the
        test suite checks ``json.dumps(json.loads(line)) == line``).
        """
        a, p, kind, rt = post.author, post.parent, post.kind, self.rt
        likes, reposts, replies, quotes = post.counts
        tid = _snowflake(post.ms, (int(rt.u() * 1024) << 12) | (post.seq & 4095))
        card = media = "null"
        if kind == _REPOST:
            raw0, rendered0, links0, media, card, tags, lang, handle = p.tw
            prefix = f"RT @{handle}: "
            raw, rendered = prefix + raw0, prefix + rendered0
            links = [
                (text, url, tco, start + len(prefix), end + len(prefix))
                for text, url, tco, start, end in links0
            ]
            mentioned = [post.target.idx]
        else:
            raw, rendered, links, mentioned, tags = self._tw_text(post.segs)
            lang = post.lang
            if post.media in ("photo", "video"):
                tco, key = "https://t.co/" + rt.token(10), rt.token(15)
                raw, rendered = f"{raw} {tco}", f"{rendered} {tco}"  # the media link stays in both texts
                if post.media == "photo":
                    media = (
                        f'[{{"_type": "snscrape.modules.twitter.Photo", "previewUrl": "https://pbs.twimg.com/media/'
                        f'{key}?format=jpg&name=small", "fullUrl": "https://pbs.twimg.com/media/{key}?format=jpg'
                        f'&name=orig", "altText": null}}]'
                    )
                else:
                    vid, base = tid >> 3, "https://video.twimg.com/ext_tw_video"
                    media = json.dumps(
                        [
                            {
                                "_type": "snscrape.modules.twitter.Video",
                                "thumbnailUrl": f"https://pbs.twimg.com/ext_tw_video_thumb/{vid}/pu/img/{key}.jpg",
                                "variants": [
                                    {
                                        "_type": "snscrape.modules.twitter.VideoVariant",
                                        "url": f"{base}/{vid}/pu/pl/{key}.m3u8?tag=12",
                                        "contentType": "application/x-mpegURL",
                                        "bitrate": None,
                                    },
                                    {
                                        "_type": "snscrape.modules.twitter.VideoVariant",
                                        "url": f"{base}/{vid}/pu/vid/720x1280/{key}.mp4?tag=12",
                                        "contentType": "video/mp4",
                                        "bitrate": 2176000,
                                    },
                                ],
                                "duration": round(8 + 50 * rt.u(), 3),
                                "views": (likes + 1) * (20 + int(40 * rt.u())),
                                "altText": None,
                            }
                        ]
                    )
            elif post.media == "poll":
                end = _iso_tw(post.ms + 86_400_000)
                split = [rt.u() + 0.2 for _ in range(3)]
                votes = 3 * likes + 10
                card = json.dumps(
                    {
                        "_type": "snscrape.modules.twitter.PollCard",
                        "options": [
                            {
                                "_type": "snscrape.modules.twitter.PollOption",
                                "label": label,
                                "count": int(votes * share / sum(split)),
                            }
                            for label, share in zip(
                                ("Masala chai", "Filter coffee", "Cold brew"), split, strict=True
                            )
                        ],
                        "endDate": end,
                        "duration": 1440,
                        "finalResults": True,
                        "lastUpdateDate": end,
                        "medium": None,
                    }
                )
            elif post.link and links:
                card = json.dumps(
                    {
                        "_type": "snscrape.modules.twitter.SummaryCard",
                        "title": post.link[1],
                        "url": post.link[0],
                        "description": post.link[2],
                        "thumbnailUrl": f"https://pbs.twimg.com/card_img/{tid >> 5}/{rt.token(8)}?format=jpg&name=600x314",
                        "siteUser": None,
                        "creatorUser": None,
                    }
                )
            if kind == _QUOTE:
                tco, url = "https://t.co/" + rt.token(10), f"https://twitter.com/{p.tw[7]}/status/{p.tw_id}"
                display = url.split("://", 1)[1][:25] + "…"
                links.append((display, url, tco, len(raw) + 1, len(raw) + 1 + len(tco)))
                raw, rendered = f"{raw} {tco}", f"{rendered} {display}"
        own = kind != _REPOST  # a retweet's own counts are zero; the original's are in retweetedTweet
        is_reply = kind in (_REPLY, _BREPLY, _BRIGADE)
        live.conv = p.conv if is_reply else tid
        if own:
            views = (likes + reposts + 1) * (15 + int(45 * rt.u())) + int(a.followers * 0.2 * rt.u())
            counts = (
                f'"replyCount": {replies}, "retweetCount": {reposts}, "likeCount": {likes}, '
                f'"quoteCount": {quotes}'
            )
            bookmarks = int(likes * 0.06 * rt.u())
        else:
            views, counts, bookmarks = (
                "null",
                '"replyCount": 0, "retweetCount": 0, "likeCount": 0, "quoteCount": 0',
                0,
            )
        raw_q = _q(raw)
        urls = [x[1] for x in links]
        tcos = [x[2] for x in links]
        mentions = (
            "[" + ", ".join(self.accounts[i].tw_ref_json for i in mentioned) + "]" if mentioned else "null"
        )
        text = (
            f'{{"_type": "snscrape.modules.twitter.Tweet", "url": "https://twitter.com/{a.handle}/status/{tid}", '
            f'"date": "{_iso_tw(post.ms)}", "rawContent": {raw_q}, "renderedContent": {_q(rendered)}, "id": {tid}, '
            f'"user": {a.tw_user_json}, {counts}, "conversationId": {live.conv}, "lang": "{lang}", {a.source}, '
            f'"links": {_text_links(links)}, "media": {media}, '
            f'"retweetedTweet": {"null" if own else p.tw_json}, '
            f'"quotedTweet": {p.tw_json if kind == _QUOTE else "null"}, '
            f'"inReplyToTweetId": {p.tw_id if is_reply else "null"}, '
            f'"inReplyToUser": {post.target.tw_ref_json if is_reply else "null"}, "mentionedUsers": {mentions}, '
            f'"coordinates": null, "place": null, "hashtags": {"[" + ", ".join(map(_q, tags)) + "]" if tags else "null"}, '
            f'"cashtags": null, "card": {card}, "viewCount": {views}, "vibe": null, "bookmarkCount": {bookmarks}, '
            f'"pinned": null, "editState": {{"_type": "snscrape.modules.twitter.EditState", "editTweetIds": [{tid}], '
            f'"editableUntilDate": "{_iso_tw(post.ms + 3_600_000)}", "editsRemaining": 5}}, '
            f'"conversationControlPolicy": "everyone", "content": {raw_q}, '  # snscrape's deprecated properties follow
            f'"outlinks": [{", ".join(map(_q, urls))}], "outlinksss": {_q(" ".join(urls))}, '
            f'"tcooutlinks": [{", ".join(map(_q, tcos))}], "tcooutlinksss": {_q(" ".join(tcos))}, '
            f'"username": "{a.handle}"}}'
        )
        self.tw_out.write(f'{text[:-1]}, "_snscrape": "{_SNSCRAPE}"}}\n')  # only the top-level item has it
        live.tw, live.tw_json, live.tw_id = (
            (raw, rendered, links, media, card, tags, lang, a.handle),
            text,
            tid,
        )
        return str(tid), mentioned

    def _tw_text(self, segs: list[tuple]) -> tuple[str, str, list, list, list]:
        """rawContent, renderedContent, links, mentioned accounts and hashtags of a tweet."""
        raw, rendered, links, mentioned, tags, pos = [], [], [], [], [], 0
        for seg in segs:
            if seg[0] == "t":
                s = shown = seg[1].translate(_ESCAPE)  # Twitter's full_text is HTML-escaped
            elif seg[0] == "m":
                s = shown = "@" + self.accounts[seg[1]].handle
                if seg[1] not in mentioned:
                    mentioned.append(seg[1])
            elif seg[0] == "h":
                s = shown = "#" + seg[1]
                tags.append(seg[1])
            else:
                s = "https://t.co/" + self.rt.token(10)
                shown = seg[1].split("://", 1)[1]
                shown = shown if len(shown) <= 26 else shown[:25] + "…"
                links.append((shown, seg[1], s, pos, pos + len(s)))
            raw.append(s)
            rendered.append(shown)
            pos += len(s)
        return "".join(raw), "".join(rendered), links, mentioned, tags

    def _skeet(self, post: _Post, live: _Live) -> tuple[str, list[int]]:
        """Write one ``feedViewPost`` item (JSON assembled from templates, like ``_tweet``)."""
        a, p, kind, rt = post.author, post.parent, post.kind, self.rt
        likes, reposts, replies, quotes = post.counts
        rkey = _tid(post.ms * 1000 + int(rt.u() * 1000), post.seq)
        created = _iso_bs(post.ms)
        if kind == _REPOST:  # the feed shows the original post, with the reposter in ``reason``
            uri = f"at://{a.did}/app.bsky.feed.repost/{rkey}"
            self.bs_out.write(
                f'{self.bs_sep}{{"post": {p.view_json}, "reason": {{"$type": "app.bsky.feed.defs#reasonRepost", '
                f'"by": {a.bs_json}, "uri": "{uri}", "cid": "{_cid(uri)}", "indexedAt": "{created}"}}}}'
            )
            self.bs_sep = ",\n"
            return uri, [post.target.idx]
        uri = f"at://{a.did}/app.bsky.feed.post/{rkey}"
        cid = _cid(uri)
        text, facets, mentioned = self._bs_text(post.segs)
        record = (
            f'{{"$type": "app.bsky.feed.post", "createdAt": "{created}"'  # record keys are sorted (DAG-CBOR)
        )
        embed = None
        if kind == _QUOTE or post.media in ("photo", "video") or post.link:
            embedded, embed = self._bs_embed(a, post)
            record += f', "embed": {embedded}'
        if facets:
            record += f', "facets": {_facets(facets)}'
        if rt.u() > 0.04:  # some clients send no langs
            record += f', "langs": ["{post.lang}"]'
        if kind in (_REPLY, _BREPLY, _BRIGADE):
            record += (
                f', "reply": {{"parent": {{"cid": "{p.cid}", "uri": "{p.uri}"}}, '
                f'"root": {{"cid": "{p.root_cid}", "uri": "{p.root_uri}"}}}}'
            )
        record += f', "text": {_qu(text)}}}'
        bookmarks = int(likes * 0.1 * rt.u())
        indexed = _iso_bs(post.ms + 200 + int(rt.u() * 2500))
        view = (
            f'{{"uri": "{uri}", "cid": "{cid}", "author": {a.bs_json}, "record": {record}'
            + (f', "embed": {embed}' if embed else "")
            + f', "bookmarkCount": {bookmarks}, "replyCount": {replies}, "repostCount": {reposts}, '
            f'"likeCount": {likes}, "quoteCount": {quotes}, "indexedAt": "{indexed}", '
            f'"viewer": {{"threadMuted": false, "embeddingDisabled": false}}, "labels": []}}'
        )
        live.view_json, live.record_json, live.embed_json, live.indexed = view, record, embed, indexed
        live.uri, live.cid, live.counts = uri, cid, post.counts
        if kind in (_REPLY, _BREPLY, _BRIGADE):  # feed items of replies carry their thread's root and parent
            typed = ', "$type": "app.bsky.feed.defs#postView"}'
            item = f'{{"post": {view}, "reply": {{"root": {p.root_json[:-1]}{typed}, "parent": {p.view_json[:-1]}{typed}}}}}'
            live.root_uri, live.root_cid, live.root_json = p.root_uri, p.root_cid, p.root_json
        else:
            item = f'{{"post": {view}}}'
            live.root_uri, live.root_cid, live.root_json = uri, cid, view
        self.bs_out.write(self.bs_sep + item)
        self.bs_sep = ",\n"
        return uri, mentioned

    def _bs_text(self, segs: list[tuple]) -> tuple[str, list, list]:
        """Text, facets (UTF-8 byte ranges) and mentioned accounts of a Bluesky record."""
        parts, facets, mentioned, pos = [], [], [], 0
        for seg in segs:
            feature = None
            if seg[0] == "t":
                s = seg[1]
            elif seg[0] == "m":
                acc = self.accounts[seg[1]]
                s, feature = "@" + acc.handle, ("mention", "did", acc.did)
                if seg[1] not in mentioned:
                    mentioned.append(seg[1])
            elif seg[0] == "h":
                s, feature = "#" + seg[1], ("tag", "tag", seg[1])
            else:
                s, feature = seg[1], ("link", "uri", seg[1])
            size = len(s) if s.isascii() else len(s.encode("utf-8"))
            if feature:
                facets.append(feature + (pos, pos + size))
            parts.append(s)
            pos += size
        return "".join(parts), facets, mentioned

    def _bs_embed(self, a: _Account, post: _Post) -> tuple[str, str]:
        """(record embed, view embed), as JSON, for a quoted post, an image, a video or a link card."""
        rt = self.rt
        if post.kind == _QUOTE:
            q = post.parent
            likes, reposts, replies, quotes = q.counts
            embeds = f', "embeds": [{q.embed_json}]' if q.embed_json else ""
            return (
                f'{{"$type": "app.bsky.embed.record", "record": {{"cid": "{q.cid}", "uri": "{q.uri}"}}}}',
                f'{{"$type": "app.bsky.embed.record#view", "record": {{"$type": "app.bsky.embed.record#viewRecord", '
                f'"uri": "{q.uri}", "cid": "{q.cid}", "author": {self.accounts[q.author].bs_json}, '
                f'"value": {q.record_json}, "labels": [], "likeCount": {likes}, "replyCount": {replies}, '
                f'"repostCount": {reposts}, "quoteCount": {quotes}, "indexedAt": "{q.indexed}"{embeds}}}}}',
            )
        blob = _cid(f"{post.ms}:{a.did}", blob=True)  # times are unique across segments
        if post.media == "photo":
            ratio = {"height": 1350 if rt.chance(0.5) else 1080, "width": 1080}
            record = {
                "$type": "app.bsky.embed.images",
                "images": [
                    {
                        "alt": "",
                        "aspectRatio": ratio,
                        "image": {
                            "$type": "blob",
                            "ref": {"$link": blob},
                            "mimeType": "image/jpeg",
                            "size": 200_000 + int(rt.u() * 800_000),
                        },
                    }
                ],
            }
            view = {
                "$type": "app.bsky.embed.images#view",
                "images": [
                    {
                        "thumb": f"https://cdn.bsky.app/img/feed_thumbnail/plain/{a.did}/{blob}@jpeg",
                        "fullsize": f"https://cdn.bsky.app/img/feed_fullsize/plain/{a.did}/{blob}@jpeg",
                        "alt": "",
                        "aspectRatio": ratio,
                    }
                ],
            }
        elif post.media == "video":
            ratio, watch = (
                {"height": 1920, "width": 1080},
                f"https://video.bsky.app/watch/{a.did.replace(':', '%3A')}/{blob}",
            )
            record = {
                "$type": "app.bsky.embed.video",
                "aspectRatio": ratio,
                "video": {
                    "$type": "blob",
                    "ref": {"$link": blob},
                    "mimeType": "video/mp4",
                    "size": 3_000_000 + int(rt.u() * 9_000_000),
                },
            }
            view = {
                "$type": "app.bsky.embed.video#view",
                "cid": blob,
                "playlist": f"{watch}/playlist.m3u8",
                "thumbnail": f"{watch}/thumbnail.jpg",
                "aspectRatio": ratio,
            }
        else:
            uri, title, description = post.link
            record = {
                "$type": "app.bsky.embed.external",
                "external": {"description": description, "title": title, "uri": uri},
            }
            view = {
                "$type": "app.bsky.embed.external#view",
                "external": {"uri": uri, "title": title, "description": description},
            }
        return json.dumps(record, ensure_ascii=False), json.dumps(view, ensure_ascii=False)
