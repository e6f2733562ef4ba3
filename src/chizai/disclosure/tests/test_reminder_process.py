"""A real `chizai worker` killed while sending reminders: the next worker sends each one exactly once.

A small SMTP server in the test first hangs before its greeting (the worker blocks in the
middle of a send and is killed with SIGKILL), then answers normally for the second worker.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

CHIZAI = str(Path(sys.executable).with_name("chizai"))


class FakeSMTP:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.hang = threading.Event()
        self.hang.set()
        self.messages: list[bytes] = []
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        with conn:
            if self.hang.is_set():
                conn.recv(1)  # never greets: the client waits until it is killed
                return
            f = conn.makefile("rwb")
            f.write(b"220 fake ESMTP\r\n")
            f.flush()
            while line := f.readline():
                cmd = line[:4].upper()
                if cmd == b"DATA":
                    f.write(b"354 go on\r\n")
                    f.flush()
                    body = b""
                    while (chunk := f.readline()) and chunk != b".\r\n":
                        body += chunk
                    self.messages.append(body)
                    f.write(b"250 queued\r\n")
                elif cmd == b"QUIT":
                    f.write(b"221 bye\r\n")
                    f.flush()
                    return
                else:
                    f.write(b"250 ok\r\n")
                f.flush()


def _env(home, port):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHIZAI_", "DJANGO_"))}
    env.update(
        CHIZAI_HOME=str(home),
        CHIZAI_JOB_LEASE_SECONDS="2",
        CHIZAI_REMINDER_CLAIM_SECONDS="2",
        CHIZAI_SECRET_KEY="reminder-test-key",
        CHIZAI_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        CHIZAI_EMAIL_HOST="127.0.0.1",
        CHIZAI_EMAIL_PORT=str(port),
    )
    if os.environ.get("CHIZAI_DATABASE_URL"):
        pytest.skip("process test runs on the embedded SQLite tier (PostgreSQL: the thread test in test_duties)")
    return env


def _shell(env, code):
    result = subprocess.run([CHIZAI, "shell", "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


SETUP = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from chizai.core import services as core
from chizai.disclosure import duties, services
U = get_user_model()
owner = U.objects.create(username='o', email='o@example.jp')
manager = U.objects.create(username='m', email='m@example.jp')
org = core.create_organization(owner, slug='acme', name_ja='アクメ')
core.add_member(owner, org, manager, 'manager')
p = services.create_partner(owner, org, name_ja='相手先')
services.create_disclosure(owner, org, partner_id=p.pk, stage='quotation', purpose='見積', method='paper',
    disclosed_on=timezone.localdate() - timedelta(days=30), descriptions=['図面の紙の写し'], recipients=['田中'],
    return_due_on=timezone.localdate() - timedelta(days=2))
print(len(duties.schedule_reminders(organization=org)))
"""
STATE = (
    "from chizai.disclosure.models import ReminderDelivery as R; "
    "print(R.objects.filter(sent_at__isnull=False).count(), R.objects.exclude(claimed_by='').filter(sent_at__isnull=True).count())"
)


@pytest.mark.slow
def test_killed_reminder_worker_then_each_reminder_exactly_once(tmp_path):
    smtp = FakeSMTP()
    env = _env(tmp_path, smtp.port)
    subprocess.run([CHIZAI, "migrate", "-v0"], env=env, check=True, timeout=180)
    assert _shell(env, SETUP) == "1"
    worker = subprocess.Popen(
        [CHIZAI, "worker", "--interval", "0.2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(150):
            if smtp.connections and _shell(env, STATE) == "0 1":
                break
            time.sleep(0.2)
        else:
            pytest.fail("the first worker never started sending")
        worker.send_signal(signal.SIGKILL)  # killed in the middle of a send
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert smtp.messages == [] and _shell(env, STATE) == "0 1"
    smtp.hang.clear()
    time.sleep(2.5)  # the dead worker's job lease and reminder claim run out
    subprocess.run([CHIZAI, "worker", "--once"], env=env, check=True, timeout=180)
    assert _shell(env, STATE) == "2 0"
    assert len(smtp.messages) == 2
    recipients = sorted(line for m in smtp.messages for line in m.split(b"\r\n") if line.startswith(b"To:"))
    assert recipients == [b"To: m@example.jp", b"To: o@example.jp"]
    subprocess.run([CHIZAI, "worker", "--once"], env=env, check=True, timeout=180)
    assert len(smtp.messages) == 2
