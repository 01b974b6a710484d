import numpy as np
import pytest

import rnnlib


def random_rnn(V, H, seed, scale=0.5, dtype=np.float64):
    """An RNN with weights large enough that every gradient path matters."""
    m = rnnlib.RNN(V, H, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed + 1000)
    for k, p in m.params.items():
        p[...] = rng.standard_normal(p.shape) * scale
    return m


@pytest.fixture
def rng():
    return np.random.default_rng(0)
