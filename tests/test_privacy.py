"""Pseudonymised audience: stable, salted, everywhere, brands untouched, salt never written."""

from __future__ import annotations

import os
import re
import stat

import networkx as nx
import pandas as pd
import pytest

from research.analyses.graph import interaction_graph
from research.analyses.graph.communities import detect_communities, set_communities
from research.brief.graph_export import edge_table, write_gexf
from research.brief.graph_view import graph_html
from research.errors import InputError
from research.schema import accounts_frame, posts_frame
from research.store.privacy import (
    client_salt,
    pseudonym,
    pseudonymize_accounts,
    pseudonymize_graph,
    pseudonymize_posts,
)
from tests.test_graph import BRANDS, planted_world

SALT = bytes(range(32))
PSEUDONYM = re.compile(r"^user-[0-9a-f]{12}$")


def small_world():
    posts = posts_frame(
        [
            {"platform": "twitter", "post_id": "1", "author_id": "100", "author_handle": "brewbros",
             "author_name": "Brew Bros", "text": "New blend today", "url": "https://twitter.com/brewbros/status/1"},
            {"platform": "twitter", "post_id": "2", "author_id": "7", "author_handle": "ann", "author_name": "Ann Real",
             "text": "@brewbros love it, ask @Bob_1 too (mail ann@example.com)", "mentions": ["brewbros", "bob_1"],
             "reply_to_post_id": "1", "reply_to_author_id": "100", "url": "https://twitter.com/ann/status/2"},
            {"platform": "twitter", "post_id": "3", "author_id": "8", "author_handle": "bob_1", "author_name": "Bob",
             "text": "RT @ann: @brewbros love it", "repost_of_post_id": "2", "repost_of_author_id": "7"},
            {"platform": "twitter", "post_id": "4", "author_id": "8", "author_handle": "bob_1",
             "text": "quoting", "quote_of_post_id": "9", "quote_of_author_id": "55"},
        ]
    )  # fmt: skip
    accounts = accounts_frame(
        [
            {"platform": "twitter", "account_id": "7", "handle": "ann", "name": "Ann Real", "location": "Pune",
             "description": "I love chai", "followers": 12},
            {"platform": "twitter", "account_id": "100", "handle": "brewbros", "name": "Brew Bros",
             "description": "Tea shop", "location": "Mumbai"},
            {"platform": "twitter", "account_id": "55", "handle": "carol"},
        ]
    )  # fmt: skip
    return posts, accounts


def test_client_salt_is_created_once_private_and_per_client(tmp_path):
    first = client_salt(tmp_path, "demo")
    assert len(first) == 32 and client_salt(tmp_path, "demo") == first
    assert client_salt(tmp_path, "acme") != first
    path = tmp_path / "private" / "demo.salt"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(InputError, match="slug"):
        client_salt(tmp_path, "../escape")
    path.write_text("not hex\n")
    with pytest.raises(InputError, match="damaged"):
        client_salt(tmp_path, "demo")


def test_pseudonyms_are_stable_salted_and_kind_separated():
    p = pseudonym("twitter", "Ann", SALT)
    assert PSEUDONYM.match(p) and p == pseudonym("twitter", "@ann", SALT)
    assert p != pseudonym("twitter", "ann", bytes(32)) and p != pseudonym("bluesky", "ann", SALT)
    assert pseudonym("twitter", "ann", SALT, kind="id") != p
    assert pseudonym("twitter", "1", SALT, kind="post").startswith("post-")


def test_posts_lose_every_audience_identity_and_keep_brands():
    posts, accounts = small_world()
    out = pseudonymize_posts(posts, BRANDS, SALT, accounts=accounts)
    cells = " ".join(map(str, out.astype(str).to_numpy().ravel()))
    for secret in ("ann", "Ann Real", "bob_1", "Bob_1", "twitter.com/ann", "\u0027Bob\u0027"):
        assert secret not in cells.replace("ann@example.com", ""), secret
    assert "ann@example.com" in out.loc[1, "text"]  # an e-mail address is not a mention
    ann, bob = pseudonym("twitter", "ann", SALT), pseudonym("twitter", "bob_1", SALT)
    assert out["author_handle"].tolist() == ["brewbros", ann, bob, bob]
    assert out.loc[0, "author_name"] == "Brew Bros" and out.loc[1, "author_name"] == ann
    assert out.loc[0, "url"] == posts.loc[0, "url"] and pd.isna(out.loc[1, "url"])
    assert out.loc[1, "mentions"] == ["brewbros", bob]
    assert out.loc[1, "text"].startswith(f"@brewbros love it, ask @{bob} too")
    assert out.loc[2, "text"] == f"RT @{ann}: @brewbros love it"
    # the brand's ids stay; audience ids and references change together
    assert out.loc[0, "author_id"] == "100" and out.loc[1, "reply_to_author_id"] == "100"
    assert out.loc[0, "post_id"] == "1" and out.loc[1, "reply_to_post_id"] == "1"
    ann_id, ann_post = (
        pseudonym("twitter", "7", SALT, kind="id"),
        pseudonym("twitter", "2", SALT, kind="post"),
    )
    assert out.loc[2, "repost_of_author_id"] == out.loc[1, "author_id"] == ann_id
    assert out.loc[2, "repost_of_post_id"] == out.loc[1, "post_id"] == ann_post
    assert posts.loc[1, "author_handle"] == "ann"  # the input is untouched


def test_accounts_drop_free_text_and_pseudonymise_names():
    posts, accounts = small_world()
    out = pseudonymize_accounts(accounts, BRANDS, SALT, posts=posts)
    ann, carol = pseudonym("twitter", "ann", SALT), pseudonym("twitter", "carol", SALT)
    assert out["handle"].tolist() == [ann, "brewbros", carol]
    assert out.loc[0, "name"] == out.loc[0, "handle"] and pd.isna(out.loc[0, "location"])
    assert pd.isna(out.loc[0, "description"]) and out.loc[0, "followers"] == 12
    assert out.loc[1, ["name", "description", "location"]].tolist() == ["Brew Bros", "Tea shop", "Mumbai"]
    assert out.loc[1, "account_id"] == "100"


def assert_same_graph(A: nx.DiGraph, B: nx.DiGraph) -> None:
    assert sorted(A.nodes(data=True)) == sorted(B.nodes(data=True))
    assert sorted(A.edges(data=True)) == sorted(B.edges(data=True))


def test_graph_from_pseudonymised_posts_equals_pseudonymised_graph():
    posts, accounts = small_world()
    direct = pseudonymize_graph(interaction_graph(posts, accounts, BRANDS), SALT)
    via_posts = interaction_graph(
        pseudonymize_posts(posts, BRANDS, SALT, accounts=accounts),
        pseudonymize_accounts(accounts, BRANDS, SALT, posts=posts),
        BRANDS,
    )
    assert_same_graph(direct, via_posts)
    assert "twitter:brewbros" in direct and f"twitter:{pseudonym('twitter', 'carol', SALT)}" in direct
    # an account known only by id stays keyed by id, pseudonymised
    lonely = posts_frame([{"platform": "twitter", "post_id": "5", "author_id": "8", "author_handle": "bob_1",
                           "reply_to_author_id": "999"}])  # fmt: skip
    G = pseudonymize_graph(interaction_graph(lonely), SALT)
    assert f"twitter:id:{pseudonym('twitter', '999', SALT, kind='id')}" in G
    assert_same_graph(G, interaction_graph(pseudonymize_posts(lonely, [], SALT)))


def test_outputs_carry_pseudonyms_and_never_the_salt(tmp_path):
    posts, _ = planted_world()
    salt = client_salt(tmp_path, "demo")
    G = pseudonymize_graph(interaction_graph(posts, brands=BRANDS), salt)
    set_communities(G, detect_communities(G))
    gexf = write_gexf(G, tmp_path / "g.gexf").read_text(encoding="utf-8")
    page = graph_html(G)
    csv = edge_table(G).to_csv(index=False)
    for text in (gexf, page, csv):
        assert salt.hex() not in text and "tea00" not in text and "coffee07" not in text
        assert "brewbros" in text and "user-" in text
    labels = [d["label"] for _, d in G.nodes(data=True) if not d["is_brand"]]
    assert all(PSEUDONYM.match(label) for label in labels)
