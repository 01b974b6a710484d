"""How many threads the BLAS library (OpenBLAS, MKL) may use while rnnlib trains and samples.

numpy hands every matrix product to a BLAS library, which by default starts one thread per
core. rnnlib's products are small (a course-sized model multiplies 100 x 100 matrices by a
few columns), too small for several threads to pay, and when another program keeps a core
busy (a browser, a second notebook, Binder's CPU quota) the threads wait for each other at
every product and training runs at half its speed or less. So while rnnlib trains or samples
it limits BLAS to one thread, and gives the previous setting back afterwards; the rest of
your program keeps numpy's default.

Change it with ``rnnlib.set_blas_threads(n)``, or before starting Python with the environment
variable ``RNNLIB_BLAS_THREADS=n``; ``set_blas_threads(None)`` goes back to the default.
The limit is set through threadpoolctl, which finds the BLAS library numpy loaded.
"""
from __future__ import annotations

import os
import warnings
from contextlib import contextmanager
from typing import Iterator

import numpy as np

ENV_VAR = "RNNLIB_BLAS_THREADS"
DEFAULT = 1

_setting: int | None = None     # set_blas_threads; None: the environment variable, else DEFAULT
_controller = None              # threadpoolctl's view of the loaded libraries (False: none)
_depth = 0                      # how many limit_blas_threads blocks are open


def _check(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{where} must be a whole number of threads (1 or more), got "
                        f"{value!r}; 1 is the default and the right choice for small models.")
    if value < 1:
        raise ValueError(f"{where} must be at least 1 thread, got {value}; use 1 (the "
                         f"default), or the number of cores for big float32 batches on an "
                         f"idle machine.")
    return int(value)


def set_blas_threads(n: int | None) -> None:
    """Let BLAS use ``n`` threads while rnnlib trains and samples (None: back to the default)."""
    global _setting
    _setting = None if n is None else _check(n, "set_blas_threads(n): n")


def blas_threads() -> int:
    """The number of BLAS threads rnnlib uses while it trains and samples."""
    if _setting is not None:
        return _setting
    env = os.environ.get(ENV_VAR, "").strip()
    if not env:
        return DEFAULT
    try:
        value = int(env)
    except ValueError:
        raise ValueError(f"the environment variable {ENV_VAR}={env!r} is not a whole number; "
                         f"set it to a number of threads such as 1, or unset it.") from None
    return _check(value, f"the environment variable {ENV_VAR}")


@contextmanager
def limit_blas_threads(n: int | None = None) -> Iterator[int]:
    """Inside this block BLAS uses at most ``n`` threads (default: ``blas_threads()``).

    Nested blocks keep the outer block's limit, so a sample taken during training costs
    nothing extra. Yields the number of threads in force.
    """
    global _controller, _depth
    n = blas_threads() if n is None else _check(n, "limit_blas_threads(n): n")
    if _depth:
        _depth += 1
        try:
            yield n
        finally:
            _depth -= 1
        return
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:          # rnnlib installed with --no-deps, as on Colab
            warnings.warn("threadpoolctl is not installed, so rnnlib cannot limit the BLAS "
                          "library's threads while it trains; pip install threadpoolctl.",
                          stacklevel=3)
            _controller = False
        else:
            _controller = ThreadpoolController()
    if _controller is False:
        yield n
        return
    _depth += 1
    try:
        with _controller.limit(limits=n, user_api="blas"):
            yield n
    finally:
        _depth -= 1
