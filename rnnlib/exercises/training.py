"""Checks for the exercises of notebook 08 (training on real text).

``check_chunks_per_pass(fn)``: how many chunks of ``seq_length`` characters one pass over
a text of ``n_chars`` characters takes, with min-char-rnn's wrap rule (start again at 0
when ``p + seq_length + 1 >= n_chars``). The check walks the pointer itself and compares,
on texts whose lengths sit at the edges of the rule.
"""
from __future__ import annotations

import math
from collections.abc import Callable

from .feedback import Feedback, call_learner

# (n_chars, seq_length): the edges of the rule (a chunk that would fit exactly, one
# character short, one over) and the sizes of the notebook's corpora
_CASES = ((39, 8), (52, 25), (50, 25), (51, 25), (27, 25), (1000, 25), (465048, 25),
          (4477, 25), (101, 10))


def walk_pointer(n_chars: int, seq_length: int) -> int:
    """Count chunks the way the training loop takes them: p = 0, T, 2T, ... until the
    chunk plus its one-character-ahead target would reach the end of the text."""
    p, count = 0, 0
    while p + seq_length + 1 < n_chars:
        count += 1
        p += seq_length
    return count


def check_chunks_per_pass(chunks_per_pass: Callable[[int, int], int]) -> Feedback:
    """Check ``chunks_per_pass(n_chars, seq_length) -> int`` against the pointer walk."""
    for L, T in _CASES:
        number, problem, _ = call_learner(chunks_per_pass, L, T,
                                          name=f"chunks_per_pass({L}, {T})",
                                          returns="a whole number", kind="number")
        if problem is not None:
            return problem
        expected = walk_pointer(L, T)
        if number == expected:
            continue
        got = int(number) if number == int(number) else number
        where = f"For a text of {L} characters and seq_length {T}, you have {got}; " \
                f"the loop takes {expected}."
        if got == (L - 1) // T:
            why = (" Close: the rule is p + T + 1 >= L (>=, not >), so a chunk whose last "
                   "target would be exactly the last character is skipped too.")
        elif got == L // T:
            why = (" L // T counts chunks of T inputs, but each chunk also needs the "
                   "character after it as its last target, and the loop wraps as soon as "
                   "p + T + 1 >= L.")
        elif got == math.ceil(L / T):
            why = " A partial chunk at the end is never used: the loop only takes full ones."
        else:
            why = " Walk it by hand: chunks start at p = 0, T, 2T, ... while p + T + 1 < L."
        return Feedback(False, where + why)
    return Feedback(True, "right for every text length tried, including the edge cases "
                          "where a chunk would just fit.")
