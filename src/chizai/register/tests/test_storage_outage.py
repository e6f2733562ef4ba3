"""A file storage that refuses connections or hangs is answered with a 503 that says nothing
was saved, within a few seconds, and leaves no rows behind; pages that do not need the
storage keep answering while it hangs.

The S3 backend is pointed at a port where nothing listens (refused) or at a socket server
that accepts and never answers (hung), with the short timeouts a test can afford.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from chizai.core import services as core_services
from chizai.core import storage_s3
from chizai.core.models import AuditEvent
from chizai.core.storage import StorageUnavailable
from chizai.register import services
from chizai.register.models import AssetFile, FileVersion

MESSAGE = {
    "en": "The file storage is unavailable. Nothing was saved. Please try again in a few minutes.",
    "ja": "ファイルの保存先に接続できません。何も保存されていません。数分後にもう一度お試しください。",
}
# connect 1 s + read 1 s, two attempts: a hung call gives up after about 2–3 s.
BOUND_SECONDS = 8
# The read timeout where a call's duration tells whether it waited on the hung storage.
HUNG_READ_TIMEOUT = 3


class HungEndpoint:
    """Accepts every connection and never answers: the endpoint that kept workers busy."""

    def __init__(self):
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                client, _address = self.server.accept()
            except OSError:
                continue
            self.accepted.append(client)  # kept open, never read from or written to

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        for client in self.accepted:
            client.close()
        self.server.close()


def refused_url() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there any more
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def hung():
    endpoint = HungEndpoint()
    yield endpoint
    endpoint.close()


def use_s3(settings, endpoint_url: str, read_timeout: int = 1) -> None:
    settings.CHIZAI_STORAGE_STATE_DIR = settings.MEDIA_ROOT.parent / "storage-state"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "chizai.core.storage_s3.S3Storage",
            "OPTIONS": storage_s3.s3_options(
                bucket="chizai-outage",
                endpoint_url=endpoint_url,
                region="us-east-1",
                access_key="test",
                secret_key="test",
                connect_timeout=1,
                read_timeout=read_timeout,
                max_attempts=2,
            ),
        },
    }


@pytest.fixture(params=["refused", "hung"])
def down(request, settings):
    """The storage down in one of the two ways seen in production."""
    url = refused_url() if request.param == "refused" else request.getfixturevalue("hung").url
    use_s3(settings, url)
    return request.param


@pytest.fixture
def asset(org, owner):
    return services.create_asset(owner, org, title_ja="金型図面", classification="confidential")


def _client(user, lang: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def _nothing_recorded():
    assert not FileVersion.objects.exists()
    assert not AssetFile.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="register.version").exists()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_upload_page_answers_503_in_the_users_language_and_records_nothing(org, owner, asset, down, lang):
    client = _client(owner, lang)
    started = time.monotonic()
    response = client.post(
        f"/o/{org.slug}/register/{asset.pk}/upload/",
        {"file": SimpleUploadedFile("drawing.txt", b"cooling channel 12 l/min")},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert MESSAGE[lang] in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert elapsed < BOUND_SECONDS, f"{down}: answered after {elapsed:.1f}s"
    _nothing_recorded()


def test_api_upload_answers_503_json(org, owner, asset, down):
    _token, secret = core_services.create_api_token(owner, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    started = time.monotonic()
    response = client.post(
        f"/api/orgs/{org.slug}/assets/{asset.pk}/files",
        {"file": SimpleUploadedFile("drawing.txt", b"cooling channel 12 l/min")},
    )
    assert time.monotonic() - started < BOUND_SECONDS
    assert response.status_code == 503
    assert response.json() == {"detail": MESSAGE["en"], "code": "storage_unavailable"}
    assert response["Retry-After"]
    _nothing_recorded()


def test_a_download_while_the_storage_is_down_is_503_and_not_audited(org, owner, asset, settings):
    version = services.upload_version(owner, org, asset.pk, io.BytesIO(b"drawing"), name="a.txt")
    use_s3(settings, refused_url())
    response = _client(owner, "ja").get(f"/o/{org.slug}/register/versions/{version.pk}/download/")
    assert response.status_code == 503 and MESSAGE["ja"] in response.content.decode()
    assert not AuditEvent.objects.filter(action="register.version.download").exists()


def test_after_one_failure_the_next_upload_is_answered_at_once(org, owner, asset, settings, hung):
    use_s3(settings, hung.url, read_timeout=HUNG_READ_TIMEOUT)
    client = _client(owner)
    url = f"/o/{org.slug}/register/{asset.pk}/upload/"
    first = time.monotonic()
    assert client.post(url, {"file": SimpleUploadedFile("a.txt", b"a")}).status_code == 503
    second = time.monotonic()
    assert client.post(url, {"file": SimpleUploadedFile("b.txt", b"b")}).status_code == 503
    # the first waited out its timeouts; the second did not wait on the storage again
    assert second - first > HUNG_READ_TIMEOUT and time.monotonic() - second < HUNG_READ_TIMEOUT - 1
    _nothing_recorded()


@pytest.mark.django_db(transaction=True)
def test_pages_that_do_not_need_the_storage_answer_while_it_hangs(org, owner, asset, settings, hung):
    settings.CHIZAI_S3_COOLDOWN_SECONDS = 0  # every upload waits on the hung storage
    # A page that waited on the storage would take at least one read timeout (3 s); pages
    # that do not touch it take well under a second even on a loaded CI host, so the bound
    # below is kept apart from the timeout rather than equal to it.
    use_s3(settings, hung.url, read_timeout=HUNG_READ_TIMEOUT)
    answers = []

    def upload():
        try:
            response = _client(owner).post(
                f"/o/{org.slug}/register/{asset.pk}/upload/", {"file": SimpleUploadedFile("a.txt", b"a")}
            )
            answers.append(response.status_code)
        finally:
            connection.close()

    uploader = threading.Thread(target=upload)
    uploader.start()
    deadline = time.monotonic() + 5
    while not hung.accepted and time.monotonic() < deadline:  # the upload is waiting on the storage
        time.sleep(0.05)
    client = _client(owner)
    timings = []
    for _ in range(5):
        started = time.monotonic()
        assert client.get(f"/o/{org.slug}/register/").status_code == 200
        assert client.get(f"/o/{org.slug}/register/{asset.pk}/").status_code == 200
        timings.append(time.monotonic() - started)
    uploading = uploader.is_alive()
    uploader.join(timeout=2 * HUNG_READ_TIMEOUT + BOUND_SECONDS)
    assert uploading, "the upload should still have been waiting on the storage"
    assert answers == [503]
    assert max(timings) < HUNG_READ_TIMEOUT - 1, timings
    assert sorted(timings)[len(timings) // 2] < 0.5, timings
    _nothing_recorded()


def _storage(endpoint_url: str) -> storage_s3.S3Storage:
    """Another process's storage: same endpoint and bucket, its own memory."""
    return storage_s3.S3Storage(
        **storage_s3.s3_options(
            bucket="chizai-outage",
            endpoint_url=endpoint_url,
            region="us-east-1",
            access_key="test",
            secret_key="test",
            connect_timeout=1,
            read_timeout=1,
            max_attempts=2,
        )
    )


def _timed(call) -> tuple[type | None, float]:
    started = time.monotonic()
    try:
        call()
    except StorageUnavailable as exc:
        return type(exc), time.monotonic() - started
    return None, time.monotonic() - started


def test_every_process_of_the_host_learns_of_the_outage_and_one_call_probes_after_the_cooldown(
    settings, tmp_path, hung
):
    settings.CHIZAI_STORAGE_STATE_DIR = tmp_path
    settings.CHIZAI_S3_COOLDOWN_SECONDS = 1
    first, second = _storage(hung.url), _storage(hung.url)
    failed, waited = _timed(lambda: first.exists("a"))
    assert failed is StorageUnavailable and 1.5 < waited < BOUND_SECONDS  # two attempts of 1 s, not three
    failed, waited = _timed(lambda: second.exists("a"))
    assert failed is StorageUnavailable and waited < 0.3  # the other process did not wait again
    time.sleep(1.1)  # the cooldown is over: the next call finds out, the others still answer at once
    probe = threading.Thread(target=lambda: _timed(lambda: first.exists("a")))
    probe.start()
    time.sleep(0.3)
    failed, waited = _timed(lambda: second.exists("a"))
    probe.join()
    assert failed is StorageUnavailable and waited < 0.3


def test_a_storage_that_answers_again_is_used_again(settings, tmp_path):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class NotFound(BaseHTTPRequestHandler):  # an S3 that is up: it answers, the object is not there
        def do_HEAD(self):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    settings.CHIZAI_STORAGE_STATE_DIR = tmp_path
    settings.CHIZAI_S3_COOLDOWN_SECONDS = 1
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        up = _storage(url)
        up._mark_down(time.time() + 1)  # as if it had failed a moment ago
        assert _timed(lambda: _storage(url).exists("a"))[0] is StorageUnavailable
        time.sleep(1.1)
        assert _storage(url).exists("a") is False  # the probe reached it
        assert _storage(url).exists("a") is False and not list(tmp_path.iterdir())  # and everyone uses it again
    finally:
        server.shutdown()
        server.server_close()


def test_a_download_that_stalls_midway_gives_up_within_the_bound(settings, tmp_path):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    stop = threading.Event()

    class Stalls(BaseHTTPRequestHandler):  # answers, starts the body, then sends nothing more
        protocol_version = "HTTP/1.1"

        def _headers(self):
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.send_header("ETag", '"abc"')
            self.send_header("Last-Modified", "Sat, 05 Dec 2026 00:00:00 GMT")
            self.end_headers()

        def do_HEAD(self):
            self._headers()

        def do_GET(self):
            self._headers()
            self.wfile.write(b"x" * 1000)
            self.wfile.flush()
            stop.wait(30)

        def log_message(self, *args):
            pass

    settings.CHIZAI_STORAGE_STATE_DIR = tmp_path
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stalls)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        failed, waited = _timed(lambda: _storage(f"http://127.0.0.1:{server.server_address[1]}").open("a.enc"))
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
    assert failed is StorageUnavailable and waited < BOUND_SECONDS, waited


def test_a_broken_local_disk_is_an_outage_too(org, owner, asset, settings, tmp_path):
    not_a_folder = tmp_path / "files"
    not_a_folder.write_text("a file where the storage folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "chizai.core.storage.LocalStorage", "OPTIONS": {"location": not_a_folder}},
    }
    response = _client(owner).post(
        f"/o/{org.slug}/register/{asset.pk}/upload/", {"file": SimpleUploadedFile("a.txt", b"a")}
    )
    assert response.status_code == 503 and MESSAGE["en"] in response.content.decode()
    _nothing_recorded()


def test_deleting_an_asset_is_not_undone_by_a_storage_outage(org, owner, asset, settings):
    services.upload_version(owner, org, asset.pk, io.BytesIO(b"drawing"), name="a.txt")
    use_s3(settings, refused_url())
    services.delete_asset(owner, org, asset.pk)  # the stored object is left behind and logged
    assert not FileVersion.objects.exists()


# The other writers of sealed files: the storage is written before any row.


def test_review_upload_records_nothing(org, owner, settings):
    from chizai.review.models import ContractReview
    from chizai.review.services import submit_review

    use_s3(settings, refused_url())
    with pytest.raises(StorageUnavailable):
        submit_review(
            owner,
            org,
            filename="nda.txt",
            data="第1条 秘密保持 甲及び乙は相手方の秘密情報を第三者に開示しない。".encode(),
        )
    assert not ContractReview.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="review.").exists()


def test_review_upload_page_answers_503(org, owner, settings):
    from chizai.review.models import ContractReview

    use_s3(settings, refused_url())
    contract = SimpleUploadedFile("nda.txt", "第1条 秘密保持 甲及び乙は相手方の秘密情報を第三者に開示しない。".encode())
    response = _client(owner, "ja").post(
        f"/o/{org.slug}/reviews/", {"file": contract, "contract_type": "auto", "lang": "auto"}
    )
    assert response.status_code == 503 and MESSAGE["ja"] in response.content.decode()
    assert not ContractReview.objects.exists()


def test_deal_evidence_records_nothing(org, owner, settings):
    from chizai.deals import services as deals
    from chizai.deals.models import ContributionEntry
    from chizai.disclosure.models import Partner

    partner = Partner.objects.create(
        organization=org, name_ja="東海部品", name_en="Tokai Parts", kind=Partner.Kind.TIER1, created_by=owner
    )
    deal = deals.create_deal(owner, org, partner=partner, title="樹脂ギア共同開発", kind="joint_rd")
    use_s3(settings, refused_url())
    with pytest.raises(StorageUnavailable):
        deals.add_contribution(
            owner,
            deal,
            party="ours",
            kind="experiments",
            made_on=date(2026, 6, 1),
            description="荷重試験",
            value="5000",
            evidence_file=SimpleUploadedFile("run.csv", b"1,2,3"),
        )
    assert not ContributionEntry.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="deals.contribution").exists()


def test_agreement_file_records_nothing(org, owner, settings):
    from chizai.disclosure import services as disclosure

    partner = disclosure.create_partner(owner, org, name_ja="トヨ部品株式会社", name_en="Toyo Parts", kind="tier1")
    agreement, _warnings = disclosure.create_agreement(owner, org, partner.pk, title="秘密保持契約", type="NDA")
    use_s3(settings, refused_url())
    with pytest.raises(StorageUnavailable):
        disclosure.attach_file(owner, org, agreement.pk, filename="nda.txt", data=b"NDA text", review=False)
    agreement.refresh_from_db()
    assert agreement.file_storage_name == "" and agreement.file_sha256 == ""
    assert not AuditEvent.objects.filter(action="disclosure.agreement.file").exists()


# Jobs that read stored files wait for the storage instead of failing for good.


def test_an_index_job_waits_out_a_storage_outage_without_using_up_its_attempts(org, owner, asset, settings):
    from chizai.core import jobs
    from chizai.core.models import Job
    from chizai.register.models import SearchChunk

    services.upload_version(owner, org, asset.pk, io.BytesIO("プレス金型の焼入れ条件".encode()), name="cond.txt")
    job = Job.objects.get(kind="register.index")
    local = settings.STORAGES
    use_s3(settings, refused_url())  # the file was stored locally: every read of it now fails
    for _ in range(job.max_attempts + 2):  # more outages than the job has attempts
        assert jobs.execute(job.pk) == "retrying"
        job.refresh_from_db()
        assert job.status == Job.Status.QUEUED and job.attempts == 0
        assert job.run_after > job.created_at and "StorageUnavailable" in job.last_error
        Job.objects.filter(pk=job.pk).update(run_after=job.created_at)
    assert not FileVersion.objects.get().indexed_at  # not marked done with empty text
    settings.STORAGES = local
    assert jobs.execute(job.pk) == "succeeded"
    assert SearchChunk.objects.filter(version__isnull=False).exists()


def test_a_review_waits_for_the_storage_and_says_so(org, owner, settings, monkeypatch):
    from chizai.core import jobs
    from chizai.core.models import Job
    from chizai.review import services as review_services
    from chizai.review.models import ContractReview

    monkeypatch.setattr(review_services, "INLINE_LIMIT_CHARS", 0)  # a long contract: the worker reviews it
    review_services.submit_review(
        owner, org, filename="nda.txt", data="第1条 甲及び乙は相手方の秘密情報を第三者に開示しない。".encode()
    )
    local = settings.STORAGES
    use_s3(settings, refused_url())
    job = Job.objects.get(kind="review.run")
    assert jobs.execute(job.pk) == "retrying"
    review = ContractReview.objects.get()
    assert review.status == ContractReview.Status.QUEUED and "storage" in review.error
    settings.STORAGES = local
    Job.objects.filter(pk=job.pk).update(run_after=job.created_at)
    assert jobs.execute(job.pk) == "succeeded"
    assert ContractReview.objects.get().status == ContractReview.Status.DONE
