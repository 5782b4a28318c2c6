"""``python -m bprkit`` runs the CLI."""

from bprkit.cli import main

raise SystemExit(main())
