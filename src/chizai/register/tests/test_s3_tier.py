"""The production file tier against a real S3 HTTP endpoint (moto_server in CI, `make test-s3`):
upload, download, review upload, indexing and the worker, with the storage settings built
from the CHIZAI_S3_* environment exactly as settings.py builds them.

Skipped unless CHIZAI_TEST_S3_ENDPOINT_URL names the endpoint and CHIZAI_STORAGE=s3 (the
`test-s3` run sets both; the SQLite and PostgreSQL runs keep local storage and skip these).
Each test session makes its own bucket, so runs never see each other's objects.
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chizai.core import jobs
from chizai.core import storage_s3
from chizai.core.models import Job
from chizai.register import crypto, search, services
from chizai.register.models import FileVersion

pytestmark = pytest.mark.s3

ENDPOINT = os.environ.get("CHIZAI_TEST_S3_ENDPOINT_URL", "")
CHIZAI = str(Path(sys.executable).with_name("chizai"))
MARKER = "冷却水の流量は毎分十二リットル S3-TIER-MARKER-5d1e"
S3_ENV = {
    "CHIZAI_S3_ENDPOINT_URL": ENDPOINT,
    "CHIZAI_S3_REGION": "us-east-1",
    "CHIZAI_S3_ACCESS_KEY": "test",
    "CHIZAI_S3_SECRET_KEY": "test",
}


def _client():
    return boto3.client(
        "s3", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )


@pytest.fixture(scope="session")
def bucket():
    if not ENDPOINT or os.environ.get("CHIZAI_STORAGE") != "s3":
        pytest.skip(
            "the S3 tier runs in `make test-s3` (CHIZAI_STORAGE=s3 and CHIZAI_TEST_S3_ENDPOINT_URL; .ci/run starts moto_server)"
        )
    name = f"chizai-test-{uuid.uuid4().hex[:12]}"
    _client().create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3(settings, monkeypatch, bucket, tmp_path):
    """The default storage on the S3 tier, its options read from the environment by settings' helper."""
    settings.CHIZAI_STORAGE_STATE_DIR = tmp_path / "storage-state"
    for key, value in {**S3_ENV, "CHIZAI_S3_BUCKET": bucket}.items():
        monkeypatch.setenv(key, value)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "chizai.core.storage_s3.S3Storage", "OPTIONS": storage_s3.s3_options_from_env()},
    }
    return bucket


def _object(bucket: str, name: str) -> bytes:
    return _client().get_object(Bucket=bucket, Key=name)["Body"].read()


@pytest.fixture
def asset(org, owner):
    return services.create_asset(owner, org, title_ja="金型の冷却配管", classification="confidential")


def _web(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_upload_and_download_are_byte_identical_and_the_bucket_holds_only_ciphertext(org, owner, asset, s3):
    data = MARKER.encode() + os.urandom(crypto.CHUNK * 2 + 17)  # several sealed records
    client = _web(owner)
    response = client.post(
        f"/o/{org.slug}/register/{asset.pk}/upload/", {"file": SimpleUploadedFile("cooling.bin", data)}
    )
    assert response.status_code == 302
    version = FileVersion.objects.get()
    stored = _object(s3, version.storage_name)
    assert stored.startswith(crypto.MAGIC)
    assert MARKER.encode() not in stored and data[-4096:] not in stored
    download = client.get(f"/o/{org.slug}/register/versions/{version.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data


def test_api_upload_and_download(org, owner, asset, s3):
    from chizai.core import services as core_services

    _token, secret = core_services.create_api_token(owner, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    upload = api.post(
        f"/api/orgs/{org.slug}/assets/{asset.pk}/files", {"file": SimpleUploadedFile("a.txt", MARKER.encode())}
    )
    assert upload.status_code == 201, upload.content
    download = api.get(f"/api/orgs/{org.slug}/assets/versions/{upload.json()['id']}/download")
    assert b"".join(download.streaming_content) == MARKER.encode()


def test_a_tampered_object_in_the_bucket_is_refused(org, owner, asset, s3):
    version = services.upload_version(owner, org, asset.pk, io.BytesIO(MARKER.encode()), name="a.txt")
    stored = bytearray(_object(s3, version.storage_name))
    stored[-5] ^= 1
    _client().put_object(Bucket=s3, Key=version.storage_name, Body=bytes(stored))
    response = _web(owner).get(f"/o/{org.slug}/register/versions/{version.pk}/download/")
    assert response.status_code == 409


def test_review_upload_is_sealed_in_the_bucket(org, owner, s3):
    from chizai.review.models import ContractReview
    from chizai.review.services import submit_review

    text = "第1条（秘密保持）甲及び乙は、相手方から開示された秘密情報を第三者に開示してはならない。" + MARKER
    review = submit_review(owner, org, filename="nda.txt", data=text.encode())
    review = ContractReview.objects.get(pk=review.pk)
    stored = _object(s3, review.source_storage_name)
    assert stored.startswith(crypto.MAGIC) and MARKER.encode() not in stored
    if review.status != ContractReview.Status.DONE:
        jobs.execute(review.job_id)
        review.refresh_from_db()
    assert review.status == ContractReview.Status.DONE


def test_an_index_job_reads_the_file_from_the_bucket(org, owner, asset, s3):
    services.upload_version(owner, org, asset.pk, io.BytesIO(MARKER.encode()), name="cooling.txt")
    queued = Job.objects.filter(kind="register.index", status="queued")
    assert queued.exists()
    for job in queued:  # as a worker runs it (the task queue only sees jobs once their transaction commits)
        jobs.execute(job.pk)
    assert not Job.objects.filter(kind="register.index").exclude(status="succeeded").exists()
    hits = search.search(owner, org, "流量")
    assert [h.asset_id for h in hits] == [asset.pk]


@pytest.mark.slow
def test_a_chizai_worker_process_on_the_s3_tier_indexes_an_upload(tmp_path, bucket):
    """`chizai worker --once` started as operators start it, its storage from the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHIZAI_", "DJANGO_"))}
    env.update(
        S3_ENV,
        CHIZAI_HOME=str(tmp_path),
        CHIZAI_SECRET_KEY="s3-tier-test",
        CHIZAI_STORAGE="s3",
        CHIZAI_S3_BUCKET=bucket,
        CHIZAI_MASTER_KEY=base64.b64encode(b"k" * 32).decode(),
    )

    def shell(code: str) -> str:
        result = subprocess.run([CHIZAI, "shell", "-c", code], env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    subprocess.run([CHIZAI, "migrate", "-v0"], env=env, check=True, timeout=300)
    shell(
        "import io\n"
        "from chizai.core.tests.factories import MembershipFactory, OrganizationFactory, UserFactory\n"
        "from chizai.register import services\n"
        "org = OrganizationFactory(slug='s3tier'); owner = MembershipFactory(organization=org, role='owner', user=UserFactory(username='s3owner')).user\n"
        "asset = services.create_asset(owner, org, title_ja='冷却配管', classification='confidential')\n"
        f"services.upload_version(owner, org, asset.pk, io.BytesIO({MARKER.encode()!r}), name='cooling.txt')\n"
    )
    subprocess.run([CHIZAI, "worker", "--once"], env=env, check=True, timeout=300)
    found = shell(
        "from chizai.core.models import Job, Organization\n"
        "from django.contrib.auth import get_user_model\n"
        "from chizai.register import search\n"
        "org = Organization.objects.get(slug='s3tier'); owner = get_user_model().objects.get(username='s3owner')\n"
        "print(sorted(set(Job.objects.filter(kind='register.index').values_list('status', flat=True))), len(search.search(owner, org, '流量')))"
    )
    assert found.splitlines()[-1] == "['succeeded'] 1"
