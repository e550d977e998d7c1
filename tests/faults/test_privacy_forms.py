"""With ``pseudonymize_audience``, no audience handle survives in any form a text can spell it.

``.@handle``, ``/@handle``, a full-width ``＠handle``, and profile or post URLs (twitter.com,
x.com, bsky.app/profile, t.me) in texts and in the ``urls`` column, which reach the brief,
the tables, graph.html and the notebooks. Brands keep their names.
"""

from __future__ import annotations

import pytest

from research.brands import Brand
from research.schema import posts_frame
from research.store.privacy import pseudonym, pseudonymize_posts

SALT = bytes(range(32))
BRANDS = [Brand("Chai & Co", "client", (("twitter", "chaiandco"), ("bluesky", "chaiandco.bsky.social")))]
FORMS = {
    "plain": "hi @annfan",
    "dot reply": ".@annfan you are right",
    "slash": "see mastodon.social/@annfan/1234",
    "full-width": "thanks ＠annfan",
    "small at": "thanks ﹫annfan",
    "twitter.com status": "https://twitter.com/annfan/status/1500000000000000001",
    "x.com profile": "x.com/AnnFan",
    "mobile twitter": "https://mobile.twitter.com/annfan",
    "bsky profile": "https://bsky.app/profile/annfan.bsky.social/post/3kabc",
    "bsky did": "https://bsky.app/profile/did:plc:annfan0000/post/3kabc",
    "t.me channel": "join https://t.me/annfan_chat",
    "t.me preview": "t.me/s/annfan_chat/12",
    "instagram": "instagram.com/annfan",
    "reddit": "reddit.com/u/annfan",
}
SECRETS = ("annfan", "did:plc:annfan0000")


def post(text: str, urls=()) -> dict:
    return {"platform": "twitter", "post_id": "1", "author_id": "7", "author_handle": "bobfan",
            "text": text, "urls": list(urls), "mentions": []}  # fmt: skip


@pytest.mark.parametrize("form", list(FORMS))
def test_no_audience_handle_survives_in_text_or_urls(form):
    text = FORMS[form]
    out = pseudonymize_posts(posts_frame([post(text, [text])]), BRANDS, SALT)
    shown = out.loc[0, "text"] + " " + " ".join(out.loc[0, "urls"])
    assert not any(s in shown.lower() for s in SECRETS), shown
    assert "user-" in out.loc[0, "text"]


def test_the_pseudonym_in_a_url_is_the_accounts_own():
    out = pseudonymize_posts(
        posts_frame([post("https://twitter.com/annfan/status/1 and @AnnFan")]), BRANDS, SALT
    )
    name = pseudonym("twitter", "annfan", SALT)
    assert out.loc[0, "text"] == f"https://twitter.com/{name}/status/1 and @{name}"


def test_brands_and_what_is_not_a_handle_keep_their_text():
    kept = [
        "@chaiandco thanks",
        "https://x.com/chaiandco/status/5",
        "https://bsky.app/profile/chaiandco.bsky.social",
        "write to ann@example.com",
        "https://x.com/i/web/status/5",
        "https://twitter.com/search?q=chai",
        "https://t.me/joinchat/AAAA",
    ]
    out = pseudonymize_posts(
        posts_frame([post(t) | {"post_id": str(i)} for i, t in enumerate(kept)]), BRANDS, SALT
    )
    assert out["text"].tolist() == kept
