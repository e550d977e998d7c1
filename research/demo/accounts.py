"""Accounts: brand accounts, the audience in its communities, the ring, and their profiles."""

from __future__ import annotations

import base64
import hashlib
import json
import math
from datetime import UTC, date, datetime

from .draw import _Draw, _Table
from .formats import _cid, _iso_bs, _iso_tw, _q, _snowflake
from .market import (
    _BB,
    _BRANDS,
    _BRIDGE_SHARE,
    _BRIGADE_SIZE,
    _COMMUNITIES,
    _KK,
    _RING_SIZE,
    DEFAULT_POSTS,
    _midnight,
)
from .texts import _FIRST, _FIRST_HI, _FIRST_RU, _LAST, _LAST_HI, _LAST_RU, _SOURCES, _T


def _epoch_ms(d: datetime) -> int:
    return int(d.replace(tzinfo=UTC).timestamp() * 1000)


_MS_2010, _MS_2016, _MS_BLUESKY, _MS_2026_03 = (
    _epoch_ms(datetime(*ymd)) for ymd in ((2010, 1, 1), (2016, 1, 1), (2023, 3, 1), (2026, 3, 1))
)

# --- accounts ------------------------------------------------------------------------------------


class _Account:
    __slots__ = (
        "idx",
        "platform",
        "handle",
        "name",
        "brand",
        "comm",
        "activity",
        "pop",
        "favs",
        "devoted",
        "bridge",
        "followers",
        "friends",
        "statuses",
        "created_ms",
        "uid",
        "did",
        "source",
        "tw_user_json",
        "tw_ref_json",
        "bs_json",
    )

    def __init__(self, **kw) -> None:
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


def _people(seed: int, posts: int, r: _Draw) -> list[_Account]:
    """Brand accounts (indices 0..6), then the audience, community by community, then the ring."""
    accounts: list[_Account] = []
    taken: set[str] = set()

    def add(**kw) -> _Account:
        a = _Account(idx=len(accounts), **kw)
        taken.add(a.handle)
        if a.platform == "bluesky":
            digest = hashlib.sha256(f"{seed}:{a.handle}".encode()).digest()[:15]
            a.did = "did:plc:" + base64.b32encode(digest).decode().lower()
        elif a.created_ms >= _MS_2016:
            a.uid = _snowflake(a.created_ms, int(r.u() * 4_000_000))  # 18-19 digits, as modern user ids
        else:
            a.uid = 100_000_000 + int(r.u() * 3_000_000_000)  # pre-2016 accounts have short ids
        accounts.append(a)
        return a

    for b, spec in enumerate(_BRANDS):
        for platform, handle in (("twitter", spec.twitter), ("bluesky", spec.bluesky)):
            if handle:
                created = (
                    datetime(2015 + b, 3 + 2 * b, 11, 9, 30)
                    if platform == "twitter"
                    else datetime(2024, 11, 5 + 3 * b, 12)
                )
                add(
                    platform=platform,
                    handle=handle,
                    name=spec.name,
                    brand=b,
                    comm=-1,
                    activity=0.0,
                    pop=1.0,
                    favs=(),
                    devoted=False,
                    bridge=False,
                    source=_SOURCES[2],
                    created_ms=_epoch_ms(created),
                    followers=int(
                        spec.followers
                        * (1 if platform == "twitter" else 0.2)
                        * (posts / DEFAULT_POSTS) ** 0.5
                    ),
                    friends=300 + 40 * b,
                    statuses=4_000 + 900 * b,
                )

    n_audience = max(300, round(3000 * (posts / DEFAULT_POSTS) ** 0.8))
    for c, comm in enumerate(_COMMUNITIES):
        favourites = _Table([b for b, _ in comm.favourites], [s for _, s in comm.favourites])
        for _ in range(round(n_audience * comm.share)):
            if comm.lang == "ru":
                (first, first_ru), (last, last_ru) = r.pick(_FIRST_RU), r.pick(_LAST_RU)
                name, base = f"{first_ru} {last_ru}", f"{first.lower()}_{last[:4]}"
            else:
                first, last = r.pick(_FIRST), r.pick(_LAST)
                if comm.lang == "hi" and r.chance(0.6):
                    name = f"{r.pick(_FIRST_HI)} {r.pick(_LAST_HI)}"
                else:
                    name = f"{first} {last[0]}." if r.chance(0.3) else f"{first} {last}"
                base = (
                    f"{first.lower()}{last[:3].lower()}"
                    if comm.lang == "hi"
                    else f"{first.lower()}_{last.lower()}"
                )
            suffix = ".bsky.social" if comm.platform == "bluesky" else ""
            if suffix:  # Bluesky handles are domain names: hyphens, not underscores
                base = base.replace("_", "-")
            handle = base[:11] + str(10 + int(r.u() * 990)) + suffix
            while handle in taken:
                handle = base[:10] + str(int(r.u() * 100_000)) + suffix
            z = r.n()  # popular people also post more
            followers = max(3, round(math.exp(5.0 + 1.2 * z)))
            first_day = _MS_2010 if comm.platform == "twitter" else _MS_BLUESKY
            add(
                platform=comm.platform,
                handle=handle,
                name=name,
                brand=-1,
                comm=c,
                activity=0.35 + math.exp(0.9 * (0.5 * z + 0.87 * r.n()) - 0.4),
                pop=math.sqrt(followers),
                favs=(_BB, _KK) if r.chance(comm.devoted) else (favourites.pick(r),),
                devoted=False,
                bridge=r.chance(_BRIDGE_SHARE),
                followers=followers,
                source=r.pick(_SOURCES[:2]),
                friends=max(10, round(followers * (0.4 + 1.5 * r.u()))),
                statuses=round(followers * (2 + 10 * r.u())) + 50,
                created_ms=first_day + int(r.u() * (_MS_2026_03 - first_day)),
            )
            accounts[-1].devoted = len(accounts[-1].favs) == 2

    for i in range(_RING_SIZE):
        handle = f"{('chai', 'pune', 'best', 'deal', 'offer', 'masala')[i % 6]}{('deals', 'offers', 'promo', 'hub')[i % 4]}{2026 + i}"
        # created 3-25 days before the first burst (2026-10-03): fresh accounts
        created = _midnight(date(2026, 10, 3)) * 1000 - int((3 + 22 * r.u()) * 86_400_000)
        add(
            platform="twitter",
            handle=handle,
            name=f"Pune Deals {i + 1} 💰",
            brand=-1,
            comm=-2,
            activity=0.0,
            pop=0.1,
            favs=(),
            devoted=False,
            bridge=False,
            followers=int(r.u() * 16),
            friends=2000 + int(r.u() * 3000),
            statuses=0,
            created_ms=created,
            source=_SOURCES[2],
        )
    return accounts


def _brigade(accounts: list[_Account], r: _Draw) -> list[_Account]:
    """The reply brigade of truth 13: ordinary-looking twitter accounts, appended after everyone else.

    They are drawn from their own stream ``r``, so every other account is drawn as before.
    """
    taken = {a.handle for a in accounts}
    out = []
    for i in range(_BRIGADE_SIZE):
        first, last = r.pick(_FIRST), r.pick(_LAST)
        handle = f"{first.lower()}_{last.lower()[:6]}{10 + int(r.u() * 90)}"
        while handle in taken:
            handle = f"{first.lower()}_{last.lower()[:5]}{int(r.u() * 10_000)}"
        taken.add(handle)
        created = _MS_2016 + int(r.u() * (_MS_2026_03 - _MS_2016))  # years old, like anyone's
        followers = 40 + int(r.u() * 800)
        out.append(
            _Account(
                idx=len(accounts) + i,
                platform="twitter",
                handle=handle,
                name=f"{first} {last}",
                brand=-1,
                comm=-3,
                activity=0.0,
                pop=0.1,
                favs=(),
                devoted=False,
                bridge=False,
                followers=followers,
                friends=followers + int(r.u() * 400),
                statuses=200 + int(r.u() * 3000),
                created_ms=created,
                uid=_snowflake(created, int(r.u() * 4_000_000)),
                source=r.pick(_SOURCES[:2]),
            )
        )
    return out


def _profiles(accounts: list[_Account], r: _Draw) -> dict[str, list[str]]:
    """Attach each account's snscrape ``User`` / Bluesky profile; plant two unsafe display names."""
    unsafe = {}
    for platform, name in (
        ("twitter", "<b>Chai</b> fan <script>alert(1)</script>"),
        ("bluesky", "<img src=x onerror=alert(1)> Meera"),
    ):
        a = next(a for a in accounts if a.comm >= 0 and a.platform == platform)
        a.name = name
        unsafe[platform] = [a.handle]
    for a in accounts:
        if a.platform == "bluesky":
            p = {
                "did": a.did,
                "handle": a.handle,
                "displayName": a.name,
                "avatar": f"https://cdn.bsky.app/img/avatar/plain/{a.did}/{_cid(a.did, blob=True)}@jpeg",
            }
            if a.brand >= 0:
                p["associated"] = {"chat": {"allowIncoming": "following"}}
            p.update(
                {
                    "viewer": {"muted": False, "blockedBy": False},
                    "labels": [],
                    "createdAt": _iso_bs(a.created_ms),
                }
            )
            a.bs_json = json.dumps(p, ensure_ascii=False)
            continue
        brand = a.brand >= 0
        if brand:
            bio, location = _BRANDS[a.brand].bio, "Pune, India"
        elif a.comm == -2:
            bio, location = r.pick(("Best deals in Pune 💰 DM for promos", "Offers | Discounts | Pune")), ""
        elif a.comm == -3:  # the brigade looks like anyone
            bio, location = r.pick(_T["bio"]["foodies"]), "Pune, India"
        else:
            comm = _COMMUNITIES[a.comm]
            bio = r.pick(_T["bio"][comm.code])
            location = r.pick(
                {"hi": ("पुणे", "Pune, India", ""), "ru": ("Пуна, Индия", "Pune", "")}.get(
                    comm.lang, ("Pune, India", "Pune", "Maharashtra, India", "")
                )
            )
        link = None
        if brand:
            tco = "https://t.co/" + r.token(10)
            link = {
                "_type": "snscrape.modules.twitter.TextLink",
                "text": f"{a.handle}.in",
                "url": f"https://{a.handle}.in",
                "tcourl": tco,
                "indices": [0, 23],
            }
        image = (
            "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
            if a.comm == -2
            else f"https://pbs.twimg.com/profile_images/{a.uid % 10**12 + 10**18}/{r.token(8)}_normal.jpg"
        )
        # Field order is snscrape's User dataclass order, then its properties in dir() order.
        user = {
            "_type": "snscrape.modules.twitter.User",
            "username": a.handle,
            "id": a.uid,
            "displayname": a.name,
            "rawDescription": bio,
            "renderedDescription": bio,
            "descriptionLinks": None,
            "verified": False,
            "created": _iso_tw(a.created_ms),
            "followersCount": a.followers,
            "friendsCount": a.friends,
            "statusesCount": a.statuses,
            "favouritesCount": int(a.statuses * (0.5 + 2 * r.u())),
            "listedCount": a.followers // 60,
            "mediaCount": int(a.statuses * 0.12),
            "location": location,
            "protected": False,
            "link": link,
            "profileImageUrl": image,
            "profileBannerUrl": f"https://pbs.twimg.com/profile_banners/{a.uid}/1{r.token(9, '0123456789')}"
            if brand
            else None,
            "label": None,
            "blue": brand,
            "blueType": "Business" if brand else None,
            "profileImageShape": "square" if brand else "circle",
            "description": bio,
            "descriptionUrls": None,
            "linkTcourl": link and link["tcourl"],
            "linkUrl": link and link["url"],
            "url": f"https://twitter.com/{a.handle}",
        }
        # Mentions and reply targets are Users built from tweet entities: username, id, name only.
        ref = dict.fromkeys(user)
        ref.update(_type=user["_type"], username=a.handle, id=a.uid, displayname=a.name, url=user["url"])
        a.tw_user_json, a.tw_ref_json = json.dumps(user), json.dumps(ref)
        html, url, label = a.source
        a.source = f'"source": {_q(html)}, "sourceUrl": "{url}", "sourceLabel": "{label}"'
    return unsafe
