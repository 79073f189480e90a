"""A real SMTP server on a local port, in a thread (aiosmtpd): what it accepted, and a way to make it
stall on a recipient, as a slow provider would, while a test kills the worker sending to it."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Sink:
    accepted: list[Message] = field(default_factory=list)
    # A message to one of these recipients makes the server wait (its first attempt only).
    hold: set[str] = field(default_factory=set)
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        held = self.hold.intersection(envelope.rcpt_tos)
        if held:
            self.hold -= held
            self.holding.set()
            # Stall without blocking the server's loop; the message is then refused, as a server would
            # whose client went away.
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
            return "421 closing"
        with self.lock:
            self.accepted.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"

    def recipients(self) -> list[str]:
        with self.lock:
            return [message["To"] for message in self.accepted]


class SmtpServer:
    def __init__(self) -> None:
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sink.release.set()
        self.controller.stop()

    def env(self) -> dict[str, str]:
        """What a worker's environment needs to send here."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
        }
