"""RFC 3161 timestamps from a local openssl TSA, the local chain without one, and the export."""

import hashlib
import io
import json
import subprocess
from pathlib import Path

import pytest

from chizai.core.services import ChizaiError
from chizai.register import evidence, services
from chizai.register.models import FileVersion
from chizai.register.tests.tsa import LocalTSA


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    authority = LocalTSA(tmp_path_factory.mktemp("tsa"))
    yield authority
    authority.close()


@pytest.fixture
def with_tsa(tsa, monkeypatch):
    tsa.mode = "ok"
    monkeypatch.setenv("CHIZAI_TSA_URL", tsa.url)
    monkeypatch.setenv("CHIZAI_TSA_CA_FILE", str(tsa.ca_file))
    return tsa


@pytest.fixture
def asset(org, owner):
    return services.create_asset(owner, org, title_ja="金型図面 A-100", kind="mould_drawing", classification="secret")


def _stored(storage_dir):
    return [p for p in Path(storage_dir).rglob("*") if p.is_file()]


def test_without_tsa_version_is_chained_and_untimestamped(org, owner, asset):
    first = services.upload_version(owner, org, asset.pk, io.BytesIO(b"one"), name="a.txt")
    second = services.upload_version(owner, org, asset.pk, io.BytesIO(b"two"), name="b.txt")
    assert first.stamp == FileVersion.Stamp.UNTIMESTAMPED and first.tsa_response is None
    assert first.chain_prev == evidence.GENESIS
    assert second.chain_hash == evidence.chain_link(first.chain_hash, hashlib.sha256(b"two").hexdigest(), 2)


def test_with_tsa_token_is_verified_and_stored(org, owner, asset, with_tsa):
    version = services.upload_version(owner, org, asset.pk, io.BytesIO(b"drawing rev C"), name="a.dxf")
    version.refresh_from_db()
    assert version.stamp == FileVersion.Stamp.TIMESTAMPED
    assert version.tsa_chain_verified and version.tsa_time is not None
    token = evidence.verify_response(bytes(version.tsa_response), version.sha256)
    assert token.serial == version.tsa_serial


@pytest.mark.parametrize(
    "mode,message",
    [
        ("http-error", "HTTP 500"),
        ("wrong-hash", "different hash"),
        ("garbage", "not a valid RFC 3161"),
    ],
)
def test_tsa_failures_store_nothing(org, owner, asset, with_tsa, storage_dir, mode, message):
    with_tsa.mode = mode
    with pytest.raises(ChizaiError, match=message):
        services.upload_version(owner, org, asset.pk, io.BytesIO(b"x"), name="a.txt")
    assert not FileVersion.objects.exists() and _stored(storage_dir) == []


def test_token_from_another_authority_is_refused(org, owner, asset, with_tsa, tmp_path, monkeypatch):
    other = LocalTSA(tmp_path / "other")
    try:
        monkeypatch.setenv("CHIZAI_TSA_CA_FILE", str(other.ca_file))
        with pytest.raises(ChizaiError, match="does not verify"):
            services.upload_version(owner, org, asset.pk, io.BytesIO(b"x"), name="a.txt")
    finally:
        other.close()


def test_unreachable_tsa_is_a_clear_refusal(org, owner, asset, monkeypatch):
    monkeypatch.setenv("CHIZAI_TSA_URL", "http://127.0.0.1:9/tsa")
    with pytest.raises(ChizaiError, match="could not be reached"):
        services.upload_version(owner, org, asset.pk, io.BytesIO(b"x"), name="a.txt")


def test_export_verifies_with_openssl(org, owner, asset, with_tsa, tmp_path):
    from chizai.register import export

    services.upload_version(owner, org, asset.pk, io.BytesIO("加工条件: 800rpm".encode()), name="条件.txt")
    out = tmp_path / "evidence"
    manifest = export.export_evidence(owner, org, asset.pk, out)
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["asset"]["id"] == asset.pk and len(data["versions"]) == 1 == len(manifest["versions"])
    entry = data["versions"][0]
    content = out / entry["path"]
    assert hashlib.sha256(content.read_bytes()).hexdigest() == entry["sha256"]
    result = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-in",
            str(out / entry["token"]),
            "-data",
            str(content),
            "-CAfile",
            str(with_tsa.ca_file),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and "Verification: OK" in result.stdout
    content.write_bytes(b"forged")
    result = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-in",
            str(out / entry["token"]),
            "-data",
            str(content),
            "-CAfile",
            str(with_tsa.ca_file),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    sums = (out / "SHA256SUMS").read_text(encoding="utf-8")
    assert entry["sha256"] in sums
