"""TLS and timeouts: a self-signed HTTPS emulator, and a server that accepts connections and never answers.

Every playbook runs with REQUESTS_CA_BUNDLE pointing at a bundle that does NOT hold the test CA (the
system bundle, as in many CI images): the client passes ``verify`` on every request, so neither
``ca_path`` nor ``validate_certs: false`` may be overridden by it.
"""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest

from emulator.certificates import write_self_signed
from emulator.harness import EmulatorProcess
from reliability.helpers import ACME, build_playbook, connection, module_task, pending_by_email, run_playbook, writes

SYSTEM_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem")


def _other_bundle(tmp_path):
    """A CA bundle without the test CA: the system one, or else an unrelated self-signed certificate."""
    for path in SYSTEM_BUNDLES:
        if os.path.isfile(path):
            return path
    return write_self_signed(tmp_path, name="unrelated", common_name="an unrelated CA")[0]


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory):
    """The emulator over HTTPS with a certificate made for this test."""
    where = tmp_path_factory.mktemp("tls")
    cert, key = write_self_signed(where, common_name="applivery.mdm reliability test CA")
    with EmulatorProcess(tls_cert=cert, tls_key=key) as proc:
        assert proc.url.startswith("https://127.0.0.1:")
        yield proc, cert


def test_tls_certificate_checks(tls_emulator, tmp_path):  # pylint: disable=redefined-outer-name
    """Default settings refuse the self-signed server clearly; ca_path (option or env) and validate_certs: false work."""
    emu, cert = tls_emulator
    emu.control.reset()
    bulk = {"platform": "apple", "users": ["tls-%d@example.com" % i for i in range(3)], "create_users": True}
    tasks = [
        module_task("enrollment_token_info", dict(connection(emu.url), platform="apple")),
        module_task("enrollment_token_bulk", dict(connection(emu.url), **bulk)),
        module_task("enrollment_token_info", dict(connection(emu.url, ca_path=cert), platform="apple")),
        module_task("enrollment_token_bulk", dict(connection(emu.url, ca_path=cert), **bulk)),
        module_task("enrollment_token", dict(connection(emu.url, validate_certs=False), platform="apple", user_email="tls-single@example.com",
                                             create_user=True)),
        module_task("enrollment_token_info", dict(connection(emu.url), platform="apple"), environment={"APPLIVERY_CA_PATH": cert}),
    ]
    run = run_playbook(str(tmp_path), build_playbook(tasks), env={"REQUESTS_CA_BUNDLE": _other_bundle(tmp_path)})
    assert run.rc == 0, run.describe()
    default_info, default_bulk, ca_info, ca_bulk, insecure, env_ca = run.results
    for refused in (default_info, default_bulk):
        assert refused["failed"] is True, refused
        message = refused["msg"]
        assert "TLS certificate verification failed" in message and "certificate verify failed" in message, message
        assert "ca_path" in message and "validate_certs" in message, message
    assert not ca_info.get("failed") and ca_info["count"] >= 2, ca_info
    assert not ca_bulk.get("failed") and ca_bulk["summary"]["created"] == 3, ca_bulk
    assert not insecure.get("failed") and insecure["action"] == "created", insecure
    assert any("validate_certs is false" in w for w in insecure.get("warnings", [])), insecure.get("warnings")
    assert not any("validate_certs" in w for w in ca_bulk.get("warnings", []))
    assert not env_ca.get("failed"), env_ca
    print("TLS: default refused (%s...), ca_path, APPLIVERY_CA_PATH and validate_certs=false passed" % default_info["msg"][:90])


class SilentServer:
    """A loopback TCP server that accepts every connection, reads what comes and never sends a byte.

    It notes when the first connection arrived and when the client closed the last one: the time the
    module spent waiting on the network, without Ansible's own start-up and task overhead.
    """

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = []  # monotonic times
        self.closed = []
        self.threads = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping.is_set():
            try:
                conn, _addr = self.sock.accept()
            except socket.timeout:
                continue
            self.accepted.append(time.monotonic())
            reader = threading.Thread(target=self._drain, args=(conn,), daemon=True)
            reader.start()
            self.threads.append(reader)

    def _drain(self, conn):
        conn.settimeout(0.2)
        with conn:
            while not self.stopping.is_set():
                try:
                    if not conn.recv(65536):
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
        self.closed.append(time.monotonic())

    @property
    def waited(self):
        """Seconds from the first connection to the client closing the last one."""
        return max(self.closed) - min(self.accepted)

    def close(self):
        self.stopping.set()
        for thread in [self.thread] + self.threads:
            thread.join(5)
        self.sock.close()


@pytest.mark.parametrize("module, args", [
    ("enrollment_token_info", {"platform": "apple"}),
    ("enrollment_token_bulk", {"platform": "android", "users": ["slow@example.com"], "management_mode": "DEVICE_OWNER"}),
    ("enrollment_token", {"platform": "windows", "user_email": "slow@example.com"}),
], ids=["info", "bulk", "single"])
def test_server_that_never_answers(module, args, tmp_path):
    """Each module gives up within timeout x (retries + 1) plus the backoff and a small margin, and says why."""
    timeout, retries = 2, 2
    server = SilentServer()
    try:
        task = module_task(module, dict(connection("http://127.0.0.1:%d" % server.port, organization=ACME, timeout=timeout, retries=retries), **args))
        run = run_playbook(str(tmp_path), build_playbook([task]))
        deadline = time.monotonic() + 5  # the server notices the last close a moment after the client gives up
        while len(server.closed) < len(server.accepted) and time.monotonic() < deadline:
            time.sleep(0.1)
        attempts, closes = len(server.accepted), len(server.closed)
        waited = server.waited if server.accepted and server.closed else -1.0
    finally:
        server.close()
    assert run.rc == 0, run.describe()
    result = run.result
    # urllib3 sleeps 0 s before the first retry and backoff_factor * 2 ** (n - 1) = 1 s before the second
    budget = timeout * (retries + 1) + 1.0
    print("silent server, %s: gave up after %.1f s on the wire (budget %.1f s), playbook %.1f s, %d connections: %s"
          % (module, waited, budget, run.elapsed, attempts, result["msg"]))
    assert result["failed"] is True
    assert "no answer within the %d s timeout" % timeout in result["msg"], result["msg"]
    assert "after %d retries" % retries in result["msg"] and "raise 'timeout'" in result["msg"], result["msg"]
    assert attempts == retries + 1 and closes == attempts, "expected %d attempts, the server saw %d (%d closed)" % (retries + 1, attempts, closes)
    # the attempt count above proves the bound; the clock only checks it is of the right size (a loaded machine adds seconds)
    assert budget - 1.0 <= waited <= budget + 5.0, "the module waited %.1f s; the budget is %.1f s" % (waited, budget)
    assert run.elapsed < budget + 60, "the whole playbook took %.1f s" % run.elapsed


@pytest.mark.parametrize("module, args", [
    ("enrollment_token_bulk", {"platform": "apple", "users": ["late-%d@example.com" % i for i in range(10)], "create_users": True}),
    ("enrollment_token", {"platform": "apple", "user_email": "dave@example.com"}),
], ids=["bulk", "single"])
def test_create_that_commits_after_the_timeout_is_not_resent(module, args, tmp_path, url, ctl):
    """A create the API commits only after the client gave up (3.5 s vs a 2 s timeout) is never resent: no duplicate.

    Listing right after the timeout cannot see a commit still in flight, so a resend would make a second token.
    The run fails and says so; a later run finds the tokens and writes nothing.
    """
    people = args.get("users") or [args["user_email"]]
    ctl.set_faults(seed=1, rates={"latency": 1.0}, latency_ms=3500, methods=["POST"], path_regex="enrollment-tokens")
    seq = ctl.last_seq()
    run = run_playbook(str(tmp_path / "slow"), build_playbook([module_task(module, dict(connection(url, timeout=2, retries=3), **args))]))
    # The emulator logs a request when it answers, 3.5 s after it began: wait for the late answer before counting.
    deadline = time.monotonic() + 15
    posts = []
    while time.monotonic() < deadline:
        posts = [e for e in ctl.requests(seq)["items"] if e["method"] == "POST"]
        if posts:
            break
        time.sleep(0.25)
    time.sleep(4)  # a resend, had there been one, would also need its 3.5 s before it is logged
    posts = [e for e in ctl.requests(seq)["items"] if e["method"] == "POST"]
    ctl.clear_faults()
    result = run.result
    print("late commit, %s: %d POST(s), %s" % (module, len(posts), result.get("msg")))
    assert result["failed"] is True, run.describe()
    assert "no answer within the 2 s timeout on POST" in result["msg"], result["msg"]
    if module == "enrollment_token_bulk":
        assert "the API may still create these tokens, so they were not resent" in result["msg"], result["msg"]
    assert len(posts) == 1, "the create was resent %d times" % (len(posts) - 1)
    pending = pending_by_email(ctl, "apple")
    assert dict((e, len(pending.get(e, []))) for e in people) == dict((e, 1) for e in people), "duplicates or missing tokens"
    seq = ctl.last_seq()
    rerun = run_playbook(str(tmp_path / "later"), build_playbook([module_task(module, dict(connection(url), **args))]))
    assert rerun.rc == 0 and rerun.result["changed"] is False, rerun.describe()
    assert writes(ctl, seq) == []
