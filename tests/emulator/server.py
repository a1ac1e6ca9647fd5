"""Threaded HTTP/1.1 server with keep-alive, optional TLS, and abortive close (RST) support.

Werkzeug's development server always answers ``Connection: close``; this request handler
keeps connections open (the request body is drained so the next request line is read
correctly), sets TCP_NODELAY, and can abort a connection with an RST when the application
marks the request with ``environ[ABORT_KEY]`` (the ``reset`` fault).
"""

from __future__ import annotations

import socket
import ssl
import struct
import sys
import traceback

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from .app import ABORT_KEY

_DRAIN_LIMIT = 1 << 20
_HOP_HEADERS = frozenset(("content-length", "connection", "transfer-encoding", "keep-alive"))


class _BodyReader:
    """``wsgi.input`` limited to Content-Length, so the unread rest can be drained afterwards."""

    def __init__(self, raw, length: int) -> None:
        self._raw = raw
        self.remaining = length

    def read(self, size: int | None = -1) -> bytes:
        """Read up to ``size`` bytes of the body (all when negative)."""
        if self.remaining <= 0:
            return b""
        want = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = self._raw.read(want)
        self.remaining = self.remaining - len(data) if data else 0
        return data

    def readline(self, size: int | None = -1) -> bytes:
        """Read one line of the body."""
        if self.remaining <= 0:
            return b""
        want = self.remaining if size is None or size < 0 else min(size, self.remaining)
        data = self._raw.readline(want)
        self.remaining = self.remaining - len(data) if data else 0
        return data

    def __iter__(self):
        line = self.readline()
        while line:
            yield line
            line = self.readline()

    def drain(self) -> bool:
        """Discard the unread body; False when the connection cannot be reused."""
        if self.remaining > _DRAIN_LIMIT:
            return False
        while self.remaining > 0:
            if not self.read(65536):
                return False
        return True


class KeepAliveHandler(WSGIRequestHandler):
    """WSGI request handler with HTTP/1.1 persistent connections."""

    protocol_version = "HTTP/1.1"
    timeout = 120
    verbose = False
    _abort = False

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_request(self, code="-", size="-") -> None:
        # Never logs headers (so never a bearer token); silent unless --verbose.
        if self.verbose:
            super().log_request(code, size)

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        body = None
        if "wsgi.input_terminated" not in environ:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if length < 0:
                self.close_connection = True
                self.send_error(400, "Bad Content-Length")
                return
            body = _BodyReader(self.rfile, length)
            environ["wsgi.input"] = body
        response: list = []

        def start_response(status, headers, exc_info=None):
            if exc_info is not None and response:
                raise exc_info[1].with_traceback(exc_info[2])
            response[:] = [status, headers]
            return chunks.append

        chunks: list = []
        try:
            result = self.server.app(environ, start_response)
            try:
                for data in result:
                    chunks.append(data)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except (ConnectionError, socket.timeout):
            self.close_connection = True
            return
        except Exception:  # pylint: disable=broad-exception-caught
            traceback.print_exc(file=sys.stderr)
            response[:] = ["500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")]]
            chunks = [b"internal error"]
            self.close_connection = True
        if environ.get(ABORT_KEY):
            self._abort_connection()
            return
        if body is None or not body.drain():
            self.close_connection = True
        self._send(response, b"".join(chunks))

    def _send(self, response: list, payload: bytes) -> None:
        status, headers = response
        code_text, _sep, reason = status.partition(" ")
        self.log_request(int(code_text))
        # Not send_response(): it adds a real-time Date; the app's Date follows the emulator clock.
        self.send_response_only(int(code_text), reason)
        self.send_header("Server", self.version_string())
        if not any(key.lower() == "date" for key, _value in headers):
            self.send_header("Date", self.date_time_string())
        is_head = self.command == "HEAD"
        declared = None
        for key, value in headers:
            if key.lower() == "content-length":
                declared = value
            if key.lower() in _HOP_HEADERS:
                continue
            self.send_header(key, value)
        self.send_header("Content-Length", declared if is_head and declared is not None else str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        # Headers and body leave in one write: fewer syscalls and GIL hand-offs per response.
        self._headers_buffer.append(b"\r\n")
        if payload and not is_head:
            self._headers_buffer.append(payload)
        self.flush_headers()

    def _abort_connection(self) -> None:
        """Make the close abortive: SO_LINGER(1, 0) then close in finish() -> RST."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self._abort = True
        self.close_connection = True

    def finish(self) -> None:
        super().finish()
        if self._abort:
            try:
                self.connection.close()
            except OSError:
                pass


def make_server(app, host: str, port: int, tls_cert=None, tls_key=None, verbose: bool = False):
    """Threaded keep-alive server bound to host:port (0 = any free port)."""
    handler = type("EmulatorHandler", (KeepAliveHandler,), {"verbose": verbose})
    context = None
    if tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls_cert, tls_key)
    return ThreadedWSGIServer(host, port, app, handler=handler, ssl_context=context)
