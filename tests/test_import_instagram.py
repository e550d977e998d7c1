"""Instaloader metadata files: posts (.json and .json.xz), their comments files, profiles."""

from __future__ import annotations

import shutil

from research.cli import main
from research.sources import detect_format
from research.store import Store
from tests.golden import FIXTURES, assert_golden, normalise_file

FOLDER = FIXTURES / "instagram"
POST = FOLDER / "2026-09-23_08-00-00_UTC.json"
COMMENTS = FOLDER / "2026-09-23_08-00-00_UTC_comments.json"
VIDEO = FOLDER / "2026-09-26_08-00-00_UTC.json.xz"
PROFILE = FOLDER / "chaiandco.pune_4561237890.json.xz"
FILES = [POST, COMMENTS, VIDEO, PROFILE]


def golden(path):
    name = path.name.removesuffix(".xz").removesuffix(".json")
    return assert_golden(normalise_file("instaloader-json", path), FOLDER / f"{name}.expected.json")


def test_golden_files():
    for path in FILES:
        golden(path)


def test_a_post_and_its_comments():
    post = normalise_file("instaloader-json", POST)["posts"][0]
    assert (post["post_id"], post["author_handle"], post["likes"], post["replies"], post["media_type"]) == (
        "3452100000000000001", "chaiandco.pune", 412, 3, "photo",
    )  # fmt: skip
    assert post["url"] == "https://www.instagram.com/p/DAbC1234xyz/" and post["hashtags"] == [
        "chai",
        "punefood",
    ]
    comments = {p["post_id"]: p for p in normalise_file("instaloader-json", COMMENTS)["posts"]}
    assert {
        k: (p["reply_to_post_id"], p["reply_to_author_id"], p["author_handle"]) for k, p in comments.items()
    } == {
        "17990000000000001": ("3452100000000000001", "4561237890", "anya.k"),
        "17990000000000002": ("17990000000000001", "7770001", "chaiandco.pune"),
        "17990000000000003": ("3452100000000000001", "4561237890", "dima_o"),
    }
    video = normalise_file("instaloader-json", VIDEO)["posts"][0]
    assert (video["media_type"], video["views"], video["likes"]) == ("video", 5230, 188)


def test_every_file_is_recognised():
    assert {detect_format(p).name for p in FILES} == {"instaloader-json"}


def test_a_comments_file_without_its_post_is_refused(tmp_path):
    lonely = tmp_path / COMMENTS.name
    shutil.copy(COMMENTS, lonely)
    result = normalise_file("instaloader-json", lonely)
    assert result["records"] == 0
    assert result["rejected"][0]["reason"].startswith("a comments file without its post file beside it")


def test_a_folder_imports_with_a_shell_glob(tmp_path, capsys):
    folder = tmp_path / "chaiandco.pune"
    shutil.copytree(FOLDER, folder, ignore=shutil.ignore_patterns("*.expected.json"))
    (folder / "id").write_text("4561237890")
    paths = sorted(
        str(p) for p in [*folder.glob("*.json.xz"), *folder.glob("*.json")]
    )  # what the shell expands
    status = main(["import", "--client", "chai", "--workspace", str(tmp_path), *paths])
    out = capsys.readouterr().out
    assert status == 0 and out.count("recognised as instaloader-json") == 4
    store = Store(tmp_path, "chai")
    posts, accounts = store.posts(), store.accounts().set_index("account_id")
    assert sorted(posts["post_id"]) == sorted(
        [
            "3452100000000000001",
            "3452100000000000002",
            "17990000000000001",
            "17990000000000002",
            "17990000000000003",
        ]
    )
    assert accounts.loc["4561237890", ["handle", "followers", "verified"]].tolist() == [
        "chaiandco.pune",
        12800,
        True,
    ]
    assert len(accounts) == 3


def test_one_bad_file_in_a_glob_does_not_stop_the_others(tmp_path, capsys):
    bad = tmp_path / "notes.json"
    bad.write_text("{not json")
    status = main(["import", "--client", "chai", "--workspace", str(tmp_path), str(bad), str(POST)])
    captured = capsys.readouterr()
    assert status == 2 and "recognised as instaloader-json" in captured.out
    assert f"research: error: {bad}:" in captured.err and "1 of 2 files could not be imported" in captured.err
