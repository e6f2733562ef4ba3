"""Demo register for サンプル精工: about forty assets, a few generated documents, and the
situations the register exists for — a veteran retiring next year who alone holds three
critical processes, and a failed-test dataset from a past joint project.

Idempotent: an asset whose Japanese title already exists is left alone.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from chizai import pdfkit
from chizai.register import services
from chizai.register.models import Asset

VETERAN = "山本 勝 (加工課 職長)"

# title_ja, title_en, kind, classification, business value, documented, holders, tags, extra fields
# title_ja, title_en, kind, classification, business value, documented, holders, tags, other fields
ASSETS: list[tuple[str, str, str, str, str, bool, list[str], list[str], dict[str, Any]]] = [
    (
        "チタン合金の高速切削条件",
        "High-speed cutting conditions for titanium alloy",
        "process_conditions",
        "secret",
        "high",
        False,
        [VETERAN],
        ["切削", "チタン"],
        {},
    ),
    (
        "薄肉部品の歪み取り手順",
        "Distortion correction for thin-walled parts",
        "know_how",
        "secret",
        "high",
        False,
        [VETERAN],
        ["歪み", "熟練"],
        {},
    ),
    (
        "5軸加工の治具段取りノウハウ",
        "Fixture set-up know-how for 5-axis machining",
        "know_how",
        "confidential",
        "high",
        False,
        [VETERAN],
        ["治具", "5軸"],
        {},
    ),
    (
        "鏡面研磨の砥石選定",
        "Grinding-wheel choice for mirror polishing",
        "know_how",
        "confidential",
        "high",
        True,
        [VETERAN, "鈴木 一郎"],
        ["研磨"],
        {},
    ),
    (
        "焼入れ条件表 SCM440",
        "Hardening conditions SCM440",
        "process_conditions",
        "confidential",
        "medium",
        True,
        ["鈴木 一郎"],
        ["熱処理"],
        {},
    ),
    (
        "アルミダイカスト金型図面 A-120",
        "Die-casting mould drawing A-120",
        "mould_drawing",
        "secret",
        "high",
        True,
        ["小川 大輔"],
        ["金型", "図面"],
        {},
    ),
    (
        "プレス金型図面 P-33",
        "Press die drawing P-33",
        "mould_drawing",
        "confidential",
        "medium",
        True,
        ["小川 大輔"],
        ["金型"],
        {},
    ),
    (
        "ブラケット部品図 B-551",
        "Bracket part drawing B-551",
        "drawing",
        "internal",
        "medium",
        True,
        ["小川 大輔"],
        ["図面"],
        {},
    ),
    (
        "ギアハウジング3Dモデル",
        "Gear housing 3D model",
        "cad",
        "confidential",
        "medium",
        True,
        ["木村 翔"],
        ["CAD"],
        {},
    ),
    (
        "共同開発 軽量ブラケット 疲労試験データ (不合格)",
        "Joint project lightweight bracket fatigue test (failed)",
        "test_data",
        "confidential",
        "high",
        True,
        ["木村 翔"],
        ["共同開発", "疲労試験"],
        {"failed_result": True, "origin": "joint", "partner_name": "大手輸送機器株式会社"},
    ),
    (
        "表面粗さ測定結果 2025年度",
        "Surface roughness measurements FY2025",
        "test_data",
        "internal",
        "low",
        True,
        ["林 由美"],
        ["品質"],
        {},
    ),
    (
        "三次元測定機の測定プログラム",
        "CMM measurement programs",
        "software",
        "internal",
        "medium",
        True,
        ["林 由美"],
        ["品質", "測定"],
        {},
    ),
    (
        "初品検査の品質管理ノウハウ",
        "First-article inspection QC know-how",
        "qc_know_how",
        "confidential",
        "medium",
        False,
        ["林 由美"],
        ["品質"],
        {},
    ),
    (
        "バリ取り作業標準書",
        "Deburring work standard",
        "sop",
        "internal",
        "medium",
        True,
        ["鈴木 一郎", "山口 健"],
        ["作業標準"],
        {},
    ),
    (
        "旋盤段取り作業標準書",
        "Lathe set-up work standard",
        "sop",
        "internal",
        "low",
        True,
        ["山口 健", "鈴木 一郎"],
        ["作業標準"],
        {},
    ),
    (
        "切削油の配合比率",
        "Cutting-fluid mixing ratio",
        "recipe",
        "confidential",
        "medium",
        False,
        [VETERAN],
        ["切削油"],
        {},
    ),
    (
        "防錆処理液の配合",
        "Rust-prevention bath formulation",
        "recipe",
        "internal",
        "low",
        True,
        ["山口 健"],
        ["防錆"],
        {},
    ),
    (
        "主要顧客の品質要求まとめ",
        "Key customers' quality requirements",
        "customer_info",
        "confidential",
        "high",
        True,
        ["佐藤 花子"],
        ["顧客"],
        {},
    ),
    (
        "見積原価計算シート",
        "Cost-estimation worksheet",
        "dataset",
        "confidential",
        "medium",
        True,
        ["佐藤 花子"],
        ["見積"],
        {},
    ),
    ("工具寿命データベース", "Tool-life database", "dataset", "internal", "medium", True, ["木村 翔"], ["工具"], {}),
    (
        "特許 第7xxxxxx号 クランプ機構",
        "Patent: clamping mechanism",
        "patent",
        "public",
        "high",
        True,
        ["山田 太郎"],
        ["特許"],
        {
            "right_number": "特許第7123456号",
            "right_filed_on": date(2021, 6, 1),
            "right_registered_on": date(2023, 9, 14),
            "right_expires_on": date(2041, 6, 1),
            "protection_strategy": "patent",
        },
    ),
    (
        "特許出願 冷却ノズル",
        "Patent application: coolant nozzle",
        "patent",
        "internal",
        "medium",
        True,
        ["木村 翔"],
        ["特許"],
        {"right_number": "特願2025-012345", "right_filed_on": date(2025, 2, 3), "protection_strategy": "patent"},
    ),
    (
        "実用新案 工具ホルダー",
        "Utility model: tool holder",
        "utility_model",
        "public",
        "low",
        True,
        ["山口 健"],
        ["実用新案"],
        {
            "right_number": "実用新案登録第3234567号",
            "right_filed_on": date(2020, 4, 10),
            "right_registered_on": date(2020, 7, 1),
        },
    ),
    (
        "意匠 操作パネル",
        "Design: operation panel",
        "design",
        "public",
        "low",
        True,
        ["小川 大輔"],
        ["意匠"],
        {"right_number": "意匠登録第1700000号"},
    ),
    (
        "商標 SAMPLE-SEIKO",
        "Trademark SAMPLE-SEIKO",
        "trademark",
        "public",
        "medium",
        True,
        ["山田 太郎"],
        ["商標"],
        {"right_number": "商標登録第6500000号"},
    ),
    (
        "難削材の穴あけ条件",
        "Drilling conditions for difficult materials",
        "process_conditions",
        "confidential",
        "high",
        False,
        ["鈴木 一郎"],
        ["穴あけ"],
        {},
    ),
    (
        "ワイヤ放電加工の条件出し",
        "Wire-EDM condition setting",
        "process_conditions",
        "confidential",
        "medium",
        True,
        ["山口 健"],
        ["放電加工"],
        {},
    ),
    (
        "熱変位補正の経験則",
        "Rules of thumb for thermal-drift compensation",
        "know_how",
        "confidential",
        "high",
        False,
        ["鈴木 一郎"],
        ["熟練"],
        {},
    ),
    (
        "設備保全チェックリスト",
        "Equipment maintenance checklist",
        "sop",
        "internal",
        "low",
        True,
        ["山口 健", "林 由美"],
        ["保全"],
        {},
    ),
    (
        "溶接ひずみ対策の試作結果",
        "Welding distortion trial results",
        "test_data",
        "internal",
        "medium",
        True,
        ["木村 翔"],
        ["溶接"],
        {},
    ),
    (
        "取引先向け会社案内",
        "Company brochure for customers",
        "other",
        "public",
        "low",
        True,
        ["佐藤 花子"],
        ["営業"],
        {},
    ),
    (
        "量産立ち上げの工程設計ノウハウ",
        "Process design for ramp-up",
        "know_how",
        "confidential",
        "high",
        True,
        ["佐藤 花子", "鈴木 一郎"],
        ["工程設計"],
        {},
    ),
    (
        "受託開発 センサー筐体 設計データ",
        "Contract development: sensor housing design",
        "cad",
        "confidential",
        "medium",
        True,
        ["木村 翔"],
        ["受託"],
        {"origin": "transaction", "partner_name": "電子部品メーカーA社"},
    ),
    (
        "共同開発 樹脂金型の流動解析",
        "Joint project: resin-mould flow analysis",
        "dataset",
        "confidential",
        "medium",
        True,
        ["小川 大輔"],
        ["共同開発", "金型"],
        {"origin": "joint", "partner_name": "大手輸送機器株式会社"},
    ),
    (
        "加工不良の原因分析集",
        "Collection of defect root-cause analyses",
        "qc_know_how",
        "internal",
        "medium",
        True,
        ["林 由美"],
        ["品質"],
        {},
    ),
    (
        "生産管理システムの設定",
        "Production-control system settings",
        "software",
        "internal",
        "low",
        True,
        ["山口 健"],
        ["IT"],
        {},
    ),
    (
        "検査治具の設計基準",
        "Design rules for inspection gauges",
        "know_how",
        "internal",
        "medium",
        False,
        ["小川 大輔"],
        ["治具"],
        {},
    ),
    (
        "刃物研ぎ直しの勘所",
        "Knack of regrinding cutting tools",
        "know_how",
        "confidential",
        "medium",
        False,
        ["鈴木 一郎"],
        ["工具", "熟練"],
        {},
    ),
    (
        "試作品の公開済み論文",
        "Published paper on a prototype (defensive publication)",
        "other",
        "public",
        "low",
        True,
        ["木村 翔"],
        ["公開"],
        {"protection_strategy": "publish_defensively", "protection_reason": "特許化せず先に公開して他社の権利化を防ぐ"},
    ),
    (
        "材料ロット別の切削抵抗データ",
        "Cutting-force data by material lot",
        "dataset",
        "internal",
        "low",
        True,
        ["木村 翔"],
        ["切削"],
        {},
    ),
]


def _pdf(title: str, lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = pdfkit.japanese_font()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont(font, 14)
    page.drawString(60, 780, title)
    page.setFont(font, 10)
    for index, line in enumerate(lines):
        page.drawString(60, 750 - index * 16, line)
    page.save()
    return buffer.getvalue()


def _docx(title: str, lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx(title: str, rows: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.worksheets[0]  # the one a new workbook has (book.active)
    sheet.title = "data"
    sheet.append([title])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FILES = {
    "チタン合金の高速切削条件": (
        "切削条件表.pdf",
        lambda: _pdf(
            "Ti-6Al-4V 高速切削条件",
            [
                "切削速度 60 m/min、送り 0.08 mm/rev、切込み 0.5 mm",
                "クーラント 高圧 7 MPa、工具 超硬コーティング",
                "工具摩耗が 0.2 mm に達したら交換 (山本職長の経験則)",
            ],
        ),
    ),
    "バリ取り作業標準書": (
        "バリ取り作業標準書.docx",
        lambda: _docx(
            "バリ取り作業標準書",
            ["1. 面取り工具で 0.2 mm C 面を取る", "2. エアブローで切粉を除去する", "3. 目視と指先でバリ残りを確認する"],
        ),
    ),
    "共同開発 軽量ブラケット 疲労試験データ (不合格)": (
        "疲労試験結果.xlsx",
        lambda: _xlsx(
            "疲労試験 (不合格) 軽量ブラケット",
            [
                ["試験片", "荷重 kN", "サイクル数", "判定"],
                ["TP-1", 12, 85000, "破断"],
                ["TP-2", 12, 92000, "破断"],
                ["TP-3", 10, 310000, "破断"],
                ["目標", 12, 1000000, "未達"],
            ],
        ),
    ),
    "焼入れ条件表 SCM440": (
        "焼入れ条件.pdf",
        lambda: _pdf("SCM440 焼入れ条件", ["加熱 850℃ 60分、油冷", "焼戻し 550℃ 90分"]),
    ),
    "表面粗さ測定結果 2025年度": (
        "表面粗さ.xlsx",
        lambda: _xlsx("表面粗さ測定結果", [["部品", "Ra"], ["B-551", 0.8], ["A-120", 0.4]]),
    ),
}


def load_demo(company, people) -> None:
    owner = people["owner"]
    today = date.today()
    retiring = date(today.year + 1, 3, 31)
    existing = set(Asset.objects.filter(organization=company).values_list("title_ja", flat=True))
    for title_ja, title_en, kind, classification, value, documented, holders, tags, extra in ASSETS:
        if title_ja in existing:
            continue
        fields: dict[str, Any] = {
            "title_ja": title_ja,
            "title_en": title_en,
            "kind": kind,
            "classification": classification,
            "business_value": value,
            "documented": documented,
            "tags": tags,
            "description": f"{title_ja}。{title_en}.",
            "next_review": today + timedelta(days=30 * (len(title_ja) % 12) - 60),
            "ts_marked": classification in ("confidential", "secret"),
            "ts_access_restricted": classification in ("confidential", "secret"),
            "ts_listed": classification == "secret",
            "ts_useful": True,
            "ts_not_public": classification != "public",
            "protection_strategy": "keep_secret" if classification in ("confidential", "secret") else "undecided",
            **extra,
        }
        asset = services.create_asset(owner, company, **fields)
        for name in holders:
            user = people["engineer"] if name == "鈴木 一郎" else None
            services.add_holder(
                owner,
                company,
                asset.pk,
                name=name,
                user=user,
                leaves_on=retiring if name == VETERAN else None,
                note="定年退職予定" if name == VETERAN else "",
            )
        if title_ja in FILES:
            filename, make = FILES[title_ja]
            services.upload_version(owner, company, asset.pk, io.BytesIO(make()), name=filename)
