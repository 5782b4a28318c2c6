"""What a command of ``bprkit`` is: a name, its help, its options and what it runs.

One module a command in ``bprkit/cli/commands/`` (as pip's ``commands/``), each with a
``command`` object; ``bprkit/cli/registry.py`` lists them, and the parser is built
from that list.
"""

from __future__ import annotations

import argparse
from typing import Protocol

from bprkit.errors import Exit


class Command(Protocol):
    name: str
    """The word on the command line (``bprkit check``)."""
    help: str
    """One line in English and Japanese, shown in ``bprkit --help``."""
    description: str
    """The paragraph at the top of ``bprkit NAME --help``."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the command's arguments (shared options from bprkit/cli/options.py)."""
        ...

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        """Do the work and say so in ``lang``; raise a BprError (a UsageError for a
        command line bprkit cannot do) to stop with its exit code."""
        ...
