"""parkops.core.mail: the outbox without SMTP, and real delivery to a (tiny, local) SMTP server."""

from __future__ import annotations

import email
import socket
import ssl
import subprocess
import threading
from email.policy import default as default_policy

import pytest

from parkops.core import mail


class TinySmtpServer:
    """Just enough SMTP (RFC 5321, no extensions) to receive messages on 127.0.0.1."""

    def __init__(self, tls: ssl.SSLContext | None = None, *, implicit: bool = False) -> None:
        """``tls``: offer STARTTLS with it, or with ``implicit`` speak TLS from the first byte."""
        self.tls, self.implicit, self.encrypted = tls, implicit, False
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        if self.tls and self.implicit:
            conn = self.tls.wrap_socket(conn, server_side=True)
            self.encrypted = True
        reader = conn.makefile("rb")
        with conn:

            def say(line: str) -> None:
                conn.sendall(line.encode() + b"\r\n")

            say("220 tiny ESMTP")
            sender, recipients = "", []
            while True:
                line = reader.readline().decode().rstrip("\r\n")
                verb = line[:4].upper()
                if verb == "EHLO" and self.tls and not self.encrypted:
                    say("250-tiny")
                    say("250 STARTTLS")
                elif verb in ("EHLO", "HELO"):
                    say("250 tiny")
                elif line.upper() == "STARTTLS" and self.tls:
                    say("220 go ahead")
                    conn = self.tls.wrap_socket(conn, server_side=True)
                    reader = conn.makefile("rb")
                    self.encrypted = True
                elif verb == "MAIL":
                    sender = line.partition(":")[2].strip()
                    say("250 OK")
                elif verb == "RCPT":
                    recipients.append(line.partition(":")[2].strip())
                    say("250 OK")
                elif verb == "DATA":
                    say("354 go ahead")
                    data = b""
                    while (chunk := reader.readline()) != b".\r\n":
                        data += chunk
                    self.messages.append((sender, recipients, data))
                    say("250 queued")
                elif verb == "QUIT" or not line:
                    say("221 bye")
                    return
                else:
                    say("250 OK")


@pytest.fixture(autouse=True)
def _empty_outbox():
    mail.OUTBOX.clear()
    yield
    mail.OUTBOX.clear()


async def test_without_smtp_host_messages_go_to_the_outbox_and_the_log(test_settings, caplog):
    assert test_settings.smtp_host is None
    caplog.set_level("INFO", logger="parkops.core.mail")
    await mail.send_mail(test_settings, to="a@example.cn", subject="你好", body="链接 http://x/1")
    assert [(m.to, m.subject) for m in mail.OUTBOX] == [("a@example.cn", "你好")]
    assert "http://x/1" in caplog.text


async def test_the_outbox_keeps_only_the_last_messages(test_settings):
    for i in range(mail.OUTBOX_SIZE + 5):
        await mail.send_mail(test_settings, to=f"{i}@example.cn", subject="s", body="b")
    assert len(mail.OUTBOX) == mail.OUTBOX_SIZE
    assert mail.OUTBOX[-1].to == f"{mail.OUTBOX_SIZE + 4}@example.cn"


async def test_delivery_through_smtp(test_settings):
    server = TinySmtpServer()
    settings = test_settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": server.port,
            "smtp_starttls": False,
            "smtp_from": "parkops@park.example",
        }
    )
    await mail.send_mail(settings, to="li@example.cn", subject="邀请 ParkOps", body="打开链接\n")
    server.thread.join(5)
    assert not mail.OUTBOX  # delivered, not kept
    sender, recipients, data = server.messages[0]
    assert sender == "<parkops@park.example>" and recipients == ["<li@example.cn>"]
    message = email.message_from_bytes(data, policy=default_policy)
    assert message["Subject"] == "邀请 ParkOps" and message["To"] == "li@example.cn"
    assert message.get_content().rstrip() == "打开链接"


async def test_unreachable_server_raises_mail_not_sent(test_settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = test_settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    with pytest.raises(mail.MailNotSent) as raised:
        await mail.send_mail(settings, to="x@example.cn", subject="s", body="b")
    assert raised.value.status_code == 502


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (server TLS context, the file to trust)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert


@pytest.mark.parametrize("implicit", [True, False], ids=["implicit-tls-465", "starttls"])
async def test_delivery_over_tls(test_settings, certificate, implicit):
    context, cert = certificate
    server = TinySmtpServer(context, implicit=implicit)
    settings = test_settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": server.port,
            "smtp_tls": implicit,
            "smtp_starttls": True,
            "smtp_ca_file": cert,
        }
    )
    await mail.send_mail(settings, to="li@example.cn", subject="TLS", body="加密\n")
    server.thread.join(5)
    assert server.encrypted and server.messages[0][1] == ["<li@example.cn>"]


def test_port_465_means_implicit_tls(test_settings):
    assert mail.implicit_tls(test_settings.model_copy(update={"smtp_port": 465}))
    assert not mail.implicit_tls(test_settings.model_copy(update={"smtp_port": 587}))
    assert mail.implicit_tls(test_settings.model_copy(update={"smtp_port": 2465, "smtp_tls": True}))


async def test_a_message_sent_in_a_transaction_is_queued_and_delivered_by_the_job(
    db, test_settings
):
    import sqlalchemy as sa

    from tests.support import run_queued_jobs

    server = TinySmtpServer()
    settings = test_settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_starttls": False}
    )
    await mail.send_mail(settings, to="wang@example.cn", subject="排队", body="b", db=db)
    queued = (await db.execute(sa.text("SELECT task_name, args FROM procrastinate_jobs"))).all()
    assert [(q.task_name, q.args["to"]) for q in queued] == [("mail.deliver", "wang@example.cn")]
    assert not server.messages  # nothing leaves before the transaction commits
    assert await run_queued_jobs(db, settings) == ["mail.deliver"]
    server.thread.join(5)
    assert server.messages[0][1] == ["<wang@example.cn>"]
