"""Every fixed user-facing string of the reviewer, in Japanese and English.

Kept in one place so a test can check that both languages have the same keys.
"""
from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "ja": {
        "disclaimer": (
            "本レポートは、契約書の文言を、公正取引委員会・中小企業庁・特許庁の指針（2026年）および"
            "経済産業省・特許庁のモデル契約書に基づく参照基準と機械的に比較した結果です。"
            "法的助言ではなく、個別の事案について法律上の判断を示すものではありません（弁護士法第72条）。"
            "契約の締結・交渉にあたっては、弁護士または弁理士にご相談ください。"
        ),
        "summary_head": "30秒サマリー（{file}）",
        "summary_type": "契約類型: {types} / 当社（中小企業）側の当事者: {sme}",
        "summary_counts": "指摘 {total}件（高 {high}・中 {medium}・低 {low}）",
        "summary_none": "参照基準に照らして目立つ問題は見つかりませんでした。ただし、見落としがないとは限りません。",
        "summary_top": "特に確認すべき点:",
        "summary_top_item": "{n}. [{severity}] {title}（{clause}）",
        "summary_missing": "欠けている／弱い項目: {items}",
        "summary_missing_none": "チェックリストの必須項目はすべて確認できました。",
        "summary_sme_unknown": "不明（--sme で指定してください）",
        "summary_no_rules": "（ルールエンジンが未導入のため、指摘は行っていません）",
        "severity_HIGH": "高",
        "severity_MEDIUM": "中",
        "severity_LOW": "低",
        "status_present": "あり",
        "status_missing": "なし",
        "status_weak": "不十分",
        "no_clause": "契約全体",
        "heading_findings": "指摘事項",
        "heading_checklist": "チェックリスト",
        "heading_summary": "サマリー",
        "heading_contract": "契約書本文",
        "heading_disclaimer": "ご注意",
        "label_reason": "理由",
        "label_basis": "根拠",
        "label_balanced": "バランスの取れた代替案",
        "label_question": "相手方への確認事項",
        "label_clause": "条項",
        "label_text": "該当箇所",
        "label_language": "言語",
        "label_type": "契約類型",
        "label_sme": "中小企業側",
        "label_elapsed": "処理時間",
        "label_item": "項目",
        "label_status": "状態",
        "report_title": "契約書レビュー",
        "commentary_note": "（解説部分：レビュー対象外）",
        "error_prefix": "エラー",
        "err_encrypted_pdf": "PDFにパスワードが設定されています。パスワードを解除したファイルをアップロードしてください。",
        "err_scanned_pdf": "PDFに文字情報がありません（スキャン画像）。OCR処理をするか、Word・テキスト版をご用意ください。",
        "err_broken_pdf": "PDFファイルが壊れているか、PDFではありません。",
        "err_empty": "レビューできる文字がありません。",
        "err_binary": "テキストではないファイルです。PDF・DOCX・TXT・Markdownをご利用ください。",
        "err_unsupported_type": "このファイル形式には対応していません。PDF・DOCX・TXT・Markdownをご利用ください。",
        "err_broken_docx": "Wordファイルが壊れているため読み込めません。",
        "err_encrypted_docx": "Wordファイルにパスワードが設定されています。",
        "err_too_large": "ファイルが大きすぎます。契約書を分割してください。",
        "err_unknown_language": "日本語または英語の契約書のみレビューできます。",
        "err_bad_type": "契約類型の指定が正しくありません。",
        "err_not_found": "ファイルが見つかりません。",
    },
    "en": {
        "disclaimer": (
            "This report compares the wording of the contract with a reference based on the 2026 guidelines "
            "of the Japan Fair Trade Commission, the SME Agency and the Japan Patent Office and on the "
            "METI/JPO model contracts. It is an automated comparison, not legal advice, and it does not "
            "judge the legality of any particular case (Attorneys Act, Art. 72). Before you sign or "
            "negotiate, consult a lawyer (bengoshi) or a patent attorney (benrishi)."
        ),
        "summary_head": "30-second summary ({file})",
        "summary_type": "Contract type: {types} / SME party: {sme}",
        "summary_counts": "{total} findings ({high} high, {medium} medium, {low} low)",
        "summary_none": "No clear problem was found against the reference. That does not prove there is none.",
        "summary_top": "Check these first:",
        "summary_top_item": "{n}. [{severity}] {title} ({clause})",
        "summary_missing": "Missing or weak: {items}",
        "summary_missing_none": "All required checklist items were found.",
        "summary_sme_unknown": "unknown (set it with --sme)",
        "summary_no_rules": "(the rules engine is not installed, so no findings were produced)",
        "severity_HIGH": "HIGH",
        "severity_MEDIUM": "MEDIUM",
        "severity_LOW": "LOW",
        "status_present": "present",
        "status_missing": "missing",
        "status_weak": "weak",
        "no_clause": "whole contract",
        "heading_findings": "Findings",
        "heading_checklist": "Checklist",
        "heading_summary": "Summary",
        "heading_contract": "Contract text",
        "heading_disclaimer": "Please note",
        "label_reason": "Why",
        "label_basis": "Basis",
        "label_balanced": "Balanced alternative",
        "label_question": "Question to ask",
        "label_clause": "Clause",
        "label_text": "Text",
        "label_language": "Language",
        "label_type": "Contract type",
        "label_sme": "SME party",
        "label_elapsed": "Time",
        "label_item": "Item",
        "label_status": "Status",
        "report_title": "Contract review",
        "commentary_note": "(commentary: not reviewed)",
        "error_prefix": "error",
        "err_encrypted_pdf": "The PDF is password-protected. Upload a copy without a password.",
        "err_scanned_pdf": "The PDF has no text layer (scanned). Run OCR first or upload the Word/text version.",
        "err_broken_pdf": "The PDF is damaged or not a PDF.",
        "err_empty": "There is no text to review.",
        "err_binary": "This is not a text file. Use PDF, DOCX, TXT or Markdown.",
        "err_unsupported_type": "This file type is not supported. Use PDF, DOCX, TXT or Markdown.",
        "err_broken_docx": "The Word file is damaged and cannot be read.",
        "err_encrypted_docx": "The Word file is password-protected.",
        "err_too_large": "The file is too large. Split the contract.",
        "err_unknown_language": "Only Japanese and English contracts can be reviewed.",
        "err_bad_type": "The contract type is not valid.",
        "err_not_found": "File not found.",
    },
}


def msg(lang: str, key: str, **kw) -> str:
    table = MESSAGES.get(lang) or MESSAGES["en"]
    text = table.get(key) or MESSAGES["en"].get(key, key)
    return text.format(**kw) if kw else text


def disclaimer(lang: str) -> str:
    """Both languages, the document's first: the legal caveat must reach every reader."""
    other = "en" if lang == "ja" else "ja"
    return msg(lang, "disclaimer") + "\n\n" + msg(other, "disclaimer")


def error_message(code: str, lang: str = "en") -> str:
    """Short localised text for a ``ReviewInputError`` code (for web forms)."""
    return msg(lang, f"err_{code}")
