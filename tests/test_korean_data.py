"""The bundled Korean corpus (data/korean.txt): a real Unicode text for notebooks 01 and 08."""
import collections
import unicodedata

import numpy as np

import rnnlib
from rnnlib import data


def hangul_syllables(text):
    """The precomposed Hangul syllables of a text (the block U+AC00..U+D7A3)."""
    return {c for c in text if 0xAC00 <= ord(c) <= 0xD7A3}


def test_korean_loads_as_a_few_thousand_characters_of_text():
    text = data.load("korean")
    assert isinstance(text, str)
    assert 4_000 <= len(text) <= 6_000
    assert text == data.load("korean")          # read the same way every time


def test_korean_is_nfc_so_each_syllable_is_one_character():
    """NFC keeps every syllable precomposed; NFD would split each into 2 or 3 jamo."""
    text = data.load("korean")
    assert unicodedata.normalize("NFC", text) == text
    decomposed = unicodedata.normalize("NFD", text)
    assert len(decomposed) > len(text)          # the NFD form really is different
    assert not any(0x1100 <= ord(c) <= 0x11FF for c in text)   # no loose conjoining jamo


def test_korean_has_several_hundred_distinct_characters_mostly_hangul():
    text = data.load("korean")
    vocab = rnnlib.Vocab.from_text(text)
    assert len(vocab) >= 300
    assert len(hangul_syllables(text)) >= 0.9 * len(vocab)
    # far more than an English text of the same length, which stays under 100
    assert len(vocab) > 3 * len(rnnlib.Vocab.from_text(data.load("python_docs")[:len(text)]))


def test_korean_has_the_structure_a_character_model_can_learn():
    """Dialogue in quotation marks, sentence endings, commas, digits and paragraphs."""
    text = data.load("korean")
    counts = collections.Counter(text)
    assert counts["“"] == counts["”"] >= 10     # every quotation is closed
    for mark in ".,?\n":
        assert counts[mark] >= 5, mark
    assert sum(counts[d] for d in "0123456789") >= 10
    assert text.count("다.") >= 20 and text.count("요.") >= 3
    assert "\n\n" in text


def test_vocab_round_trips_the_korean_text():
    text = data.load("korean")
    vocab = rnnlib.Vocab.from_text(text)
    ix = vocab.encode(text)
    assert ix.shape == (len(text),)
    assert vocab.decode(ix) == text
    x = vocab.one_hot(ix[:50])
    assert x.shape == (50, len(vocab), 1)
    np.testing.assert_array_equal(x.argmax(axis=1)[:, 0], ix[:50])
