"""Fixtures of the documents tests: the "documents" storage in a folder of the test's own (so a
test can say exactly which files were stored), files of each kind, and a tiny clamd."""

from __future__ import annotations

import io
import socket
import struct
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.fixture
def store(settings, tmp_path) -> Path:
    """The "documents" storage alias pointed at a fresh folder: the files it holds are what was stored."""
    folder = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }
    return folder


def stored_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def pdf(name: str = "terms.pdf", body: bytes = b"terms of reference") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n" + body + b"\n%%EOF\n", content_type="application/pdf")


def docx(name: str = "minutes.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


class FakeClamd:
    """clamd's INSTREAM protocol on loopback, answering every scan with ``reply``. ClamAV itself
    cannot be installed on the machines the tests run on; the client only speaks the protocol,
    so this is what it is tested against. ``received`` is the content each scan reassembled."""

    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        self.received: list[bytes] = []
        self.commands: list[bytes] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.server.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, connection: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            part = connection.recv(size - len(data))
            if not part:
                raise ConnectionError("closed")
            data += part
        return data

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                command = b""
                while not command.endswith(b"\0"):
                    command += self._read(connection, 1)
                self.commands.append(command)
                content = b""
                while (length := struct.unpack(">I", self._read(connection, 4))[0]) != 0:
                    content += self._read(connection, length)
                self.received.append(content)
                connection.sendall(self.reply)

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def clamd_clean(settings) -> Iterator[FakeClamd]:
    server = FakeClamd(b"stream: OK\0")
    settings.CLAMAV_ADDRESS = server.address
    yield server
    server.close()


@pytest.fixture
def clamd_infected(settings) -> Iterator[FakeClamd]:
    server = FakeClamd(b"stream: Eicar-Test-Signature FOUND\0")
    settings.CLAMAV_ADDRESS = server.address
    yield server
    server.close()
