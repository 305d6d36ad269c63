"""A small client for clamd, ClamAV's scanning daemon: a document is streamed to it with the
INSTREAM command before it is stored (reviews.services.documents).

The protocol (clamd(8)): send ``zINSTREAM\\0``, then the content in chunks, each preceded by its
length as 4 bytes in network order, then a zero length; clamd answers ``stream: OK\\0``, or
``stream: <signature> FOUND\\0``, or ``... ERROR\\0`` (for instance when the stream exceeds its
StreamMaxLength). Anything else, or no answer, is an error: the caller refuses the upload.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable

CHUNK = 64 * 1024


class ClamdUnavailable(Exception):
    """clamd could not be reached or did not give a verdict."""


def parse_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ClamdUnavailable(f"CLAMAV_ADDRESS is {address!r}: it must be host:port, e.g. 127.0.0.1:3310.")
    return host.strip("[]"), int(port)


def clamd_scan(chunks: Iterable[bytes], *, address: str, timeout: float) -> str | None:
    """Stream ``chunks`` to the clamd at ``address``: None when clean, the signature's name when
    clamd finds something. ClamdUnavailable when it cannot be reached or answers anything else."""
    host, port = parse_address(address)
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK):
                    part = chunk[start : start + CHUNK]
                    connection.sendall(struct.pack(">I", len(part)) + part)
            connection.sendall(struct.pack(">I", 0))
            reply = _read_reply(connection)
    except OSError as error:
        raise ClamdUnavailable(f"the virus scanner at {address} could not be reached ({error})") from error
    return _verdict(reply, address)


def _read_reply(connection: socket.socket) -> bytes:
    reply = b""
    while not reply.endswith(b"\0"):
        data = connection.recv(4096)
        if not data:
            break
        reply += data
        if len(reply) > 4096:
            break
    return reply.rstrip(b"\0").strip()


def _verdict(reply: bytes, address: str) -> str | None:
    text = reply.decode("utf-8", "replace")
    if text.endswith(" OK") or text == "OK":
        return None
    if text.endswith(" FOUND"):
        # "stream: Eicar-Test-Signature FOUND"
        return text.removeprefix("stream:").removesuffix(" FOUND").strip() or "unnamed signature"
    raise ClamdUnavailable(f"the virus scanner at {address} gave no verdict ({text or 'no answer'})")
