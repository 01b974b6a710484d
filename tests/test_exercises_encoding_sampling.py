"""Exercise checks of notebooks 00, 01 and 07: right answers pass, and each usual mistake
gets a message that names it."""
import numpy as np
import pytest

import rnnlib
from rnnlib.exercises.encoding import check_next_char, check_one_hot


# ---- notebook 00: inputs and targets of "hello" ------------------------------------

def test_next_char_accepts_hell_and_ello_as_strings_or_lists():
    assert check_next_char("hell", "ello")
    assert check_next_char(list("hell"), list("ello"))
    assert check_next_char("abc", "bcd", text="abcd")


@pytest.mark.parametrize("inputs, targets, words", [
    (None, None, "None"),
    ("hell", None, "targets still None"),
    ("ello", "hell", "swapped"),
    ("hello", "ello", "nothing comes after"),
    ("hell", "hell", "NEXT"),
    ("hell", "hello", "one target per input"),
    ("hell", "elo", "one target per input"),
    ("hell", "eloo", "t = 3"),
    ("hell", 4, "should be a string"),
])
def test_next_char_names_the_mistake(inputs, targets, words):
    fb = check_next_char(inputs, targets)
    assert not fb
    assert words in fb.message


# ---- notebook 01: a one-hot array by hand ------------------------------------------

def hand_one_hot(text):
    """Built with dicts and loops, independent of Vocab.one_hot."""
    chars = sorted(set(text))
    x = np.zeros((len(text), len(chars), 1))
    for t, ch in enumerate(text):
        x[t, chars.index(ch), 0] = 1
    return x


@pytest.mark.parametrize("text", ["hello", "안녕, 안녕!", "abcabc"])
def test_one_hot_accepts_a_hand_built_array(text):
    assert check_one_hot(hand_one_hot(text), text)


def test_one_hot_accepts_nested_lists_too():
    assert check_one_hot(hand_one_hot("hi").tolist(), "hi")


@pytest.mark.parametrize("make, words", [
    (lambda x: None, "None"),
    (lambda x: x[:, :, 0], "batch axis"),
    (lambda x: x[:, :, 0].T, "time should come first"),
    (lambda x: x.transpose(2, 0, 1), "batch-first"),
    (lambda x: x[:3], "expected (T, V, 1)"),
    (lambda x: 2 * x, "only 0s and 1s"),
    (lambda x: x + np.roll(x, 1, axis=1), "exactly one 1"),
    (lambda x: x * 0, "exactly one 1"),
    (lambda x: np.roll(x, 1, axis=1), "one row away"),
    (lambda x: "abc", "numbers"),
])
def test_one_hot_names_the_mistake(make, words):
    fb = check_one_hot(make(hand_one_hot("hello")), "hello")
    assert not fb
    assert words in fb.message


def test_one_hot_recognises_numbering_by_first_appearance():
    """'hello' numbered as it is read (h=0, e=1, l=2, o=3) instead of sorted (e, h, l, o)."""
    x = np.zeros((5, 4, 1))
    for t, ix in enumerate([0, 1, 2, 2, 3]):
        x[t, ix, 0] = 1
    fb = check_one_hot(x, "hello")
    assert not fb and "first appear" in fb.message and "'ehlo'" in fb.message


def test_one_hot_points_at_the_first_wrong_step():
    x = hand_one_hot("hello")
    x[4] = 0
    x[4, 1, 0] = 1                       # 'o' marked as 'h'
    fb = check_one_hot(x, "hello")
    assert not fb and "t = 4" in fb.message and "index 3" in fb.message


def test_one_hot_uses_a_given_vocabulary():
    vocab = rnnlib.Vocab("olhe")          # a vocabulary in another order
    x = np.zeros((2, 4, 1))
    x[0, 2, 0] = x[1, 3, 0] = 1          # 'h' is 2 and 'e' is 3 in it
    assert check_one_hot(x, "he", vocab)
    assert not check_one_hot(hand_one_hot("he"), "he", vocab)
