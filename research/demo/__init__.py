"""The demo world: a seeded, believable café market written in real collector formats.

``generate(out_dir)`` writes what an analyst would have after scraping the market of
**Chai & Co**, a café chain in Pune (the client; timezone Asia/Kolkata), and its competitors
**Brew Bros**, **Masala Mornings** and **Kettle Kings**:

- ``demo-twitter.jsonl``: ``snscrape --jsonl`` output of snscrape 0.7.0.20230622: ``Tweet``
  dataclass JSON byte for byte as snscrape writes it (``_type`` first, fields in dataclass
  order, deprecated properties after them, ``_snscrape`` last, ASCII-escaped);
- ``demo-bluesky.json``: a JSON array of ``app.bsky.feed.defs#feedViewPost`` items as
  ``getAuthorFeed``/``getFeed`` return them, one item per line (UTF-8);
- ``demo-twitter-profiles.jsonl``: a ``twarc2 users`` lookup line of the four twitter brand
  profiles, stamped ``__twarc.retrieved_at`` at the period's start (a second observation of
  their counts, truth 11);
- ``truth.json``: the planted truths below, with exact numbers measured on the written posts.

Same ``seed`` and ``posts`` give byte-identical files: every draw comes from numpy
``SeedSequence`` streams, nothing reads the clock, and no set or ``hash()`` order reaches the
output. Posts are written in time order (oldest first) as they are simulated, so memory stays
small; from 10,000 posts the two periods are simulated in two processes (same bytes).

Time
----
The analysis period is 2026-08-01 .. 2026-10-29 (local dates, inclusive) and the previous
period the 90 days before (2026-05-03 .. 2026-07-31), at the same volume. Nothing is posted
between local midnight and 05:30 on 2026-05-03 and 2026-08-01, nor after 2026-10-29, so reading
the bounds as Asia/Kolkata dates or as UTC dates selects the same posts. A repost's time is the
retweet's ``date`` or the Bluesky ``reason.indexedAt``. The periods are simulated apart, so
replies and reposts of July posts stop at the cut (their counts still include them).

Accounts
--------
Brand accounts: Chai & Co ``chaiandco`` (twitter) and ``chaiandco.bsky.social``; Brew Bros
``brewbros`` and ``brewbros.bsky.social``; Masala Mornings ``masalamornings`` (twitter only);
Kettle Kings ``kettlekings`` and ``kettlekings.bsky.social``. About 3,000 audience accounts at
the default size (growing as ``posts ** 0.8``) belong to five communities, each on one platform
because the interaction graph keys nodes by ``platform:handle``.

Planted truths (``truth`` keys)
-------------------------------
Engagement is likes + reposts + replies + quotes (views and bookmarks excluded). "Brand posts"
are original posts (not replies) of brand accounts.

1. ``best_slot``: brand posts go out only in weekly market slots (local weekday x hour, each
   holding 20+ posts per period). Twitter Thursday 19:00-19:59 and Bluesky Saturday
   10:00-10:59 earn 2.5x what the same brand earns elsewhere (other slots: 0.95-1.15x), and
   every brand account posts there every week: 52 and 39 posts in the period. Noise is clipped
   and the brand plan is re-drawn unless the slot's mean beats the runner-up's by 1.5x. The
   pooled ratio to other slots (~2.0-2.6, brand mixes differ) and the runner-up are recorded.
2. ``format_uplift``: brand video posts earn 1.8x the engagement of photo, text, link and poll
   posts (media mixes are dealt as quotas per account and period).
3. ``giveaways``: 3 twitter and 2 bluesky posts per brand account and period are giveaways
   (English "giveaway"/"win", Hindi "गिवअवे"/"जीतें", Russian "розыгрыш"/"выиграй") earning 5x,
   never in the best slot, at most one per slot; ids, local dates and engagement are listed.
4. ``communities``: "Pune foodies" (twitter, en), "Hindi chai lovers" (twitter, hi), "Russian
   expats" (twitter, ru), "Remote workers / students" (bluesky, en) and "Pune readers &
   gamers" (bluesky, en), each with its own Zipf-popular hashtags and favourite brands. Members
   reply to, mention, repost and quote fellow members (96%; 2% "bridges" go outside 35% of
   the time) more than they touch brands (about 5:3), and each mentions a fellow member at
   least once per period, so Louvain recovers the communities (NMI ~0.95 at the default size).
   ``community_of`` maps every audience handle to its community (the ring and the brigade excepted).
5. ``overlap``: a brand's engaged audience is the set of non-brand accounts that replied to,
   mentioned, reposted or quoted any of its accounts in the analysis period (tweet replies and
   retweets also list the target in ``mentionedUsers``). 30% of "Russian expats" and 20% of
   "Remote workers / students" are devoted to both Brew Bros and Kettle Kings and mention each
   at least once in the period; everyone else has one favourite and touches other brands 3%
   as often. Sizes, shared members and Jaccard of all six pairs are measured on the posts.
6. ``suspicious``: 12 twitter accounts created 3-25 days before their first post, with 0-15
   followers and 2,000-4,999 followings, post near-identical Masala Mornings promotions in six
   October bursts (each posts 2-4 times within 6 minutes). They belong to no community.
7. ``negative_stretch``: from 2026-09-15 to 2026-09-29 (local dates) 85% of audience posts
   mentioning Masala Mornings are complaints ("cold chai, worst service 😡", "बहुत खराब सेवा",
   "ужасный сервис"), such mentions rise 2.5x and retweets of its posts drop to a fifth. Outside
   it, mention posts are 60% positive, 32% neutral and 8% negative, and replies to brand posts
   positive. The complaint ids and measured negative shares are listed.
8. ``period_change``: Brew Bros earns 1.4x more per post in the analysis period than in the
   previous one; other brands are unchanged (engagement noise is dealt as the same normal
   quantiles in both periods, so medians move only here). Measured medians are given.
9. ``breakouts``: two Masala Mornings twitter photo posts (the brand with the fewest posts), the
   first plain ones on or after 2026-09-06 and 2026-10-11, are family recipes carrying
   ``#chairecipe`` (no other post does) and earn 7x their planned engagement (about 6x the
   account's median in the period). Every other post far above its account's usual is a
   giveaway (truth 3) or in a best slot (truth 1). Ids, dates, engagement and the median are listed.
10. ``spike``: on 2026-09-05 (local) a Bluesky member of "Remote workers / students" posts at
    11:00 about the ``@kettlekings.bsky.social`` kulhad challenge with ``#kulhadchallenge``; it gets
    40 replies, 60 reposts and 12 quotes, and 60 Kettle Kings fans post about the challenge
    (mentioning it, with the hashtag) until 22:00: mentions of Kettle Kings that day are about 5x
    a usual day (counts scale with ``posts``). The viral post's id, author and counts are listed.
11. ``follower_growth``: the twitter brand profiles are observed twice: in the tweets (the import's
    observation time: the day after the period in ``research demo``) and in the twarc2 lookup at
    2026-08-01 06:00 UTC, with followers lower by the growth factor: Chai & Co +4%, Brew Bros
    +15%, Masala Mornings +2%, Kettle Kings +8% (following and post counts lower too). Bluesky
    feed items carry no follower counts.
12. ``pillar``: 40% of Kettle Kings' plain (photo and text) posts, chosen by their time, are
    about tea tastings (Darjeeling, Assam, loose-leaf, flushes; English, Hindi and Russian
    templates sharing the tea names and ``#teatasting``): about a third of its posts, and no
    other account's. The count and share in the analysis period are measured.

13. ``brigade``: a subtler coordinated group, a reply brigade against Kettle Kings. 8 twitter
    accounts that look like anyone (years old, 40-840 followers, normal follow counts, no
    community) reply to six Kettle Kings tweets -- its first plain tweet (not a giveaway, not in
    the best slot) on or after 6 and 20 August, 3 and 17 September, 1 and 15 October -- each to
    five of the six, all replies to a tweet within two minutes of each other, 4-20 minutes after
    it, with near-identical complaints ("Terrible experience again: cold tea, rude staff and a
    long wait. Save your money 😡", one of two words in four places). The members, the targeted
    tweets and the 40 replies are listed. The brigade is drawn from its own random streams, so
    the rest of the world is drawn exactly as without it (only tweet ids shift, since they carry
    a sequence number); the targeted tweets' reply counts cover the brigade.

Truths 9-13 are chosen without random draws where they could be (which posts, which texts), so
truths 1-8 keep their planted effects; the new posts shift the later draws, and every number in
``truth.json`` is measured on what was written.

``counts`` has rows per platform and kind (post, reply, repost, quote), per-brand counts and the
languages of non-repost posts for each period. ``unsafe_text`` lists troll posts (every template
on both platforms in each period) carrying ``<script>alert(1)</script>``, ``<img src=x
onerror=alert(1)>`` or a leading ``=``/``+``/``-`` formula, and one account per platform with
such a display name.

Format notes for importers
--------------------------
- Tweet ``rawContent``/``renderedContent`` are HTML-escaped (``&amp;``, ``&lt;``, ``&gt;``), as
  Twitter's ``full_text`` is: unescape them. Links are ``https://t.co/...`` in ``rawContent``,
  expanded in ``links``; a photo or video tweet ends with its media's t.co link (not in
  ``links``); link tweets carry a ``SummaryCard``, polls a ``PollCard``.
- Retweets read ``RT @author: text``, nest the original in ``retweetedTweet`` and have zero
  counts and no ``viewCount`` of their own; quotes nest ``quotedTweet`` and link its permalink.
  Replies start with ``@parent`` and list the parent author first in ``mentionedUsers``.
- A Bluesky repost item is the original ``post`` plus ``reason`` (``by`` = the reposter, and
  the repost record's ``uri``/``cid``). Reply items carry ``reply.root``/``reply.parent`` post
  views. Mentions are facets with a DID whose byte span is ``@handle``. About 4% of records
  have no ``langs``. Nobody reposts the same post twice.

Modules
-------
``market`` (calendar, brands, communities, budgets), ``texts`` (lexicons and templates),
``draw`` (seeded randomness), ``accounts`` (accounts and profiles), ``plans`` (brand posts),
``posts`` (post kinds and posts in flight), ``simulate`` (``_World``: one period, event by event),
``content`` (what a post says), ``formats`` (snscrape and Bluesky JSON), ``profiles`` (the twarc2
profile lookup), ``truth`` (the planted truths, measured) and ``generator`` (``generate``: both
periods, the files, ``truth.json``).
"""

from .generator import DemoWorld, generate
from .generator import _generate as _generate  # the two-process path, driven directly by the tests
from .market import DEFAULT_POSTS, DEFAULT_SEED

__all__ = ["DEFAULT_SEED", "DEFAULT_POSTS", "DemoWorld", "generate"]
