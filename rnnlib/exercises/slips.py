"""The slips learners make in min-char-rnn's backward loop: one table that every check uses.

A slip is one line of the backward loop written wrong. ``SLIPS[name]`` gives

- ``line``: the right line of :func:`rnnlib.reference.lossfun` (min-char-rnn's spelling,
  ``np.dot``, ``dhnext``, ``dhraw``), and ``planted``: what the slip writes there instead.
  ``rnnlib.reference.lossfun(..., slip=name)`` runs the reference loop with that one line
  replaced, so the table's line is exactly what runs;
- ``wrote`` and ``right``: the same two lines as notebook 04 writes them (``@``,
  ``dh_next``, ``dh_raw``), for the messages;
- ``why``: the sentence a check shows when a learner's gradients match the slip;
- ``breaks``: the parameters whose gradient it spoils, on a sequence of two or more steps
  with weights large enough for every path to count (about 0.5).

Notebook 04's ``check_backward`` names the slip a learner's backward pass matches, and
notebook 05's mystery models (:mod:`rnnlib.exercises.planted_bug`) have one planted.

Shapes (min-char-rnn, one sequence): V vocabulary, H hidden, T steps; dy (V, 1), dh,
dh_raw and dh_next (H, 1).
"""
from __future__ import annotations

import re
from typing import NamedTuple

_DOT = re.compile(r"np\.dot\(([^,()]+), ([^()]+)\)")


def as_notebook_writes_it(code: str) -> str:
    """min-char-rnn's spelling of a line -> notebook 04's: ``np.dot(A, B)`` becomes
    ``A @ B``, ``dhnext`` and ``dhraw`` become ``dh_next`` and ``dh_raw``."""
    code = _DOT.sub(r"\1 @ \2", code)
    return code.replace("dhnext", "dh_next").replace("dhraw", "dh_raw")


class Slip(NamedTuple):
    """One wrong line of the backward loop."""
    line: str                 # the right line in rnnlib.reference.lossfun
    planted: str              # what replaces it ("pass" where the line is left out)
    why: str                  # what a check tells the learner
    breaks: frozenset[str]    # the parameters whose gradient it spoils

    @property
    def right(self) -> str:
        """The right line, as notebook 04 writes it."""
        return as_notebook_writes_it(self.line)

    @property
    def wrote(self) -> str:
        """The wrong line, as a learner writes it in notebook 04 ("" if it is left out)."""
        return "" if self.planted == "pass" else as_notebook_writes_it(self.planted)

    @property
    def said(self) -> str:
        """The slip in a few words: the wrong line and the right one."""
        if not self.wrote:
            return f"{self.right}  left out"
        return f"{self.wrote}  instead of  {self.right}"


_HIDDEN = frozenset({"Wxh", "Whh", "bh"})     # everything computed from dh_raw

SLIPS: dict[str, Slip] = {
    "no_dh_next": Slip(
        "dh = np.dot(Why.T, dy) + dhnext", "dh = np.dot(Why.T, dy)",
        "dh leaves out dh_next: h_t feeds both y_t and h_{t+1}, so "
        "dh = Why.T @ dy + dh_next.", _HIDDEN),
    "no_tanh": Slip(
        "dhraw = (1 - hs[t] * hs[t]) * dh", "dhraw = dh",
        "dh_raw skips the tanh derivative: dh_raw = (1 - hs[t] * hs[t]) * dh.", _HIDDEN),
    "tanh_not_squared": Slip(
        "dhraw = (1 - hs[t] * hs[t]) * dh", "dhraw = (1 - hs[t]) * dh",
        "dh_raw uses 1 - h, but the tanh derivative is 1 - h²: "
        "dh_raw = (1 - hs[t] * hs[t]) * dh.", _HIDDEN),
    "dh_next_not_transposed": Slip(
        "dhnext = np.dot(Whh.T, dhraw)", "dhnext = np.dot(Whh, dhraw)",
        "dh_next needs the transpose: dh_next = Whh.T @ dh_raw (the gradient goes back "
        "through Whh the other way).", _HIDDEN),
    "dh_next_before_tanh": Slip(
        "dhnext = np.dot(Whh.T, dhraw)", "dhnext = np.dot(Whh.T, dh)",
        "dh_next is sent back from dh_raw, the gradient after the tanh factor: "
        "dh_next = Whh.T @ dh_raw, not Whh.T @ dh.", _HIDDEN),
    "dWhh_uses_h_t": Slip(
        "dWhh += np.dot(dhraw, hs[t - 1].T)", "dWhh += np.dot(dhraw, hs[t].T)",
        "dWhh pairs dh_raw with the state that went in, h_{t-1}: "
        "dWhh += dh_raw @ hs[t - 1].T, not hs[t].", frozenset({"Whh"})),
    "dWhh_transposed": Slip(
        "dWhh += np.dot(dhraw, hs[t - 1].T)", "dWhh += np.dot(hs[t - 1], dhraw.T)",
        "dWhh is transposed: dWhh += dh_raw @ hs[t - 1].T (rows: the unit that receives, "
        "columns: the unit of h_{t-1} that sends).", frozenset({"Whh"})),
    "dWhh_not_accumulated": Slip(
        "dWhh += np.dot(dhraw, hs[t - 1].T)", "dWhh = np.dot(dhraw, hs[t - 1].T)",
        "dWhh keeps only one step: use += so every step's dh_raw @ hs[t - 1].T is added "
        "up (Whh is shared by all steps).", frozenset({"Whh"})),
    "no_dbh": Slip(
        "dbh += dhraw", "pass",
        "dbh is never added to, so it stays zero: dbh += dh_raw at every step.",
        frozenset({"bh"})),
    "dby_overwritten": Slip(
        "dby += dy", "dby = dy",
        "dby keeps only the last step the loop visits: by is used at every step, so "
        "dby += dy adds up all of them.", frozenset({"by"})),
}


def slip_named(name: str) -> Slip:
    """``SLIPS[name]``, with an error that lists the names when there is no such slip."""
    if name not in SLIPS:
        raise ValueError(f"there is no slip named {name!r}; the slips are {sorted(SLIPS)}.")
    return SLIPS[name]
