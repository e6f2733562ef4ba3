"""Demo: the sample company's skills map (12 people × 15 know-how assets) and three capture
plans for the retiring veteran's processes, at different stages — one complete and signed off,
one on track, one behind schedule (so the home page lists it).

Runs after the register's demo (``core.demo.PART_LOADERS`` order) and uses its assets by
Japanese title; idempotent: nothing is added once the company has people on the map.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from chizai.register.demo import VETERAN
from chizai.register.models import Asset
from chizai.succession import plans, prompts, services
from chizai.succession.models import Person

TITLES = [
    "チタン合金の高速切削条件",
    "薄肉部品の歪み取り手順",
    "5軸加工の治具段取りノウハウ",
    "鏡面研磨の砥石選定",
    "焼入れ条件表 SCM440",
    "初品検査の品質管理ノウハウ",
    "バリ取り作業標準書",
    "旋盤段取り作業標準書",
    "切削油の配合比率",
    "難削材の穴あけ条件",
    "ワイヤ放電加工の条件出し",
    "熱変位補正の経験則",
    "設備保全チェックリスト",
    "加工不良の原因分析集",
    "刃物研ぎ直しの勘所",
]

# name, team; one row of levels per person in TITLES order ("-" none, △ ○ ◎ as on the sheet)
PEOPLE = [
    (VETERAN, "加工課", "◎◎◎◎○△○◎◎○△◎○○◎"),
    ("鈴木 一郎", "生産技術課", "-△-○◎△◎○△◎-◎△○◎"),
    ("山口 健", "加工課", "--△△○-◎◎-△◎-◎△△"),
    ("林 由美", "品質保証課", "----△◎○-△---◎◎-"),
    ("小川 大輔", "金型課", "--△-△△△-△△○-○△-"),
    ("木村 翔", "生産技術課", "△---○△△-△○△○-○△"),
    ("田中 翔太", "加工課", "-----△○○△△--○--"),
    ("伊藤 彩", "加工課", "-△--△-○△-△--○△△"),
    ("渡辺 拓海", "加工課", "-----△○○--△-○--"),
    ("中島 美穂", "品質保証課", "---△-○○-----○○-"),
    ("加藤 大地", "金型課", "----△-△△-△○-△--"),
    ("松本 さくら", "加工課", "------△△----△--"),
]
MARK = {"-": 0, "△": 1, "○": 2, "◎": 3}

ANSWERS_TITANIUM = {
    "cue_sense": "切粉が麦わら色から青に変わり始めたら送りを5%下げる。音が一段高くなるのも合図。",
    "cue_stop": "主軸負荷は正常でも、切粉が細かく粉状になったら工具の欠けを疑って止める。",
    "cue_done": "仕上げ面に指を滑らせて引っかかりがなければRa0.8以内。測る前に分かる。",
    "cond_material": "ロットのミルシートで硬さが上限寄りなら周速を10%落とす。",
    "cond_season": "夏はクーラント温度が上がるので、午後は切込みを浅くする。",
    "cond_machine": "2号機は主軸の熱伸びが大きいので、立ち上げ後30分は暖機してから測定する。",
    "fail_worst": "2019年に工具の再研磨品を使い回してバッチ全数の寸法不良。再研磨は2回まで。",
    "fail_new": "送りを上げれば早く終わると思って工具を焼く。切粉の色を見るよう教える。",
    "fail_rule": "標準の切削速度は新品工具向け。2回目の再研磨品では標準より落とすのが正しい。",
}


def _levels(person_ids: dict[str, int], skill_ids: list[int], skip: set[tuple[str, int]]) -> dict:
    wanted = {}
    for name, _team, row in PEOPLE:
        for column, mark in enumerate(row):
            if (name, column) not in skip and MARK[mark]:
                wanted[(person_ids[name], skill_ids[column])] = MARK[mark]
    return wanted


def load_demo(company, people) -> None:
    owner = people["owner"]
    if Person.objects.filter(organization=company).exists():
        return
    today = timezone.localdate()
    assets = {a.title_ja: a for a in Asset.objects.filter(organization=company, title_ja__in=TITLES)}
    if len(assets) != len(TITLES):
        return  # the register's demo did not run: nothing to map
    retiring = today.replace(year=today.year + 1, month=3, day=31)
    person_ids = {}
    for position, (name, team, _row) in enumerate(PEOPLE):
        user = people["engineer"] if name == "鈴木 一郎" else None
        leaves_on = retiring if name == VETERAN else None
        person = services.add_person(
            owner, company, name=name, team=team, user=user, leaves_on=leaves_on, position=position
        )
        person_ids[name] = person.pk
    skill_ids = [services.add_skill(owner, company, assets[title].pk).pk for title in TITLES]
    # The successors' cells of the three plans start at none and are raised with dates below.
    successors = {0: "鈴木 一郎", 1: "田中 翔太", 2: "伊藤 彩"}
    skip = {(name, column) for column, name in successors.items()}
    services.set_levels(
        owner, company, _levels(person_ids, skill_ids, skip), source="demo", today=today - timedelta(days=300)
    )

    def plan(column, started_days_ago, target_in_days, note):
        return plans.create_plan(
            owner,
            company,
            assets[TITLES[column]].pk,
            holder_id=person_ids[VETERAN],
            successor_ids=[person_ids[successors[column]]],
            started_on=today - timedelta(days=started_days_ago),
            target_on=today + timedelta(days=target_in_days),
            note=note,
        )

    def raise_to(column, level, days_ago):
        cell = (person_ids[successors[column]], skill_ids[column])
        services.set_levels(owner, company, {cell: level}, source="demo", today=today - timedelta(days=days_ago))

    def session(plan_obj, days_ago, hours, covered, notes="", held=True):
        plans.add_session(
            owner,
            company,
            plan_obj.pk,
            held_on=today - timedelta(days=days_ago),
            hours=Decimal(hours),
            covered=covered,
            notes=notes,
            held=held,
        )

    # 1. Titanium cutting: complete — the successor can do it alone, material captured and signed off.
    titanium = plan(0, 240, 60, "定年退職までに鈴木が一人で条件出しできるようにする。")
    for days_ago, covered, notes in [
        (230, "工具選定と周速の決め方", "再研磨は2回まで"),
        (200, "切粉の色の見方", "麦わら色→青で送りを下げる"),
        (150, "ロット違いの材料での条件調整", "ミルシートの硬さを必ず見る"),
        (90, "2号機の熱変位への対処", "暖機30分"),
        (45, "鈴木が単独で段取りから仕上げまで", "指摘なし"),
    ]:
        session(titanium, days_ago, "3", covered, notes)
    raise_to(0, 1, 180)
    raise_to(0, 2, 40)
    plans.save_answers(owner, company, titanium.pk, ANSWERS_TITANIUM)
    plans.add_layer(
        owner,
        company,
        titanium.pk,
        kind="basic_sop",
        title="チタン切削 基本作業手順",
        classification="internal",
        done=True,
    )
    plans.add_layer(
        owner,
        company,
        titanium.pk,
        kind="master",
        title="チタン切削 条件出しの極意",
        classification="secret",
        done=True,
    )
    plans.sign_off(owner, company, titanium.pk)

    # 2. Thin-wall distortion: on track — half-way, the successor can do it with help.
    thin = plan(1, 150, 150, "田中を一年で一人立ちさせる。")
    for days_ago, covered in [(140, "歪みの測り方"), (100, "当て板の選び方"), (55, "加熱位置と順番")]:
        session(thin, days_ago, "2", covered, "急がせないこと")
    session(thin, -14, "2", "薄肉リングの実習（予定）", held=False)
    raise_to(1, 1, 60)
    keys = [p.key for p in prompts.PROMPTS[:3]]
    plans.save_answers(
        owner,
        company,
        thin.pk,
        dict(
            zip(
                keys,
                [
                    "叩いた音が澄んだら歪みは取れている。",
                    "光にかざして反射の揺れを見る。",
                    "定盤に置いてがたつきがなくなったら。",
                ],
                strict=True,
            )
        ),
    )
    plans.add_layer(owner, company, thin.pk, kind="basic_sop", title="歪み取り 基本作業手順", classification="internal")

    # 3. Five-axis fixtures: behind schedule — months in, the successor has not started to learn.
    five = plan(2, 180, 60, "伊藤が治具段取りを覚える。")
    session(five, 170, "1.5", "治具の種類の説明")
