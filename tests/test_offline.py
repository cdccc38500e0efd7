"""Proof that the guard works, so green tests really mean "nothing but loopback was contacted"."""

from __future__ import annotations

import socket
import subprocess
import sys

import netguard  # the copy conftest installed (tests/netguard is on sys.path)
import pytest

from tests.conftest import GUARDED_ENV


def test_outside_connection_is_blocked_and_recorded():
    before = len(netguard.ATTEMPTS)
    with pytest.raises(netguard.OutsideConnection):
        socket.create_connection(("192.0.2.10", 443), timeout=1)  # TEST-NET-1, never routed
    with pytest.raises(netguard.OutsideConnection):
        socket.getaddrinfo("huggingface.co", 443)
    assert len(netguard.ATTEMPTS) == before + 2
    del netguard.ATTEMPTS[before:]  # expected here; any other test doing this fails


def test_loopback_is_allowed():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()


def test_subprocesses_are_guarded_too():
    code = "import socket\nsocket.create_connection(('192.0.2.10', 80), timeout=1)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=GUARDED_ENV
    )
    assert result.returncode != 0
    assert "netguard: blocked" in result.stderr
