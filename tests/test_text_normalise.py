"""Normalisation of informal Indonesian: placeholders, emoji, hashtags, elongation, slang lexicons."""

from __future__ import annotations

import pytest

from pipeline.text import NormaliseOptions, TextNormaliser, normalise, spacy_id
from pipeline.text.lexicon import LexiconError, load_lexicon
from pipeline.text.normalise import split_hashtag


def test_spacy_tokenizer_is_built_once_per_process():
    assert spacy_id() is spacy_id()
    assert spacy_id().lang == "id"


def test_mentions_and_links_become_placeholders():
    out = normalise("cek @budi_99 dan https://t.co/xyz atau www.kpu.go.id ya")
    assert out == "cek @user dan http atau http ya"


def test_placeholders_can_be_switched_off():
    out = normalise("cek @budi_99", NormaliseOptions(placeholders=False))
    assert "@budi_99" in out


def test_emoji_become_indonesian_words_and_variation_selectors_vanish():
    out = normalise("mantap 💪 salam dua jari ✌️")
    assert "lengan berotot" in out
    assert "isyarat kemenangan" in out
    assert "\ufe0f" not in out
    assert normalise("mantap 💪", NormaliseOptions(emoji=False)) == "mantap 💪"


@pytest.mark.parametrize(
    ("tag", "words"),
    [
        ("#LanjutkanHendra", "lanjutkan hendra"),
        ("#02Lanjutkan", "02 lanjutkan"),
        ("#HERAJilid2", "hera jilid 2"),
        ("#golput", "golput"),
    ],
)
def test_hashtags_split_on_case_and_digits(tag, words):
    assert split_hashtag(tag) == words
    assert normalise(f"ayo {tag}") == f"ayo {words}"


def test_elongation_squeezes_repeated_letters_but_not_numbers():
    assert normalise("kereeen bangettt 2000") == "keren banget 2000"


def test_slang_lexicon_rewrites_words_but_never_stance_cues():
    opts = NormaliseOptions(slang="indonlp")
    out = TextNormaliser(opts)("yg milih paslon 01 gk bakal nyesel")
    assert out.startswith("yang memilih paslon 01 enggak")
    lex = load_lexicon("indonlp")
    for protected in ("no", "coblos", "paslon", "pak"):
        assert protected not in lex


def test_unknown_lexicon_is_a_clear_error():
    with pytest.raises(LexiconError, match="unknown slang lexicon"):
        load_lexicon("nope")


def test_transform_matches_one_by_one_and_handles_empty_text():
    texts = ["Halo @a https://x.y 💪", "", None, "#CobaLagi"]
    n = TextNormaliser()
    assert n.transform(texts) == [n(t) for t in texts]
    assert n("") == ""


def test_lowercase_option():
    assert normalise("Pak Hendra", NormaliseOptions(lowercase=True)) == "pak hendra"
