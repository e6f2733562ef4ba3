"""`chizai search`, `chizai upload` and `chizai evidence export` run the same services as the web."""

import io
import json

from typer.testing import CliRunner

from chizai import cli
from chizai.core import jobs
from chizai.core.models import Job
from chizai.register import services


def _index():
    for job in Job.objects.filter(kind="register.index", status="queued"):
        jobs.execute(job.pk)


def test_search_json_respects_the_user(org, people):
    services.create_asset(people["owner"], org, title_ja="金型の冷却ノウハウ", classification="secret")
    public = services.create_asset(people["owner"], org, title_ja="金型の展示会資料", classification="public")
    _index()
    runner = CliRunner()
    result = runner.invoke(cli.app, ["search", "金型", "--org", org.slug, "--user", "owner1", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)) == 2
    result = runner.invoke(cli.app, ["search", "金型", "--org", org.slug, "--user", "viewer1", "--format", "json"])
    hits = json.loads(result.output)
    assert [h["asset_id"] for h in hits] == [public.pk]
    assert set(hits[0]) == {"asset_id", "title", "snippet", "score", "file"}


def test_search_unknown_org_or_user(org, people):
    runner = CliRunner()
    assert runner.invoke(cli.app, ["search", "x", "--org", "nope", "--user", "owner1"]).exit_code == 2
    assert runner.invoke(cli.app, ["search", "x", "--org", org.slug, "--user", "ghost"]).exit_code == 2


def test_evidence_export_writes_a_package(org, people, tmp_path):
    asset = services.create_asset(people["owner"], org, title_ja="図面", classification="confidential")
    services.upload_version(people["owner"], org, asset.pk, io.BytesIO(b"drawing"), name="a.dxf")
    out = tmp_path / "pkg"
    result = CliRunner().invoke(cli.app, ["evidence", "export", str(asset.pk), "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["versions"][0]["stamp"] == "untimestamped"
    assert (out / manifest["versions"][0]["path"]).read_bytes() == b"drawing"
    refused = CliRunner().invoke(
        cli.app, ["evidence", "export", str(asset.pk), "--out", str(tmp_path / "p2"), "--user", "viewer1"]
    )
    assert refused.exit_code == 2 and not (tmp_path / "p2").exists()


def test_upload_stores_versions_as_the_web_does(org, people, tmp_path):
    from chizai.register.models import FileVersion

    asset = services.create_asset(people["owner"], org, title_ja="金型図面 P-7", classification="confidential")
    drawing = tmp_path / "P-7.dxf"
    drawing.write_bytes(b"first drawing")
    runner = CliRunner()
    result = runner.invoke(cli.app, ["upload", str(asset.pk), str(drawing), "--user", "engineer1"])
    assert result.exit_code == 0, result.output
    first = FileVersion.objects.get(file__asset=asset)
    assert "P-7.dxf v1" in result.output and first.sha256 in result.output
    drawing.write_bytes(b"second drawing")
    result = runner.invoke(cli.app, ["upload", str(asset.pk), str(drawing), "--file-id", str(first.file_id)])
    assert result.exit_code == 0, result.output
    assert list(FileVersion.objects.filter(file=first.file_id).values_list("number", flat=True).order_by("number")) == [
        1,
        2,
    ]
    _version, stream = services.download(people["owner"], org, FileVersion.objects.get(file=first.file_id, number=2).pk)
    assert b"".join(stream) == b"second drawing"


def test_upload_refusals_exit_with_a_reason(org, people, tmp_path):
    from chizai.register.models import FileVersion

    asset = services.create_asset(people["owner"], org, title_ja="配合表", classification="confidential")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    runner = CliRunner()
    missing = runner.invoke(cli.app, ["upload", str(asset.pk), str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2 and "No such file" in missing.output
    assert runner.invoke(cli.app, ["upload", "999999", str(empty)]).exit_code == 2
    viewer = runner.invoke(cli.app, ["upload", str(asset.pk), str(empty), "--user", "viewer1"])
    assert viewer.exit_code == 2 and "may not change" in viewer.output
    refused = runner.invoke(cli.app, ["upload", str(asset.pk), str(empty)])
    assert refused.exit_code == 1 and "empty" in refused.output
    assert not FileVersion.objects.filter(file__asset=asset).exists()
