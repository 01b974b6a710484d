"""Notebook 01: the one-hot explorer, driven without a browser."""
import unicodedata

import numpy as np
import pytest

import rnnlib
from rnnlib.widgets.encoding import OneHotExplorer


def test_typing_a_text_shows_its_sorted_vocabulary_and_one_hot_matrix():
    w = OneHotExplorer()
    w.text_box.value = "banana"
    assert w.vocab.chars == ["a", "b", "n"] and w.V == 3 and w.T == 6
    assert w.ixs.tolist() == [1, 0, 2, 0, 2, 0]           # b a n a n a, counted by hand
    assert w.x.shape == (6, 3, 1)
    np.testing.assert_array_equal(w.x[:, :, 0], np.eye(3)[[1, 0, 2, 0, 2, 0]])
    assert "V = 3" in w.info.value and "T = 6" in w.info.value
    assert "[1 0 2 0 2 0]" in w.info.value


@pytest.mark.parametrize("text", ["hello world", "안녕하세요, 반가워요!", "RNN은 재미있다 123"])
def test_the_matrix_is_the_library_one_hot_of_the_typed_text(text):
    w = OneHotExplorer(text="x")
    w.text_box.value = text
    v = rnnlib.Vocab.from_text(text)
    assert w.vocab == v
    np.testing.assert_array_equal(w.x, v.one_hot(v.encode(text)))
    assert w.x.sum() == len(text)                          # one 1 per column
    assert v.decode(w.ixs) == text


def test_each_hangul_syllable_is_one_column_in_nfc_and_two_or_three_in_nfd():
    """'한' is U+D55C; decomposed it is U+1112 U+1161 U+11AB (initial, vowel, final)."""
    w = OneHotExplorer(text="한")
    assert w.T == 1 and w.vocab.chars == ["\ud55c"]
    w.form_buttons.value = "NFD"
    assert w.text == "\u1112\u1161\u11ab"
    assert w.T == 3 and w.V == 3
    np.testing.assert_array_equal(w.x[:, :, 0], np.eye(3))   # three different jamo, sorted
    assert "NFC the same text would have T = 1 and V = 1" in w.info.value
    # shown as readable letters marked by their place: initial, vowel, final
    for label in ("ㅎ-", "ㅏ", "-ㄴ"):
        assert f">{label}<" in w.info.value


def test_decomposed_input_is_flagged_as_typed_and_recomposed_by_nfc():
    decomposed = unicodedata.normalize("NFD", "한국어")
    w = OneHotExplorer(text=decomposed)
    assert w.T == 8 and "not NFC" in w.info.value
    w.form_buttons.value = "NFC"
    assert w.text == "한국어" and w.T == 3 and w.V == 3


def test_the_encode_button_reencodes_the_current_text():
    w = OneHotExplorer(text="ab")
    w.text_box.value = "abc"
    w.x = None                                             # forget, then ask again
    w.button.click()
    assert w.x.shape == (3, 3, 1)


def test_an_empty_text_asks_for_one_and_keeps_nothing():
    w = OneHotExplorer()
    w.text_box.value = ""
    assert w.error is not None and "at least one character" in w.info.value
    assert w.x is None and w.T == 0


def test_a_long_text_is_encoded_in_full():
    text = rnnlib.data.load("korean")[:200]
    w = OneHotExplorer(text=text)
    assert w.x.shape == (200, len(set(text)), 1)
    assert "…" in w.info.value                              # only the start is listed


def test_an_unknown_form_is_explained():
    with pytest.raises(ValueError, match="form must be one of"):
        OneHotExplorer(form="NFKC")
