"""The ``bprkit`` command: a thin client of the public API (``bprkit``) and of the
presentation layer (``bprkit.report``). One module a command in ``commands/``, the
list of them in ``registry.py``, the options they share in ``options.py``."""

from bprkit.cli.app import main

__all__ = ["main"]
