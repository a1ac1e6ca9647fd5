"""Command line: ``PYTHONPATH=tests python -m emulator --host 127.0.0.1 --port 0 [--seed FILE] [--tls-cert C --tls-key K]``.

Prints exactly one line (the base URL) on stdout, then serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .app import create_app
from .seed import DEFAULT_SEED_PATH, SeedError, load_seed
from .server import make_server


def parse_args(argv=None) -> argparse.Namespace:
    """CLI arguments."""
    parser = argparse.ArgumentParser(prog="python -m emulator", description="Applivery MDM API emulator")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="TCP port; 0 picks a free one (default)")
    parser.add_argument("--seed", default=DEFAULT_SEED_PATH, help="seed YAML/JSON file (default: bundled seed.yml)")
    parser.add_argument("--tls-cert", help="PEM certificate: serve https")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    parser.add_argument("--verbose", action="store_true", help="access log on stderr (method, path, status; never headers)")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    return args


def main(argv=None) -> int:
    """Entry point."""
    args = parse_args(argv)
    try:
        seed = load_seed(args.seed)
    except (OSError, SeedError) as exc:
        sys.stderr.write(f"emulator: cannot load seed {args.seed}: {exc}\n")
        return 2
    app = create_app(seed)
    server = make_server(app, args.host, args.port, args.tls_cert, args.tls_key, args.verbose)
    scheme = "https" if args.tls_cert else "http"
    host = f"[{args.host}]" if ":" in args.host else args.host
    sys.stdout.write(f"{scheme}://{host}:{server.port}\n")
    sys.stdout.flush()

    def _stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.serve_forever(poll_interval=0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
