import numpy as np
import pytest

from rnnlib import Vocab


def test_vocabulary_is_the_sorted_distinct_characters():
    v = Vocab.from_text("hello")
    assert v.chars == ["e", "h", "l", "o"] and len(v) == 4
    assert Vocab.from_text("olleh") == v        # order of the text does not matter


def test_encode_decode_round_trip_with_korean():
    text = "한국어 텍스트도 됩니다. abc"
    v = Vocab.from_text(text)
    ix = v.encode(text)
    assert ix.shape == (len(text),) and ix.dtype.kind == "i"
    assert v.decode(ix) == text
    assert v.decode(ix.tolist()) == text
    # code-point order: ASCII before Hangul
    assert v.chars[0] == " " and v.chars[-1] > "z"


def test_encode_gives_the_position_in_the_sorted_list():
    v = Vocab.from_text("hello")
    assert v.encode("hole").tolist() == [1, 3, 2, 0]


def test_unknown_character_is_named_with_its_position():
    v = Vocab.from_text("hello")
    with pytest.raises(ValueError, match=r"character 'x' \(U\+0078\) at position 2"):
        v.encode("hex")
    with pytest.raises(ValueError, match=r"'한' \(U\+D55C\)"):
        v.encode("한")


def test_one_hot_puts_a_single_one_in_each_column():
    v = Vocab.from_text("abcd")
    x = v.one_hot(np.array([[0, 3], [2, 2], [1, 0]]))          # (T, N) = (3, 2)
    assert x.shape == (3, 4, 2)
    np.testing.assert_array_equal(x.sum(axis=1), 1)
    assert x[0, 0, 0] == 1 and x[0, 3, 1] == 1 and x[2, 1, 0] == 1
    assert v.one_hot(v.encode("ab")).shape == (2, 4, 1)
    np.testing.assert_array_equal(v.one_hot(2)[:, 0], [0, 0, 1, 0])


@pytest.mark.parametrize("text, err, msg", [
    ("", ValueError, "text is empty"),
    (b"hello", TypeError, "text must be a str, got bytes"),
])
def test_bad_text_is_a_clear_error(text, err, msg):
    with pytest.raises(err, match=msg):
        Vocab.from_text(text)


def test_bad_indices_name_the_value():
    v = Vocab.from_text("abc")
    with pytest.raises(ValueError, match=r"index 3 is outside the vocabulary.*0..2"):
        v.decode([0, 3])
    with pytest.raises(ValueError, match=r"index -1 is outside"):
        v.one_hot([-1])
    with pytest.raises(TypeError, match="integer indices, got dtype float64"):
        v.one_hot(np.array([0.5]))


def test_chars_must_be_single_and_distinct():
    with pytest.raises(ValueError, match="one character, got 'ab'"):
        Vocab(["ab", "c"])
    with pytest.raises(ValueError, match="distinct"):
        Vocab("aab")
    with pytest.raises(ValueError, match="at least one character"):
        Vocab([])


def test_one_hot_is_the_functional_builder_after_the_checks():
    """Vocab.one_hot gives exactly rnnlib.functional.one_hot's columns, in the dtype asked
    for, for signed and unsigned indices alike."""
    from rnnlib.functional import one_hot
    v = Vocab.from_text("abcde")
    ixs = np.random.default_rng(0).integers(0, len(v), size=(6, 3))     # (T, N)
    for dtype in (np.float64, np.float32):
        x = v.one_hot(ixs.astype(np.uint8), dtype=dtype)
        assert x.dtype == dtype and x.shape == (6, 5, 3)
        np.testing.assert_array_equal(x, one_hot(ixs, len(v), dtype))
    np.testing.assert_array_equal(v.one_hot(ixs[:, 0]), one_hot(ixs[:, :1], len(v)))
