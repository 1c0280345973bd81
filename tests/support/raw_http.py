"""Raw HTTP/1.1 over a socket, for tests of what the edge does with malformed or hostile bytes."""

from __future__ import annotations

import socket


def send_all(sock: socket.socket, data: bytes) -> int:
    """Send ``data`` until the server stops reading; how many bytes went out."""
    sent = 0
    try:
        for start in range(0, len(data), 65536):
            sock.sendall(data[start:start + 65536])
            sent += min(65536, len(data) - start)
    except (BrokenPipeError, ConnectionResetError):
        pass
    return sent


def read_answer(sock: socket.socket, timeout: float = 5.0) -> bytes:
    """Everything the server sends until it closes the connection (or ``timeout``)."""
    sock.settimeout(timeout)
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except (TimeoutError, ConnectionResetError):
        pass
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    """The status code of a raw answer, 0 when it is not an HTTP/1.x response."""
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else 0
