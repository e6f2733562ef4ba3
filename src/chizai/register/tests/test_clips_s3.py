"""Clips on the S3 tier (moto_server in `make test-s3`): a Range is served from ranged GETs of
the sealed object, never by downloading it whole; the bucket holds only ciphertext.
Skipped like test_s3_tier unless CHIZAI_STORAGE=s3 and CHIZAI_TEST_S3_ENDPOINT_URL are set."""

import io

import boto3
import pytest
from django.test import Client

from chizai.core import storage_s3
from chizai.register import clips, crypto, services
from chizai.register.tests.clipdata import mp4
from chizai.register.tests.test_s3_tier import ENDPOINT, bucket, s3  # noqa: F401 - fixtures

pytestmark = pytest.mark.s3

CHUNK = crypto.CHUNK
MARKER = b"S3-CLIP-PLAINTEXT-41b7"


def _stored(bucket_name: str, key: str) -> bytes:
    client = boto3.client(
        "s3", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    return client.get_object(Bucket=bucket_name, Key=key)["Body"].read()


def test_a_seek_fetches_only_its_chunks_from_the_bucket(org, owner, s3, monkeypatch):  # noqa: F811 - fixture
    asset = services.create_asset(owner, org, title_ja="溶接の手元", classification="internal")
    data = mp4(5 * CHUNK + 999, marker=MARKER)
    clip = clips.upload_clip(owner, org, asset.pk, io.BytesIO(data), name="weld.mp4")
    stored = _stored(s3, clip.storage_name)
    assert stored.startswith(crypto.MAGIC) and MARKER not in stored and len(stored) == crypto.sealed_length(len(data))

    fetched: list[tuple[int, int]] = []
    real_range = storage_s3.S3Storage.read_range

    def spy(self, name, start, length):
        fetched.append((start, length))
        return real_range(self, name, start, length)

    def no_whole_download(self, name, mode="rb"):
        raise AssertionError("a clip must not be downloaded whole to serve a Range")

    monkeypatch.setattr(storage_s3.S3Storage, "read_range", spy)
    monkeypatch.setattr(storage_s3.S3Storage, "_open", no_whole_download)
    client = Client()
    client.force_login(owner)
    url = f"/o/{org.slug}/register/clips/{clip.pk}/stream"
    middle = 3 * CHUNK + 12345
    response = client.get(url, HTTP_RANGE=f"bytes={middle}-{middle + 99}")
    assert response.status_code == 206 and b"".join(response.streaming_content) == data[middle : middle + 100]
    assert sum(length for _start, length in fetched) == 16 + 4 + CHUNK + 16  # header + one record
    fetched.clear()
    whole = client.get(url, HTTP_RANGE="bytes=0-")
    assert b"".join(whole.streaming_content) == data
    assert sum(length for _start, length in fetched) == len(stored)  # every byte once, in few requests
    assert len(fetched) <= 5, fetched
