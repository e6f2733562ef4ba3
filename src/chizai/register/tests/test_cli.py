"""`chizai search` and `chizai evidence export` run the same services as the web."""
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
    refused = CliRunner().invoke(cli.app, ["evidence", "export", str(asset.pk), "--out", str(tmp_path / "p2"), "--user", "viewer1"])
    assert refused.exit_code == 2 and not (tmp_path / "p2").exists()
