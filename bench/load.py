"""Load benchmark: concurrent users through a realistic mix of pages, on either tier.

Not a test. Bounded (``--seconds``), loopback only. Prints one JSON object: p50/p95/p99 per
page, errors by status, throughput, and how long index and review jobs waited.

    python bench/load.py --tier embedded   --users 50 --seconds 120
    python bench/load.py --tier production --users 50 --seconds 120

embedded:   SQLite + local files under a temporary CHIZAI_HOME, `chizai worker` (database queue).
production: PostgreSQL (CHIZAI_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/chizai_load,
            dropped and created) + an S3 endpoint (moto_server started here on a free port) +
            `chizai worker` processes. CHIZAI_PRODUCTION stays off: it forces HTTPS, which a
            loopback benchmark cannot speak; every part the production tier runs is the real one.
Both run gunicorn (4 sync workers, like docs/deploy.md) and two job workers.

``bench/faults.py`` reuses ``Stack`` and ``run_users`` to break parts during a run.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests
import contextlib

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ORG = "sample-seiko"
WRITERS = ["owner", "manager", "engineer"]
READERS = ["viewer", "adviser"]
DEMO_PASSWORD = "chizai-demo-2026"
SEARCHES = ["金型", "焼入れ", "作業標準", "切削 工具", "nickel", "drawing"]
CONTRACT = (
    "業務委託基本契約書\n\n株式会社大手自動車（以下「甲」という。）とサンプル精工株式会社（以下「乙」という。）は、次のとおり契約する。\n\n"
    "第1条（目的）甲は乙に部品の試作を委託する。\n"
    "第2条（成果の帰属）本業務により生じた一切の発明、ノウハウ及びデータに関する権利は、甲に帰属する。乙は対価を請求しない。\n"
    "第3条（秘密保持）乙は、甲から開示された情報を第三者に開示してはならない。\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def small_docx(text: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.splitlines())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
    return buffer.getvalue()


@dataclass
class Stack:
    """The processes of one tier: optional S3 endpoint, gunicorn, job workers."""

    tier: str
    web_workers: int = 4
    job_workers: int = 2
    home: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="chizai-load-")))
    env: dict = field(default_factory=dict)
    port: int = 0
    s3_port: int = 0  # what the app talks to
    moto_port: int = 0  # where the S3 server listens, when a fault proxy sits between (bench/faults.py)
    web: subprocess.Popen | None = None
    s3: subprocess.Popen | None = None
    workers: list = field(default_factory=list)

    def __post_init__(self):
        self.port = free_port()
        self.env = {
            **os.environ,
            "CHIZAI_HOME": str(self.home),
            "CHIZAI_SECRET_KEY": "bench-load-not-secret",
            "CHIZAI_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CHIZAI_LOG_LEVEL": "ERROR",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("CHIZAI_PRODUCTION", None)
        if self.tier == "production":
            url = os.environ.get("CHIZAI_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chizai_load")
            name = url.rsplit("/", 1)[1]
            admin = url.rsplit("/", 1)[0] + "/postgres"
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)
            subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
            self.s3_port = free_port()
            self.env.update(
                CHIZAI_DATABASE_URL=url,
                CHIZAI_STORAGE="s3",
                CHIZAI_S3_BUCKET="chizai-load",
                CHIZAI_S3_ENDPOINT_URL=f"http://127.0.0.1:{self.s3_port}",
                CHIZAI_S3_REGION="us-east-1",
                CHIZAI_S3_ACCESS_KEY="bench",
                CHIZAI_S3_SECRET_KEY="bench",
            )
        else:
            self.env["CHIZAI_DATABASE_URL"] = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def chizai(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "chizai"), *args], env=self.env, check=check, capture_output=True, text=True)

    def start_s3(self) -> None:
        port = self.moto_port or self.s3_port
        self.s3 = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"http://127.0.0.1:{port}/")

    def make_bucket(self) -> None:
        import boto3

        boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.moto_port or self.s3_port}",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
            region_name="us-east-1",
        ).create_bucket(Bucket="chizai-load")

    def start_web(self) -> None:
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "chizai.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.web_workers),
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.home / "gunicorn.log", "w"),  # noqa: SIM115 - lives as long as the server
        )
        wait_for(self.base + "/login/")

    def start_worker(self) -> subprocess.Popen:
        process = subprocess.Popen(
            [str(BIN / "chizai"), "worker"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.home / f"worker-{len(self.workers)}.log", "w"),  # noqa: SIM115 - lives as long as the worker
        )
        self.workers.append(process)
        return process

    def up(self) -> Stack:
        if self.tier == "production":
            self.start_s3()
            self.make_bucket()
        self.chizai("migrate", "--noinput")
        self.chizai("collectstatic", "--noinput")
        self.chizai("demo", "--no-serve", "--no-worker")
        self.start_web()
        for _ in range(self.job_workers):
            self.start_worker()
        return self

    def down(self) -> None:
        for process in [self.web, *self.workers, self.s3]:
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, signal.SIGCONT)
                process.terminate()
        for process in [self.web, *self.workers, self.s3]:
            if process is not None:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(self.home, ignore_errors=True)

    def django(self):
        """Set this process up to read the stack's database (for ids before, checks after)."""
        for key in (
            "CHIZAI_HOME",
            "CHIZAI_SECRET_KEY",
            "CHIZAI_DATABASE_URL",
            "CHIZAI_STORAGE",
            "CHIZAI_S3_BUCKET",
            "CHIZAI_S3_ENDPOINT_URL",
            "CHIZAI_S3_REGION",
            "CHIZAI_S3_ACCESS_KEY",
            "CHIZAI_S3_SECRET_KEY",
        ):
            if key in self.env:
                os.environ[key] = self.env[key]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chizai.settings")
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()


@dataclass
class Sample:
    page: str
    started: float
    seconds: float
    status: int  # 0 = no answer (connection refused, timeout)


class User:
    """One signed-in browser session walking the mix with think time."""

    def __init__(self, base: str, username: str, targets: dict, rng: random.Random):
        self.base, self.username, self.targets, self.rng = base, username, targets, rng
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = rng.choice(["ja", "en"])
        self.org = f"{base}/o/{ORG}"

    def _csrf(self) -> str:
        return self.session.cookies.get("csrftoken", "")

    def call(self, page: str, method: str, url: str, samples: list, **kwargs) -> requests.Response | None:
        started = time.monotonic()
        try:
            response = self.session.request(method, url, timeout=30, allow_redirects=False, **kwargs)
            status = response.status_code
        except requests.RequestException:
            response, status = None, 0
        samples.append(Sample(page, started, time.monotonic() - started, status))
        return response

    def login(self, samples: list) -> bool:
        self.call("login_form", "GET", self.base + "/login/", samples)
        response = self.call(
            "login",
            "POST",
            self.base + "/login/",
            samples,
            data={"username": self.username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": self._csrf()},
            headers={"Referer": self.base + "/login/"},
        )
        return response is not None and response.status_code in (302, 303)

    def step(self, samples: list) -> None:
        writer = self.username in WRITERS
        roll = self.rng.random()
        post = {"headers": {"Referer": self.org + "/"}}
        if roll < 0.12:
            self.call("home", "GET", self.org + "/", samples)
        elif roll < 0.30:
            self.call("register_list", "GET", self.org + "/register/", samples)
        elif roll < 0.45 and self.targets["assets"]:
            self.call("asset_detail", "GET", f"{self.org}/register/{self.rng.choice(self.targets['assets'])}/", samples)
        elif roll < 0.60:
            self.call("search", "GET", self.org + "/register/search/", samples, params={"q": self.rng.choice(SEARCHES)})
        elif roll < 0.68 and self.targets["versions"]:  # viewers and advisers may not download
            self.call(
                "download",
                "GET",
                f"{self.org}/register/versions/{self.rng.choice(self.targets['versions'])}/download/",
                samples,
            )
        elif roll < 0.76:
            self.call("reviews", "GET", self.org + "/reviews/", samples)
        elif roll < 0.84:
            self.call("disclosure", "GET", self.org + "/disclosure/", samples)
        elif roll < 0.90:
            self.call("deals", "GET", self.org + "/deals/", samples)
        elif roll < 0.96 and writer and self.targets["upload_assets"]:
            asset = self.rng.choice(self.targets["upload_assets"])
            data = small_docx(f"作業手順 {self.rng.random():.6f}\n焼入れ温度 850℃ 保持 {self.rng.randint(30, 120)} 分")
            self.call(
                "upload",
                "POST",
                f"{self.org}/register/{asset}/upload/",
                samples,
                data={"csrfmiddlewaretoken": self._csrf()},
                files={"file": (f"手順-{self.rng.randint(1, 10**6)}.docx", data)},
                **post,
            )
        elif writer:
            self.call(
                "review_submit",
                "POST",
                self.org + "/reviews/",
                samples,
                data={
                    "csrfmiddlewaretoken": self._csrf(),
                    "text": CONTRACT + f"\n（{self.rng.random():.6f}）",
                    "contract_type": "auto",
                    "lang": "auto",
                    "title": "負荷試験",
                },
                **post,
            )
        else:
            self.call("register_list", "GET", self.org + "/register/", samples)


def targets_from_database() -> dict:
    """Per user, what that user may open: a real user follows links to what they can see, so a
    403 or 404 in the results is a fault, not a request the mix aimed at a locked door."""
    from django.contrib.auth import get_user_model

    from chizai.register.models import Asset, FileVersion

    targets = {}
    for user in get_user_model().objects.filter(username__in=WRITERS + READERS):
        assets = list(Asset.objects.restrict(user, "view").filter(organization__slug=ORG).values_list("pk", flat=True))
        versions = list(
            FileVersion.objects.restrict(user, "download").filter(organization__slug=ORG).values_list("pk", flat=True)
        )
        editable = list(
            Asset.objects.restrict(user, "change").filter(organization__slug=ORG).values_list("pk", flat=True)
        )
        targets[user.username] = {"assets": assets, "versions": versions, "upload_assets": editable[:5]}
    return targets


def run_users(
    base: str, users: int, seconds: float, targets: dict, seed: int = 2026, stop: threading.Event | None = None
) -> list[Sample]:
    """``users`` sessions in threads for ``seconds``; think time 0.5–1.5 s between steps."""
    samples: list[Sample] = []
    lock = threading.Lock()
    stop = stop or threading.Event()
    deadline = time.monotonic() + seconds
    names = WRITERS + READERS

    def walk(index: int) -> None:
        rng = random.Random(f"{seed}-{index}")
        name = names[index % len(names)]
        user = User(base, name, targets[name], rng)
        own: list[Sample] = []
        time.sleep(rng.random() * 2)  # users do not arrive in the same millisecond
        user.login(own)
        while time.monotonic() < deadline and not stop.is_set():
            user.step(own)
            time.sleep(0.5 + rng.random())
        with lock:
            samples.extend(own)

    threads = [threading.Thread(target=walk, args=(i,), daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return samples


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summarise(samples: list[Sample], seconds: float) -> dict:
    by_page: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_page[sample.page].append(sample)
    pages = {}
    for page, rows in sorted(by_page.items()):
        times = [s.seconds * 1000 for s in rows]
        statuses = defaultdict(int)
        for s in rows:
            if s.status == 0 or s.status >= 400:
                statuses[str(s.status)] += 1
        pages[page] = {
            "n": len(rows),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "p99_ms": round(percentile(times, 0.99), 1),
            "errors": dict(statuses),
        }
    errors = defaultdict(int)
    for s in samples:
        if s.status == 0 or s.status >= 400:
            errors[str(s.status)] += 1
    return {
        "requests": len(samples),
        "throughput_rps": round(len(samples) / seconds, 1),
        "errors": dict(errors),
        "pages": pages,
    }


def job_waits(since) -> dict:
    """Commit-to-finish time of the jobs the run queued (created after ``since``), per kind."""
    from chizai.core.models import Job

    result = {}
    for kind in ("register.index", "review.run"):
        rows = Job.objects.filter(kind=kind, created_at__gte=since, finished_at__isnull=False).values_list(
            "created_at", "finished_at"
        )
        waits = [(done - made).total_seconds() for made, done in rows]
        if waits:
            result[kind] = {
                "n": len(waits),
                "p50_s": round(statistics.median(waits), 2),
                "p95_s": round(percentile(waits, 0.95), 2),
            }
        pending = Job.objects.filter(kind=kind, finished_at__isnull=True).count()
        result.setdefault(kind, {})["unfinished"] = pending
    return result


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__() if Path("/proc/loadavg").exists() else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tier", choices=["embedded", "production"], default="embedded")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()
    stack = Stack(args.tier).up()
    try:
        stack.django()
        targets = targets_from_database()
        from django.utils import timezone

        load_before, since = load_average(), timezone.now()
        samples = run_users(stack.base, args.users, args.seconds, targets)
        time.sleep(5)
        report = {
            "tier": args.tier,
            "users": args.users,
            "seconds": args.seconds,
            "web_workers": stack.web_workers,
            "job_workers": stack.job_workers,
            "load_average_before": load_before,
            "load_average_after": load_average(),
            **summarise(samples, args.seconds),
            "jobs": job_waits(since),
        }
        print(json.dumps(report, ensure_ascii=False, indent=1))
    finally:
        stack.down()


if __name__ == "__main__":
    main()
