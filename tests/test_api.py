"""rnnlib's public API is typed, and each maths module says what its dimension letters mean.

Type hints. Every module of rnnlib (found with pkgutil, subpackages and modules such as
_io and _checks included, whose public functions the other modules share) is imported, and
each public function defined in it (not imported from elsewhere) and each public method
of each public class defined in it is checked: every parameter except self/cls, *args and
**kwargs has an annotation, and so does the return. Public means the name does not start
with "_"; a property counts by its getter; ``__init__`` and ``__call__`` count too, because
their parameters are what a user passes (``__init__``'s return is always None and is not
required). A method counts in the class that defines it, not in the classes that inherit
it. One test per module, so a failure names the module and lists every unannotated
function as module.function (parameters).

Module docstrings. The maths modules declare the letters of the axes their arrays have:
V = vocabulary size, H = hidden size, T = time steps, N = batch (and L = layers, C =
classes, F = features where used). A module uses a letter when an array its public
functions take or return has that axis, or a size they read is that letter; the table
``LETTERS`` below says which, module by module (vocab's one_hot makes (T, V, N) arrays, so
vocab needs V, T and N; optim works on arrays of any shape and needs none). A letter is
declared when the docstring defines it in words ("T = time steps", "T: ...", "T is ...";
"N = 1" is a value, not a definition) and, for modules that pass arrays around, shows it
in at least one shape such as ``(T, V, N)``. A module that does not exist (yet) is skipped.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import re
from types import ModuleType

import pytest

import rnnlib

METHOD_DUNDERS = ("__init__", "__call__")


def _module_names() -> list[str]:
    names = [rnnlib.__name__]
    for info in pkgutil.walk_packages(rnnlib.__path__, prefix="rnnlib."):
        names.append(info.name)
    return sorted(names)


def _defined_here(obj: object, module: ModuleType) -> bool:
    return getattr(obj, "__module__", None) == module.__name__


def _public_callables(module: ModuleType):
    """(qualified name, function, is_method, check_return) for what the API test checks."""
    for name, obj in vars(module).items():
        if name.startswith("_") or not _defined_here(obj, module):
            continue
        if inspect.isfunction(obj):
            yield name, obj, False, True
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr not in METHOD_DUNDERS:
                    continue
                qual = f"{name}.{attr}"
                if isinstance(member, property):
                    if member.fget is not None:
                        yield qual, member.fget, True, True
                elif isinstance(member, staticmethod):
                    yield qual, member.__func__, False, True
                elif isinstance(member, classmethod):
                    yield qual, member.__func__, True, True
                elif inspect.isfunction(member):
                    if attr == "__init__" and not _defined_here(member, module):
                        continue          # generated (dataclass) or inherited from elsewhere
                    yield qual, member, True, attr != "__init__"


def _missing_annotations(func, is_method: bool, check_return: bool) -> list[str]:
    """The parameters of ``func`` (and 'return') that lack an annotation."""
    sig = inspect.signature(func)            # follows __wrapped__ (e.g. @contextmanager)
    params = list(sig.parameters.values())
    if is_method and params and params[0].name in ("self", "cls"):
        params = params[1:]
    missing = [p.name for p in params
               if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               and p.annotation is inspect.Parameter.empty]
    if check_return and sig.return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


@pytest.mark.parametrize("module_name", _module_names())
def test_every_public_function_and_method_is_annotated(module_name):
    """Each public function and method of the module annotates its parameters and return."""
    module = importlib.import_module(module_name)
    unannotated = []
    for qual, func, is_method, check_return in _public_callables(module):
        missing = _missing_annotations(func, is_method, check_return)
        if missing:
            unannotated.append(f"{module_name}.{qual} ({', '.join(missing)})")
    assert not unannotated, ("add type hints to:\n  " + "\n  ".join(unannotated))


def test_the_walk_reaches_every_subpackage():
    """The modules checked include the maths modules, the plots, the widgets and the
    exercises, so no part of rnnlib escapes the check."""
    names = set(_module_names())
    assert {"rnnlib.vocab", "rnnlib.rnn", "rnnlib.sampling", "rnnlib.plots.training",
            "rnnlib.widgets.forward", "rnnlib.exercises.backward"} <= names


def test_the_annotation_check_sees_what_is_missing():
    """The checker itself: it finds a bare parameter and a missing return, skips self,
    *args and **kwargs, and accepts a fully annotated function."""
    def bare(self, x, *args, y: int = 1, **kwargs) -> None: ...
    def no_return(x: int): ...
    def typed(x: int, *args: int, **kwargs: str) -> int: ...
    assert _missing_annotations(bare, True, True) == ["x"]
    assert _missing_annotations(no_return, False, True) == ["return"]
    assert _missing_annotations(no_return, False, False) == []
    assert _missing_annotations(typed, False, True) == []


def test_methods_properties_and_init_are_collected_but_private_and_imported_names_are_not():
    """The walk finds public methods, property getters, classmethods and __init__, and
    leaves out private names and names imported from another module."""
    module = ModuleType("fake_module")
    exec(
        "import math\n"
        "from os.path import join\n"
        "class Public:\n"
        "    def __init__(self, a): ...\n"
        "    def method(self): ...\n"
        "    def _private(self): ...\n"
        "    @property\n"
        "    def size(self): ...\n"
        "    @classmethod\n"
        "    def make(cls): ...\n"
        "class _Hidden:\n"
        "    def method(self): ...\n"
        "def function(): ...\n"
        "def _helper(): ...\n", vars(module))
    found = {qual for qual, *_ in _public_callables(module)}
    assert found == {"Public.__init__", "Public.method", "Public.size", "Public.make",
                     "function"}


# --- module docstrings ---------------------------------------------------------------

LETTERS = {
    "rnn": "VHTN",
    "lstm": "VHTN",
    "gru": "VHTN",
    "stacked": "VHTNL",
    "classify": "FHCTN",      # features in, classes out: no vocabulary
    "output": "VHTN",
    "functional": "VTN",      # one-hot columns and softmax over the vocabulary axis
    "model": "VHTN",
    "fastpath": "VHTN",
    "fastpath.common": "VHTN",
    "fastpath.rnn": "VHTN",
    "fastpath.lstm": "VHTN",
    "fastpath.gru": "VHTN",
    "fastpath.stacked": "VHTNL",
    "sampling": "VHTN",       # logits (V, N), state (H, N), prime reads ixs (T,)
    "gradcheck": "TN",        # check_model takes inputs (T,) or (T, N)
    "metrics": "TV",          # a loss summed over T characters; log2 V is a uniform guess
    "train": "VHTN",
    "parallel": "THNL",       # a batch's (T, N) columns and states (H, N), (L, H, N)
    "optim": "",              # elementwise on parameters of any shape
    "checkpoint": "VHN",      # parameters (H, V)..., the carried state (H, N)
    "vocab": "VTN",           # one_hot: (T,) -> (T, V, 1), (T, N) -> (T, V, N)
}
# modules whose functions take plain numbers, so a letter needs no shape to appear in
NO_SHAPES = {"metrics", "optim"}

SHAPE = re.compile(r"\(\s*\w*(?:\s*,\s*\w*)*\s*,?\s*\)")


def declares(doc: str, letter: str) -> bool:
    """The letter, as a word of its own, is defined in words: 'V = vocabulary size',
    'V: ...' or 'V is ...' (not a value: 'N = 1' defines nothing)."""
    return re.search(rf"(?<![\w^]){letter}\s*(?:=|:|\bis\b)\s*[A-Za-z]", doc) is not None


def in_a_shape(doc: str, letter: str) -> bool:
    """The letter is an axis of some shape written in the docstring, e.g. (T, V, N)."""
    return any(re.search(rf"(?<![A-Za-z]){letter}(?![A-Za-z])", shape)
               for shape in SHAPE.findall(doc))


@pytest.mark.parametrize("name", sorted(LETTERS))
def test_maths_module_docstring_declares_its_dimension_letters(name):
    """The module docstring exists and defines each letter the module uses, and shows it
    in a shape."""
    module_name = f"rnnlib.{name}"
    if importlib.util.find_spec(module_name) is None:
        pytest.skip(f"{module_name} does not exist in this tree")
    doc = inspect.getdoc(importlib.import_module(module_name))
    assert doc, f"{module_name} has no module docstring"
    undeclared = [x for x in LETTERS[name] if not declares(doc, x)]
    assert not undeclared, (f"{module_name}'s docstring does not define "
                            f"{', '.join(undeclared)} (write e.g. 'V = vocabulary size')")
    if name not in NO_SHAPES:
        shapeless = [x for x in LETTERS[name] if not in_a_shape(doc, x)]
        assert not shapeless, (f"{module_name}'s docstring never shows "
                               f"{', '.join(shapeless)} in a shape such as (T, V, N)")


def test_the_docstring_rule_tells_a_declaration_from_a_mention():
    """'T = time steps' declares T; 'h_T', 'W^T' and 'Tanh' do not; a shape (T, V, N)
    shows T, V and N but not H."""
    assert declares("Shapes: V = vocab size, T: time steps, N is the batch.", "V")
    assert declares("T: time steps", "T") and declares("N is the batch", "N")
    assert not declares("the last state h_T = tanh(...)", "T")
    assert not declares("dh = Why^T dy: the gradient", "T")
    assert not declares("Tanh = the nonlinearity", "T")
    assert not declares("with N = 1 this is min-char-rnn", "N")
    assert in_a_shape("x has shape (T, V, N)", "V")
    assert in_a_shape("Wx (4H, V) and ixs (T,)", "H") and in_a_shape("ixs (T,)", "T")
    assert not in_a_shape("x has shape (T, V, N)", "H")
    assert not in_a_shape("(the loss is a mean)", "N")
