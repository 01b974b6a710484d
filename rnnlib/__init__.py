"""rnnlib: a small numpy library for building a character-level RNN from scratch.

Column vectors throughout: x_t (V, N), h_t (H, N), y_t and p_t (V, N), where V is the
vocabulary size, H the hidden size, T the number of time steps and N the batch.
"""
from . import data, metrics
from .checkpoint import CheckpointError
from .classify import RNNClassifier
from .gradcheck import check_model, numerical_gradient, rel_error
from .gru import GRU
from .lstm import LSTM
from .optim import SGD, Adagrad
from .progress import ProgressBar, progress_callback
from .rnn import RNN, Backward, BackwardTrace, RNNCache
from .sampling import prime, sample, sample_text
from .stacked import StackedRNN
from .threads import blas_threads, set_blas_threads
from .train import Progress, TrainConfig, Trainer, TrainingDiverged
from .vocab import Vocab

__all__ = [
    "Vocab", "RNN", "RNNCache", "Backward", "BackwardTrace", "SGD", "Adagrad",
    "sample", "sample_text", "prime", "numerical_gradient", "rel_error", "check_model",
    "TrainConfig", "Trainer", "Progress", "TrainingDiverged", "CheckpointError",
]
__all__ += ["RNNClassifier"]
__all__ += ["LSTM"]
__all__ += ["GRU", "StackedRNN"]
__all__ += ["metrics"]
__all__ += ["set_blas_threads", "blas_threads", "progress_callback", "ProgressBar"]
__version__ = "0.1.0"
