"""Every revealable solution of the course passes its own check.

The exercises are tagged as DESIGN.md says: the learner's code cell `exercise-NAME`, the cell
that checks it `check-NAME`, and the markdown cell with the solution `solution-NAME`, whose
first ```python block is what a learner would paste over the exercise. The quick tests check
the tags; the notebook test pastes every solution of a notebook at once, runs the notebook in
a fresh kernel like tests/test_notebooks.py does, and reads each check's output. (That test
also sees every check say "Not yet" on the committed, unsolved notebooks.)
"""
import re

import nbformat
import pytest

from test_notebooks import (KERNEL, NOTEBOOKS, TIMEOUT, build_site, course_copy, exercises,
                            output_text)

PYTHON_BLOCK = re.compile(r"```python\n(.*?)\n```", re.DOTALL)


def first_python_block(markdown: str) -> str | None:
    m = PYTHON_BLOCK.search(markdown)
    return m.group(1) if m else None


def last_line(code: str) -> str:
    return [line for line in code.strip().splitlines() if line.strip()][-1].strip()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_has_its_check_and_its_solution(path):
    """Each NAME tags exactly one exercise code cell, one check code cell at or after it,
    and one markdown solution after it with a ```python block; every notebook has one."""
    nb = nbformat.read(path, as_version=4)
    found = exercises(nb)
    assert found, f"{path.name} has no cell tagged exercise-NAME"
    for name, cells in found.items():
        for role in ("exercise", "check", "solution"):
            assert len(cells[role]) == 1, (
                f"{path.name}: {role}-{name} tags {len(cells[role])} cells, not exactly one")
        (e,), (c,), (s,) = cells["exercise"], cells["check"], cells["solution"]
        assert nb.cells[e].cell_type == "code" and nb.cells[c].cell_type == "code", \
            f"{path.name}: exercise-{name} and check-{name} must tag code cells"
        assert nb.cells[s].cell_type == "markdown", f"{path.name}: solution-{name} is not markdown"
        assert e <= c and e < s, f"{path.name}: {name}'s check or solution comes before it"
        block = first_python_block(nb.cells[s].source)
        assert block, f"{path.name}: solution-{name} has no ```python block"
        if c == e:
            # the cell checks itself: pasting the solution over it must keep the check
            call = last_line(nb.cells[c].source)
            assert last_line(block) == call, (
                f"{path.name}: exercise-{name} ends with {call!r}, and its solution "
                f"replaces that cell, so the solution's block must end with it too")


def test_tag_names_are_unique_and_kebab_case():
    """A tag that looks like an exercise tag but does not parse (a typo, CamelCase, an
    underscore) would be silently ignored, so it is an error here."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            for tag in cell.get("metadata", {}).get("tags", []):
                if tag.split("-")[0] in ("exercise", "check", "solution"):
                    assert re.fullmatch(r"(exercise|check|solution)-[a-z0-9]+(-[a-z0-9]+)*",
                                        tag), f"{path.name} cell {i}: badly formed tag {tag!r}"


def with_solutions(nb):
    """A copy of the notebook with each solution's first python block pasted over its
    exercise cell; returns the copy and the names of its exercises."""
    nb = nbformat.from_dict(nb)
    found = exercises(nb)
    for name, cells in found.items():
        (e,), (s,) = cells["exercise"], cells["solution"]
        nb.cells[e].source = first_python_block(nb.cells[s].source)
    return nb, found


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_pass_their_checks(path, tmp_path):
    """Run the notebook with every solution pasted in: every check shows ✔, none 'Not yet'."""
    copy = course_copy(tmp_path) / path.name
    solved, found = with_solutions(nbformat.read(path, as_version=4))
    nbformat.write(solved, copy)
    nb, _ = build_site.execute(copy, kernel_name=KERNEL, timeout=TIMEOUT)
    for name, cells in found.items():
        (c,) = cells["check"]
        said = output_text(nb.cells[c])
        assert "✔" in said and "Not yet" not in said and "✘" not in said, (
            f"{path.name}: with solution-{name} pasted in, check-{name} (cell {c}) showed:\n"
            f"{said}")
