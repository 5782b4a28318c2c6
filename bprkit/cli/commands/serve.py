"""``bprkit serve``: a live preview in the browser, on 127.0.0.1 only (bprkit/serve.py).

``bprkit.serve`` is a client of the facade like the CLI (tests/test_layers.py puts both
in the top layer), so the facade cannot hand it on; this command imports it directly,
its one import outside the facade and the presentation layer."""

from __future__ import annotations

import argparse
import contextlib
import os

from bprkit.cli import inputs, options
from bprkit.errors import Exit, UsageError
from bprkit.messages import catalog as messages


class Serve:
    name = "serve"
    help = "live preview in the browser / ブラウザでプレビュー"
    description = ("Show the diagrams of a file or folder on http://127.0.0.1:PORT/ and "
                   "redraw them when a file is saved. Ctrl-C stops.")

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("path", metavar="PATH", help="a .bpr file or a folder")
        parser.add_argument("--port", type=int, default=8765, metavar="N",
                            help="the port on 127.0.0.1 (default: 8765)")
        options.add_lang(parser)

    def run(self, args: argparse.Namespace, lang: str) -> Exit:
        import socket

        try:
            from bprkit import serve
        except ImportError:
            raise UsageError(messages.text(lang, "serve_needs_extra"), lang) from None
        try:
            import starlette  # noqa: F401
            import uvicorn  # noqa: F401
            import watchfiles  # noqa: F401
        except ImportError:
            raise UsageError(messages.text(lang, "serve_needs_extra"), lang) from None
        inputs.files([args.path], lang)
        if not 0 < args.port < 65536:
            raise UsageError(messages.text(lang, "serve_bad_port", port=args.port), lang)
        if os.path.isdir(args.path):
            site = serve.Site(os.path.abspath(args.path), None, lang)
        else:
            root = os.path.dirname(os.path.abspath(args.path))
            site = serve.Site(root, os.path.basename(args.path), lang)
        with socket.socket() as probe:  # a port in use: said now, not as a server traceback
            try:
                probe.bind((serve.HOST, args.port))
            except OSError:
                raise UsageError(messages.text(lang, "serve_port_in_use", port=args.port),
                                 lang) from None
        print(messages.text(lang, "serve_started", url=f"http://{serve.HOST}:{args.port}/",
                            path=args.path), flush=True)
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn passes Ctrl-C on once stopped
            serve.run(site, args.port)
        print(messages.text(lang, "serve_stopped"), flush=True)
        return Exit.OK


command = Serve()
