"""The record parsers, on records shaped exactly as the tools write them (tests/fixtures/formats was
written by snscrape's and twscrape's own dataclasses; Mastodon and Telegram follow their docs)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import orjson
import pytest

from pipeline.collect.formats import (
    load_mapping,
    parse_message,
    parse_row,
    parse_snscrape,
    parse_status,
    parse_twscrape,
)
from pipeline.collect.formats.csv_mapped import parse_count
from pipeline.collect.formats.telegram_export import flatten_text, iter_messages
from pipeline.collect.text_utils import bounded_id, extract_hashtags, extract_mentions, html_to_text
from pipeline.config import ConfigError
from pipeline.schema import RecordError

FIX = Path(__file__).parent / "fixtures" / "formats"


def lines(name: str) -> list[dict]:
    return [orjson.loads(line) for line in (FIX / name).read_bytes().splitlines() if line.strip()]


# -- text helpers --------------------------------------------------------------------------------


def test_html_to_text_keeps_line_breaks_between_words():
    assert html_to_text("Coblos @calonA<br>Info") == "Coblos @calonA\nInfo"
    assert html_to_text("<p>satu</p><p>dua<br/>tiga</p>") == "satu\n\ndua\ntiga"  # paragraphs: blank line
    assert html_to_text("a &amp; b&nbsp;c <script>x()</script>") == "a & b c"
    assert html_to_text(None) == ""


def test_hashtags_and_mentions_come_without_their_sigils():
    text = "Ayo #BAYUMenang #01Menang #BAYUMenang @budi_guru88, cc @dewi@sosial.example. #2026"
    assert extract_hashtags(text) == ["BAYUMenang", "01Menang"]
    assert extract_mentions(text) == ["budi_guru88", "dewi@sosial.example"]
    assert extract_mentions("email me: a@b.com") == []


def test_bounded_id_keeps_long_ids_unique_within_the_column():
    a, b = bounded_id("x" * 150 + "a"), bounded_id("x" * 150 + "b")
    assert len(a) == 100 and a != b
    assert bounded_id("short") == "short"


# -- snscrape ------------------------------------------------------------------------------------


def test_snscrape_tweet_maps_every_field():
    tweet, retweet, reply = (parse_snscrape(r) for r in lines("snscrape_tweets.jsonl"))
    assert tweet.platform == "x"
    assert tweet.post_id == "1850000000000000001"
    assert tweet.created_at == datetime(2026, 10, 1, 1, 15)
    assert tweet.created_at.tzinfo is None
    assert tweet.text.startswith("Ayo coblos 01!")
    assert tweet.language == "in"
    assert tweet.author.handle == "budi_guru88"
    assert tweet.author.platform_id == "1501"
    assert tweet.author.display_name == "Budi Santoso, S.Pd"
    assert tweet.author.bio == "Guru SDN 2 Tanjung Sari | ASN Pemkab"
    assert tweet.author.followers == 312
    assert (tweet.metrics.replies, tweet.metrics.reposts, tweet.metrics.likes) == (4, 12, 57)
    assert (tweet.metrics.quotes, tweet.metrics.views) == (1, 2310)
    assert tweet.hashtags == ["BAYUMenang", "01Menang"]
    assert tweet.mentions == ["bambang_s"]
    assert tweet.links == ["https://example.org/visi"]
    assert retweet.repost_of_id == "1850000000000000001"
    assert reply.reply_to_id == "1850000000000000001"
    assert reply.quote_of_id == "1850000000000000001"


def test_snscrape_raw_drops_only_nulls_and_duplicate_aliases():
    record = lines("snscrape_tweets.jsonl")[0]
    raw = parse_snscrape(record).raw
    assert raw is not None
    assert "content" not in raw and "outlinks" not in raw  # repeats of rawContent / links
    assert "cashtags" not in raw  # null
    assert raw["rawContent"] == record["rawContent"]
    assert raw["links"] == record["links"]
    assert raw["user"]["rawDescription"] == record["user"]["rawDescription"]
    assert len(orjson.dumps(raw)) < len(orjson.dumps(record)) * 0.6


def test_snscrape_other_platforms():
    posts = [parse_snscrape(r) for r in lines("snscrape_mixed.jsonl")]
    by_platform = {}
    for p in posts:
        by_platform.setdefault(p.platform, []).append(p)
    assert set(by_platform) == {"telegram", "mastodon", "reddit", "facebook", "instagram"}

    tg, media_only = by_platform["telegram"]
    assert (tg.post_id, tg.author.handle) == ("infotanjungsari/812", "infotanjungsari")
    assert tg.hashtags == ["PilkadaTanjungSari"]
    assert tg.links == ["https://kpu-tanjungsari.example/debat"]
    assert media_only.text == ""

    toot, boost = by_platform["mastodon"]
    assert toot.post_id == "mastodon.example/@ratna_fans/113500000000000001"
    assert toot.author.handle == "ratna_fans@mastodon.example"
    assert toot.mentions == ["agus_salim@social.example"]
    assert toot.hashtags == ["RAGAPerubahan"]
    assert boost.author.handle == "dewi_pns@mastodon.example"
    assert boost.repost_of_id == toot.post_id
    assert boost.text == toot.text and boost.post_id != toot.post_id

    submission, comment = by_platform["reddit"]
    assert submission.post_id == "t3_1ab2cd"
    assert submission.text.startswith("Jalan rusak Tanjung Sari\n\nAda yg tau")
    assert comment.post_id == "t1_kx9z1" and comment.reply_to_id == "t3_1ab2cd"

    (fb,) = by_platform["facebook"]
    assert fb.post_id == "relawanhera/posts/1029384756"
    assert fb.author.handle == "relawanhera"
    assert fb.hashtags == ["HERAJilid2"]
    (ig,) = by_platform["instagram"]
    assert (ig.post_id, ig.author.handle, ig.metrics.likes) == ("CzX1aBcDeF", "bu.ratna.spd", 120)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "kemarin"}, "date"),
        ({"date": None}, "date"),
        ({"id": None}, "id"),
        ({"id": [1]}, "id"),
        ({"rawContent": None, "content": None}, "rawContent"),
        ({"likeCount": "banyak"}, "likeCount"),
        ({"user": "budi"}, "user"),
        ({"mentionedUsers": "budi"}, "mentionedUsers"),
        ({"_type": "snscrape.modules.weibo.Post"}, "_type"),
    ],
)
def test_snscrape_bad_fields_name_the_field(change, field):
    record = lines("snscrape_tweets.jsonl")[0] | change
    with pytest.raises(RecordError) as info:
        parse_snscrape(record)
    assert info.value.field == field


def test_snscrape_rejects_non_objects():
    with pytest.raises(RecordError):
        parse_snscrape([1, 2])  # type: ignore[arg-type]


# -- twscrape ------------------------------------------------------------------------------------


def test_twscrape_space_dates_and_user_refs():
    first, reply = (parse_twscrape(r) for r in lines("twscrape_tweets.jsonl"))
    assert lines("twscrape_tweets.jsonl")[0]["date"] == "2026-10-02 08:15:00+07:00"
    assert first.created_at == datetime(2026, 10, 2, 1, 15)  # converted to UTC
    assert first.author.display_name == "Sri Wahyuni, A.Md.Keb"
    assert first.mentions == ["hendra_wijaya"]
    assert first.hashtags == ["LanjutkanHendra"]
    assert first.metrics.views == 1200
    assert reply.reply_to_id == "1850000000000000101"


# -- Mastodon API --------------------------------------------------------------------------------


def test_mastodon_status():
    status, boost = orjson.loads((FIX / "mastodon_statuses.json").read_bytes())
    post = parse_status(status, instance="sosial.example")
    assert post.post_id == "sosial.example/@agus_harahap/113520000000000001"
    assert post.created_at == datetime(2026, 10, 7, 2, 30)
    assert post.text.startswith(
        "Salam perubahan! Dukung @ratna_fans\nInfo relawan: https://raga.example/daftar"
    )
    assert post.author.handle == "agus_harahap@sosial.example"
    assert post.author.display_name == "Agus H., S.T."
    assert (
        post.author.bio == "Staf Dinas PUPR Kab. Tanjung Sari\nopini pribadi\nInstansi: Pemkab Tanjung Sari"
    )
    assert post.mentions == ["ratna_fans@sosial.example"]
    assert post.hashtags == ["ragaperubahan", "03bisa"]
    assert post.links == ["https://raga.example/daftar"]
    assert (post.metrics.replies, post.metrics.reposts, post.metrics.likes) == (3, 7, 21)
    assert post.raw == status

    reblog = parse_status(boost, instance="sosial.example")
    assert reblog.author.handle == "dewi_k@lain.example"
    assert reblog.repost_of_id == post.post_id
    assert reblog.post_id.startswith("boost:dewi_k@lain.example:")


def test_mastodon_same_status_from_two_instances_is_one_post():
    status = orjson.loads((FIX / "mastodon_statuses.json").read_bytes())[0]
    elsewhere = status | {"id": "999", "account": status["account"] | {"acct": "agus_harahap@sosial.example"}}
    a, b = parse_status(status, "sosial.example"), parse_status(elsewhere, "lain.example")
    assert (a.post_id, a.author.handle) == (b.post_id, b.author.handle)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"created_at": "yesterday"}, "created_at"),
        ({"account": None}, "account"),
        ({"url": None, "uri": None, "id": None}, "url"),
        ({"favourites_count": "x"}, "favourites_count"),
        ({"reblog": {"created_at": "2026-10-07T02:30:00Z"}}, "reblog.account"),
    ],
)
def test_mastodon_bad_fields(change, field):
    status = orjson.loads((FIX / "mastodon_statuses.json").read_bytes())[0] | change
    with pytest.raises(RecordError) as info:
        parse_status(status)
    assert info.value.field == field


# -- Telegram Desktop export ---------------------------------------------------------------------


def test_telegram_export_messages():
    doc = orjson.loads((FIX / "telegram_result.json").read_bytes())
    pairs = list(iter_messages(doc))
    assert len(pairs) == 4
    chat, message = pairs[1]
    post = parse_message(message, chat)
    assert post.platform == "telegram"
    assert post.post_id == "1987654321/2"
    assert post.created_at == datetime(2026, 10, 8, 12, 5)  # date_unixtime, UTC (date is local time)
    assert post.text == (
        "Debat malam ini! Siapa paling siap? #PilkadaTanjungSari info: "
        "https://kpu-tanjungsari.example/debat\nCc @relawan_bayu"
    )
    assert post.hashtags == ["PilkadaTanjungSari"]
    assert post.mentions == ["relawan_bayu"]
    assert post.links == ["https://kpu-tanjungsari.example/debat"]
    assert post.metrics.likes == 17
    assert post.author.display_name == "Info Tanjung Sari"
    reply = parse_message(pairs[2][1], chat)
    assert reply.reply_to_id == "1987654321/2"
    with pytest.raises(RecordError) as info:
        parse_message(pairs[3][1], chat)
    assert info.value.field == "date_unixtime"
    named = parse_message(message, chat, channel="infotanjungsari")
    assert named.post_id == "infotanjungsari/2"  # what the live Telegram collector stores


def test_telegram_text_entities_flatten():
    assert flatten_text(["a ", {"type": "bold", "text": "b"}]) == ("a b", [{"type": "bold", "text": "b"}])
    with pytest.raises(RecordError):
        flatten_text(42)


# -- CSV with a mapping --------------------------------------------------------------------------


def test_csv_row_with_mapping():
    mapping = load_mapping(FIX / "tiktok.mapping.yaml")
    row = {
        "video_id": "7430000000000000001", "author_username": "@bu.ratna.spd",
        "author_nickname": "Ratna W., S.Pd",
        "create_time": "2026-10-09 18:30:00", "description": "Ngajar #guruhebat @kepsek_sdn2",
        "play_count": "12.3K", "digg_count": "1,204", "comment_count": "88", "share_count": "",
    }  # fmt: skip
    post = parse_row(row, mapping)
    assert post.platform == "tiktok"
    assert post.created_at == datetime(2026, 10, 9, 11, 30)  # Asia/Jakarta -> UTC
    assert post.author.handle == "bu.ratna.spd"
    assert (post.metrics.views, post.metrics.likes, post.metrics.replies) == (12300, 1204, 88)
    assert post.metrics.reposts is None
    assert post.hashtags == ["guruhebat"] and post.mentions == ["kepsek_sdn2"]
    assert post.url == "https://www.tiktok.com/@bu.ratna.spd/video/7430000000000000001"
    with pytest.raises(RecordError) as info:
        parse_row(row | {"digg_count": "banyak"}, mapping)
    assert info.value.field == "digg_count"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1234", 1234), ("1.234", 1234), ("3,4 rb", 3400), ("2jt", 2_000_000), ("", None), ("1.5M", 1_500_000)],
)
def test_parse_count(value, expected):
    assert parse_count(value, "n") == expected


@pytest.mark.parametrize(
    ("yaml_text", "key"),
    [
        ("platform: myspace\ncolumns: {post_id: a, text: b, created_at: c}\n", "platform"),
        ("platform: tiktok\ncolumns: {post_id: a, text: b}\n", "columns.created_at"),
        ("platform: tiktok\ncolumns: {post_id: a, text: b, created_at: c, likez: d}\n", "columns.likez"),
        (
            "platform: tiktok\ntimezone: Mars/Base\ncolumns: {post_id: a, text: b, created_at: c}\n",
            "timezone",
        ),
    ],
)
def test_bad_mapping_is_a_config_error_naming_the_key(tmp_path, yaml_text, key):
    path = tmp_path / "m.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError) as info:
        load_mapping(path)
    assert info.value.key == key
    assert str(path) in str(info.value)


def test_shipped_mappings_load():
    for name in ("facebook", "instagram", "tiktok"):
        assert load_mapping(name).platform == name
