"""Demo: one clip of hands at work (issue 16) on the retiring veteran's fixture set-up know-how,
with its poster and four chapter marks. The clip was drawn and recorded by chromium
(tools/make_demo_clip.py: no video encoder is installed) and goes through the same upload
as any clip, so the demo's copy is sealed like a real one."""

from __future__ import annotations

from pathlib import Path

from chizai.register import clips
from chizai.register.models import Asset

DATA = Path(__file__).resolve().parent / "demo_data"
ASSET_TITLE = "5軸加工の治具段取りノウハウ"
CHAPTERS = [
    ("0:00", "基準面を拭く", "切粉が一つでも残ると振れが出る。ウエスの後に指でなぞって確かめる。"),
    ("0:02", "クランプを対角に仮締め", "一箇所ずつ本締めしない。対角の順で軽く当てて、ワークを浮かせない。"),
    ("0:04", "本締め 25 N·m", "トルクレンチで同じ対角順。締め過ぎると薄肉部が歪む。"),
    ("0:06", "ダイヤルゲージで振れ確認", "振れ 0.01 mm 以内。超えたら緩めて基準面の清掃からやり直す。"),
]


def load_demo(company, people) -> None:
    owner = people["owner"]
    asset = Asset.objects.filter(organization=company, title_ja=ASSET_TITLE).first()
    if asset is None or asset.clips.exists():
        return
    with open(DATA / "jig_setup.webm", "rb") as handle:
        clip = clips.upload_clip(
            owner, company, asset.pk, handle, name="治具段取り.webm", title="治具の段取り（クランプは対角に）"
        )
    with open(DATA / "jig_setup.jpg", "rb") as handle:
        clips.set_poster(owner, company, clip.pk, handle)
    for at, title, note in CHAPTERS:
        clips.add_chapter(owner, company, clip.pk, at=at, title=title, note=note)
