"""Exercise checks that tell a learner what is wrong, not just ``False``.

Each notebook's checks live in a module named for its topic (encoding, hidden, output,
backward, planted_bug, adagrad, sampling, training, gradients, lstm, classify, gru). What
they share is in :mod:`.feedback` (the :class:`Feedback` verdict, the call of a learner's
function, array comparisons) and :mod:`.slips` (the named slips of the backward loop).
A check returns a Feedback: truthy when the answer is right, shown in a notebook as a
green or red box with a sentence that names the problem. Solutions live in the notebooks
in collapsible ``<details>`` blocks.
"""
from .feedback import Feedback, call_learner, check_array, check_value

__all__ = ["Feedback", "call_learner", "check_array", "check_value"]
