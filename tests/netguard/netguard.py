"""Block and record every connection or DNS look-up that is not loopback.

Installed as an audit hook: in the pytest process by conftest, and in CLI subprocesses through
the `sitecustomize.py` beside this file (put this folder on PYTHONPATH).
"""

from __future__ import annotations

import ipaddress
import socket
import sys

ATTEMPTS: list[str] = []
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


class OutsideConnection(ConnectionRefusedError):
    """Raised in place of a connection to anything but loopback."""


def is_loopback(host: object) -> bool:
    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    if text in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(text.split("%")[0]).is_loopback
    except ValueError:
        return False


def _blocked(what: str) -> None:
    ATTEMPTS.append(what)
    sys.stderr.write(f"netguard: blocked {what}\n")
    raise OutsideConnection(f"blocked {what}: only loopback may be contacted")


def _audit(event: str, args: tuple) -> None:
    if event == "socket.connect":
        sock, address = args
        if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6):
            host = address[0] if isinstance(address, tuple) else address
            if not is_loopback(host):
                _blocked(f"connect {address!r}")
    elif event == "socket.getaddrinfo" and not is_loopback(args[0]):
        _blocked(f"resolve {args[0]!r}")


_installed = False


def install() -> None:
    global _installed
    if not _installed:
        sys.addaudithook(_audit)
        _installed = True
