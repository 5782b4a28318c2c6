"""One module a command of ``bprkit`` (``import`` is ``import_.py``): each defines a
``command`` object (bprkit/cli/command.py); bprkit/cli/registry.py lists them."""
