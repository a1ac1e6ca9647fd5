"""Test harness: run the emulator as a subprocess and drive its control API.

Usage (with ``PYTHONPATH=tests``)::

    from emulator.harness import EmulatorProcess

    with EmulatorProcess() as emu:          # bundled seed, http on a free loopback port
        ctl = emu.control                   # EmulatorControl(emu.url)
        seq = ctl.last_seq()
        ...                                 # talk to f"{emu.url}/v1/..."
        assert ctl.writes_since(seq) == 0   # WriteList: compares equal to a count or a list
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading

import requests

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN_TOKEN = "applivery-emu-admin-token"
DEVELOPER_TOKEN = "applivery-emu-developer-token"
VIEWER_TOKEN = "applivery-emu-viewer-token"
OTHER_ORG_TOKEN = "applivery-emu-other-org-token"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class EmulatorError(RuntimeError):
    """The emulator could not start, or a control call failed."""


class EmulatorProcess:
    """The emulator CLI in a subprocess (same interpreter); a context manager.

    ``seed`` is a file path or a seed dict (written to a temporary JSON file). With
    ``tls_cert``/``tls_key`` it serves https and ``control`` verifies against ``tls_cert``.
    The subprocess's stderr goes to ``log_path`` (removed after a clean exit unless ``keep_log``).
    """

    def __init__(self, seed=None, host: str = "127.0.0.1", port: int = 0, tls_cert=None, tls_key=None,
                 python: str | None = None, extra_args=(), startup_timeout: float = 30.0, keep_log: bool = False) -> None:
        self.seed = seed
        self.host = host
        self.port = port
        self.tls_cert = tls_cert
        self.tls_key = tls_key
        self.python = python or sys.executable
        self.extra_args = list(extra_args)
        self.startup_timeout = startup_timeout
        self.keep_log = keep_log
        self.proc = None
        self.url = None
        self.log_path = None
        self._seed_file = None
        self._control = None

    def start(self) -> "EmulatorProcess":
        """Start the subprocess and wait for its URL line."""
        cmd = [self.python, "-m", "emulator", "--host", self.host, "--port", str(self.port)]
        if isinstance(self.seed, dict):
            with tempfile.NamedTemporaryFile("w", prefix="emulator-seed-", suffix=".json", delete=False) as handle:
                json.dump(self.seed, handle)
            self._seed_file = handle.name
            cmd += ["--seed", handle.name]
        elif self.seed is not None:
            cmd += ["--seed", os.fspath(self.seed)]
        if self.tls_cert:
            cmd += ["--tls-cert", os.fspath(self.tls_cert), "--tls-key", os.fspath(self.tls_key)]
        cmd += self.extra_args
        env = dict(os.environ)
        env["PYTHONPATH"] = TESTS_DIR + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        with tempfile.NamedTemporaryFile(prefix="emulator-", suffix=".log", delete=False) as log:
            self.log_path = log.name
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, env=env)  # pylint: disable=consider-using-with
        line = self._read_line()
        if not line.startswith(("http://", "https://")):
            self.stop()
            raise EmulatorError(f"emulator did not start (got {line!r}); log:\n{self.read_log()}")
        self.url = line
        return self

    def _read_line(self) -> str:
        result: list = []
        reader = threading.Thread(target=lambda: result.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.startup_timeout)
        return result[0].decode("utf-8", "replace").strip() if result else ""

    def read_log(self) -> str:
        """The subprocess's stderr so far."""
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    @property
    def control(self) -> "EmulatorControl":
        """An EmulatorControl for this process."""
        if self._control is None:
            self._control = EmulatorControl(self.url, verify=os.fspath(self.tls_cert) if self.tls_cert else True)
        return self._control

    def stop(self, timeout: float = 10.0):
        """SIGTERM, wait, SIGKILL if needed; returns the exit code."""
        code = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout)
            code = self.proc.returncode
            if self.proc.stdout is not None:
                self.proc.stdout.close()
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._seed_file and os.path.exists(self._seed_file):
            os.unlink(self._seed_file)
            self._seed_file = None
        if code == 0 and not self.keep_log and self.log_path and os.path.exists(self.log_path):
            os.unlink(self.log_path)  # a clean run leaves nothing behind; a failed one keeps its log
        return code

    def __enter__(self) -> "EmulatorProcess":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


class WriteList(list):
    """Write entries of the request log; also compares equal to an int (their count)."""

    __hash__ = None

    def __eq__(self, other):
        if isinstance(other, int) and not isinstance(other, bool):
            return len(self) == other
        return list.__eq__(self, other)

    def __ne__(self, other):
        return not self.__eq__(other)


class EmulatorControl:
    """Thin client of the ``/_emulator`` control API."""

    def __init__(self, url: str, verify=True, timeout: float = 60.0) -> None:
        self.url = url.rstrip("/")
        self.base = self.url + "/_emulator"
        self.timeout = timeout
        self.verify = verify
        self.session = requests.Session()

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()

    def _call(self, method: str, path: str, body=None, params=None):
        # verify is passed per request: a session-level value would lose to REQUESTS_CA_BUNDLE.
        resp = self.session.request(method, self.base + path, json=body, params=params, timeout=self.timeout, verify=self.verify)
        if resp.status_code >= 400:
            raise EmulatorError(f"{method} /_emulator{path} -> {resp.status_code}: {resp.text[:500]}")
        return resp.json()

    # state
    def reset(self) -> dict:
        """Back to the startup seed (also clears log, clock offset, faults, rate limit, settings)."""
        return self._call("POST", "/reset")

    def reseed(self, seed: dict) -> dict:
        """Replace the data with ``seed``."""
        return self._call("POST", "/reseed", seed)

    # request log
    def requests(self, since: int = 0) -> dict:
        """``{"items": [...], "last_seq": N}`` for entries after ``since``."""
        return self._call("GET", "/requests", params={"since": since})

    def summary(self, since: int = 0) -> dict:
        """``{"reads", "writes", "by_method", "last_seq"}`` after ``since``."""
        return self._call("GET", "/requests/summary", params={"since": since})

    def clear_requests(self) -> dict:
        """Forget the log (sequence numbers keep growing)."""
        return self._call("DELETE", "/requests")

    def last_seq(self) -> int:
        """Sequence number of the newest logged request."""
        return self.summary(2 ** 62)["last_seq"]

    def writes_since(self, seq: int) -> WriteList:
        """Write requests (POST/PUT/PATCH/DELETE on /v1) after ``seq``."""
        return WriteList(e for e in self.requests(seq)["items"] if e["method"] in WRITE_METHODS)

    # clock
    def clock(self, offset_seconds: float | None = None) -> dict:
        """``{"offset_seconds", "now"}``; with an argument, set the offset first."""
        if offset_seconds is not None:
            return self.set_clock(offset_seconds)
        return self._call("GET", "/clock")

    def set_clock(self, offset_seconds: float) -> dict:
        """Set the offset added to real UTC now."""
        return self._call("PUT", "/clock", {"offset_seconds": offset_seconds})

    def advance(self, seconds: float) -> dict:
        """Move emulator time by ``seconds``."""
        return self._call("POST", "/clock/advance", {"seconds": seconds})

    # settings
    def settings(self, **changes) -> dict:
        """Current behaviour switches; with keyword arguments, change them first (PUT)."""
        if changes:
            return self.set_settings(**changes)
        return self._call("GET", "/settings")

    def set_settings(self, **changes) -> dict:
        """e.g. ``set_settings(bulk_creates_users=False)``, ``set_settings(page_cap=10)``."""
        return self._call("PUT", "/settings", changes)

    def set_variant(self, name: str) -> dict:
        """Apply the settings preset of a section 8.1 row ("V1" ... "V10"); returns the settings."""
        return self._call("PUT", "/settings", {"variant": name})

    def variants(self) -> dict:
        """``{"V1": {"settings": {...}, "plays": "..."}, ...}``."""
        return self._call("GET", "/variants")

    # faults
    def faults(self, plan: dict | None = None, **kwargs) -> dict:
        """Plan and per-kind counters; with a plan (dict and/or keywords), install it first (PUT)."""
        if plan is not None or kwargs:
            return self.set_faults(plan, **kwargs)
        return self._call("GET", "/faults")

    def set_faults(self, plan: dict | None = None, **kwargs) -> dict:
        """Install a fault plan, e.g. ``set_faults(seed=42, rates={"502": 0.1})``."""
        return self._call("PUT", "/faults", dict(plan or {}, **kwargs))

    def clear_faults(self) -> dict:
        """Remove the fault plan."""
        return self._call("DELETE", "/faults")

    # rate limit
    def rate_limit(self, per_token_rps: float | None = None, burst: int | None = None) -> dict:
        """Current rate limit; with ``per_token_rps``, enable it first (PUT)."""
        if per_token_rps is not None:
            return self.set_rate_limit(per_token_rps, burst)
        return self._call("GET", "/rate_limit")

    def set_rate_limit(self, per_token_rps: float, burst: int | None = None) -> dict:
        """Enable a per-token token bucket."""
        body = {"per_token_rps": per_token_rps}
        if burst is not None:
            body["burst"] = burst
        return self._call("PUT", "/rate_limit", body)

    def clear_rate_limit(self) -> dict:
        """Disable rate limiting."""
        return self._call("DELETE", "/rate_limit")

    # direct state access
    def state_tokens(self, organization: str, platform: str, email: str | None = None) -> list:
        """Every token (DELETED included), vendor read shape."""
        params = {"organization": organization, "platform": platform}
        if email is not None:
            params["email"] = email
        return self._call("GET", "/state/tokens", params=params)["items"]

    def state_users(self, organization: str) -> list:
        """Every MDM user of the org."""
        return self._call("GET", "/state/users", params={"organization": organization})["items"]

    def jobs(self) -> int:
        """Number of pending V3 bulk jobs (``bulk_delay_seconds``)."""
        return self._call("GET", "/jobs")["pending"]

    def run_jobs(self) -> int:
        """Run every pending V3 bulk job now; returns the tokens created."""
        return self._call("POST", "/jobs/run")["created"]

    def enroll_token(self, organization: str, platform: str, token_id: str, state: str = "DONE", device_id: str | None = None) -> dict:
        """A device enrolls with the token (V10): it becomes ``state`` (DONE or PROCESSING); returns the token."""
        body = {"organization": organization, "platform": platform, "token_id": token_id, "state": state}
        if device_id is not None:
            body["device_id"] = device_id
        return self._call("POST", "/state/tokens/enroll", body)

    def inject_tokens(self, organization: str, platform: str, tokens: list, create_users: bool = True) -> list:
        """Create tokens directly (no quota/plan checks); returns their ids."""
        body = {"organization": organization, "platform": platform, "tokens": tokens, "create_users": create_users}
        return self._call("POST", "/state/tokens", body)["ids"]
