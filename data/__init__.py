"""The texts bundled with the course.

Installed inside rnnlib as the package ``rnnlib.corpora`` (see pyproject.toml), so that
``rnnlib.data.load`` finds them wherever rnnlib is installed. Add a text here as a UTF-8
``.txt`` file and name it in ``rnnlib.data.CORPORA``.
"""
