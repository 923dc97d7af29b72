"""``innspill serve`` in a subprocess on a throwaway data folder, for the live tests: prepared
with an organiser and a consultation, stoppable and restartable on the same database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from .conftest import PASSWORD

PREPARE = """
import sys
from innspill.web.runtime import setup
setup(sys.argv[1])
from django.contrib.auth import get_user_model
from innspill.web.consultations.models import Consultation, Membership, Question
u = get_user_model().objects.create_superuser("ola", "", sys.argv[2])
c = Consultation.objects.create(slug="kantina", title="Kantina", state="open", created_by=u)
Membership.objects.create(consultation=c, user=u, role="organiser")
for i, (t, k) in enumerate([("Bør kantina ha vegetardag hver uke?", "yesno"), ("Hva savner du?", "open"),
                            ("Bør kaffen være gratis?", "yesno")], 1):
    Question.objects.create(consultation=c, number=i, text=t, kind=k)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, data, stream_seconds: float = 5.0, worker: bool = False):
        self.data = str(data)
        self.worker = worker  # innspill serve's own analysis worker (off: jobs wait)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "INNSPILL_DATA": self.data, "INNSPILL_NO_EMBEDDINGS": "1",
                    "INNSPILL_LIVE_STREAM_SECONDS": str(stream_seconds)}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.env.pop("DATABASE_URL", None)  # the server gets its own SQLite file, not the test database
        self.proc = None
        r = subprocess.run([sys.executable, "-c", PREPARE, self.data, PASSWORD], env=self.env, capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0, r.stderr

    def start(self) -> LiveServer:
        self.proc = subprocess.Popen([sys.executable, "-m", "innspill.cli", "serve", "--port", str(self.port)]
                                     + ([] if self.worker else ["--no-worker"]), env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        for _ in range(120):
            try:
                urllib.request.urlopen(self.base + "/login/", timeout=2)
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("innspill serve stopped: " + self.proc.stdout.read()) from None
                time.sleep(0.25)
        raise RuntimeError("innspill serve did not answer")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()
