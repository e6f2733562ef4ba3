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
        "err_unpacked_too_large": "Wordファイルを展開すると大きすぎるため（zip爆弾の疑い）、開かずに拒否しました。Wordで保存し直してください。",
        "err_too_large": "ファイルが大きすぎます。契約書を分割してください。",
        "err_unknown_language": "日本語または英語の契約書のみレビューできます。",
        "err_bad_type": "契約類型の指定が正しくありません。",
        "err_not_found": "ファイルが見つかりません。",
        "detect_sme_uncertain": (
            "注意: どの当事者が中小企業（当社）側か確信できません（判定: {sme}、確からしさ {confidence}）。"
            "見つかった当事者: {candidates}。指摘の向きはこの判定で変わるため、違う場合は当社側の当事者を指定して"
            "再レビューしてください（--sme、または画面で選択）。"
        ),
        "detect_sme_missing": "注意: 当事者を特定できませんでした。当社側の当事者を指定して再レビューしてください（--sme）。",
        "detect_sme_not_found": "注意: 指定された当事者「{given}」は契約書に見つからないため、判定した「{sme}」を当社側として扱いました。",
        "detect_type_uncertain": (
            "注意: 契約類型の判定が不確かです（判定: {types}、確からしさ {confidence}）。違う場合は類型を指定して"
            "再レビューしてください（--type、または画面で選択）。"
        ),
        "label_quote": "該当する文",
        "label_parallel": "対訳",
        "reading_bilingual": "日本語と英語の対訳契約書として、両方の言語でレビューしました（同じ条項への同じ指摘は1件にまとめています）。",
        "reading_no_numbering": "条項番号が見つかりません。指摘の箇所は段落の順番（第N段落）で示します。",
        "reading_ocr": "OCRで読み取ったような文字列です（語の途中の改行・ハイフン、文字間の空白）。読み違えている箇所があるかもしれません。原本と照らし合わせてください。",
        "paragraph_ref": "第{n}段落",
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
        "err_unpacked_too_large": "The Word file unpacks to far too much data (a possible zip bomb), so it was refused unopened. Save it again from Word.",
        "err_too_large": "The file is too large. Split the contract.",
        "err_unknown_language": "Only Japanese and English contracts can be reviewed.",
        "err_bad_type": "The contract type is not valid.",
        "err_not_found": "File not found.",
        "detect_sme_uncertain": (
            "Note: it is not clear which party is the SME (your side): detected {sme}, confidence {confidence}. "
            "Parties found: {candidates}. The direction of the findings depends on this choice; if it is wrong, "
            "name your party and review again (--sme, or choose it on the review page)."
        ),
        "detect_sme_missing": "Note: the parties could not be identified. Name your party and review again (--sme).",
        "detect_sme_not_found": "Note: the party '{given}' was not found in the contract, so the detected party {sme} is treated as the SME.",
        "detect_type_uncertain": (
            "Note: the contract type is uncertain: detected {types}, confidence {confidence}. If it is wrong, "
            "set the type and review again (--type, or choose it on the review page)."
        ),
        "label_quote": "Sentence",
        "label_parallel": "Other language",
        "reading_bilingual": "Bilingual contract: reviewed in both Japanese and English (the same finding on both versions of a clause is reported once).",
        "reading_no_numbering": "No clause numbering found: findings cite paragraphs by their position (paragraph N).",
        "reading_ocr": "The text looks like OCR with broken lines (words split across lines or hyphenated, spaces between characters); some wording may be misread. Check against the original.",
        "paragraph_ref": "Paragraph {n}",
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


def detection_note(lang: str, detection: dict | None) -> list[str]:
    """What the reader must confirm about the detected SME party and contract type."""
    if not detection:
        return []
    lines: list[str] = []
    sme = detection.get("sme") or {}
    uncertain = detection.get("uncertain") or []
    sep = "、" if lang == "ja" else "; "

    def who(c: dict) -> str:
        return (
            f"{c['label']}（{c['name']}）"
            if lang == "ja" and c.get("name")
            else (f"{c['label']} ({c['name']})" if c.get("name") else c["label"])
        )

    if sme.get("source") == "override_not_found":
        lines.append(msg(lang, "detect_sme_not_found", given=sme.get("given") or "", sme=sme.get("label") or "-"))
    elif "sme" in uncertain:
        cands = sme.get("candidates") or []
        if sme.get("label") is None or not cands:
            lines.append(msg(lang, "detect_sme_missing"))
        else:
            lines.append(
                msg(
                    lang,
                    "detect_sme_uncertain",
                    sme=sme["label"],
                    confidence=f"{sme.get('confidence', 0):.2f}",
                    candidates=sep.join(who(c) for c in cands),
                )
            )
    if "type" in uncertain:
        t = detection.get("types") or {}
        lines.append(
            msg(
                lang,
                "detect_type_uncertain",
                types=", ".join(t.get("codes") or []) or "-",
                confidence=f"{t.get('confidence', 0):.2f}",
            )
        )
    return lines


# Why a finding fired, read from the clause representation (engine/feedback.explain_why):
# one sentence built from these fragments per act kind, party, object and consideration.
_WHY: dict[str, dict[str, str]] = {
    "ja": {
        "why_sentence": "この条項では、{acts}{cons}{extra}。",
        "why_sentence_nocons": "この条項は否定の形で書かれています（{acts}）{extra}。",
        "why_pattern": "この指摘は、条項の文言がルール「{rule}」の定める表現に一致したため出ています。",
        "why_term_used": "この文言は定義語「{term}」の定義にあり、その定義語を{clause}が引き渡し・移転などの対象として使っています。",
        "why_terms": "（定義語{terms}を含む）",
        "why_term": "「{term}」",
        "why_wide": "（{items}）",
        "why_limits": "（限定: {items}）",
        "why_neg": "{act}、とはしない",
        "why_join": "、",
        "why_obj_sep": "・",
        "why_cons_paid": "、対価は『別途支払われる』とされています",
        "why_cons_waived": "、対価は『不要』とされています",
        "why_cons_included": "、対価は『代金・報酬に含まれる』とされています",
        "why_cons_none": "、対価についての定めはありません",
        "why_to_SME": "当社",
        "why_to_LARGE": "相手方",
        "why_to_MUTUAL": "双方",
        "why_to_NONE": "いずれかの当事者",
        "why_act_own": "{objects}の権利が{to}に移り",
        "why_act_license": "{objects}の利用が{to}に許諾され",
        "why_act_provide": "{objects}を{to}に提供することになり",
        "why_act_pass_on": "{objects}が{to}から第三者に渡され得て",
        "why_act_restrict": "{to}による{objects}の利用が制限され",
        "why_act_decide": "{objects}について{to}が決め",
        "why_act_warrant": "{objects}について{to}に保証することになり",
        "why_act_retain": "{objects}を{to}が保持し",
        "why_act_price_covers": "{objects}の対価が代金に含まれるとされ",
        "why_act_no_assert": "{objects}について{to}に権利を行使しないことになり",
        "why_act_other": "{objects}について{to}に関する定めがあり",
        "why_objects_none": "対象",
        "why_obj_ip": "知的財産",
        "why_obj_results": "成果物",
        "why_obj_knowhow": "ノウハウ",
        "why_obj_data": "データ",
        "why_obj_drawings": "図面・資料",
        "why_obj_improvements": "改良技術",
        "why_obj_background": "既存技術（バックグラウンド）",
        "why_obj_all_rights": "一切の権利",
        "why_obj_suggestions": "提案・意見",
        "why_obj_information": "情報",
        "why_obj_support": "技術支援",
        "why_obj_price": "価格",
        "why_obj_infringement": "権利侵害への対応",
        "why_obj_prototypes": "試作品",
        "why_origin_SME": "当社が持ち込んだ{objects}",
        "why_origin_LARGE": "相手方が持ち込んだ{objects}",
        "why_wide_perpetual": "無期限",
        "why_wide_irrevocable": "撤回不能",
        "why_wide_sublicensable": "再許諾可能",
        "why_wide_exclusive": "独占的",
        "why_wide_any_purpose": "目的の限定なし",
        "why_limit_purpose": "目的",
        "why_limit_keep": "当社の既存技術は除く",
        "why_limit_funding": "費用負担を理由とする",
        "why_limit_non_use": "目的外使用の禁止",
        "why_limit_agreement": "別途協議",
        "why_limit_cause": "正当な理由がある場合",
        "why_limit_no_analysis": "解析の禁止",
        "why_limit_wide_purpose": "広い目的",
        "why_limit_written_only": "書面に限る",
        "why_limit_weak_remedy": "弱い救済",
        "why_limit_residuals": "記憶に残った情報の例外",
        "why_limit_wide_theme": "広いテーマ",
        "why_limit_marking": "表示のあるものに限る",
        "why_limit_unmarked": "表示のないものも含む",
        "why_limit_on_request": "求めに応じて",
        "why_limit_after_term": "契約終了後も",
        "why_limit_any_field": "分野の限定なし",
        "why_limit_exit": "契約終了・支配権の変更時",
        "heading_marked_wrong": "貴社が誤りと判断した指摘",
        "heading_added": "貴社が追加した指摘",
        "label_why": "なぜ指摘したか",
        "marked_wrong_on": "{date}に貴社が誤りと判断（理由: {reason}）",
    },
    "en": {
        "why_sentence": "Here {acts}{cons}{extra}.",
        "why_sentence_nocons": "Here {acts}{extra}.",
        "why_pattern": "This finding fired because the clause's wording matched the wording of rule {rule}.",
        "why_term_used": "The wording is in the definition of “{term}”, and {clause} uses that term for what is handed over or transferred.",
        "why_terms": " (defined term {terms})",
        "why_term": '"{term}"',
        "why_wide": " ({items})",
        "why_limits": " (limited: {items})",
        "why_neg": "it is ruled out that {act}",
        "why_join": ", and ",
        "why_obj_sep": " and ",
        "why_cons_paid": ", and a separate payment is stated",
        "why_cons_waived": ", and no payment is made",
        "why_cons_included": ", and the price or fee is deemed to cover it",
        "why_cons_none": ", and nothing is said about payment",
        "why_to_SME": "your side",
        "why_to_LARGE": "the other side",
        "why_to_MUTUAL": "both sides",
        "why_to_NONE": "a party",
        "why_act_own": "ownership of {objects} moves to {to}",
        "why_act_license": "{to} gets a licence to {objects}",
        "why_act_provide": "{objects} must be handed to {to}",
        "why_act_pass_on": "{objects} may be passed on by {to} to others",
        "why_act_restrict": "{to} is restricted in using {objects}",
        "why_act_decide": "{to} decides on {objects}",
        "why_act_warrant": "a warranty on {objects} is given to {to}",
        "why_act_retain": "{to} keeps {objects}",
        "why_act_price_covers": "the price is deemed to cover {objects}",
        "why_act_no_assert": "{to} is promised that no rights in {objects} will be asserted",
        "why_act_other": "the clause provides for {objects} with {to}",
        "why_objects_none": "what the clause covers",
        "why_obj_ip": "intellectual property",
        "why_obj_results": "results",
        "why_obj_knowhow": "know-how",
        "why_obj_data": "data",
        "why_obj_drawings": "drawings and documents",
        "why_obj_improvements": "improvements",
        "why_obj_background": "background technology",
        "why_obj_all_rights": "all rights",
        "why_obj_suggestions": "suggestions",
        "why_obj_information": "information",
        "why_obj_support": "technical support",
        "why_obj_price": "the price",
        "why_obj_infringement": "infringement claims",
        "why_obj_prototypes": "prototypes",
        "why_origin_SME": "{objects} your side brought in",
        "why_origin_LARGE": "{objects} the other side brought in",
        "why_wide_perpetual": "perpetual",
        "why_wide_irrevocable": "irrevocable",
        "why_wide_sublicensable": "sublicensable",
        "why_wide_exclusive": "exclusive",
        "why_wide_any_purpose": "for any purpose",
        "why_limit_purpose": "to a purpose",
        "why_limit_keep": "your earlier technology kept out",
        "why_limit_funding": "because of funding",
        "why_limit_non_use": "no use beyond the purpose",
        "why_limit_agreement": "subject to agreement",
        "why_limit_cause": "for cause",
        "why_limit_no_analysis": "no analysis",
        "why_limit_wide_purpose": "a wide purpose",
        "why_limit_written_only": "written information only",
        "why_limit_weak_remedy": "a weak remedy",
        "why_limit_residuals": "residual knowledge excepted",
        "why_limit_wide_theme": "a wide theme",
        "why_limit_marking": "marked information only",
        "why_limit_unmarked": "unmarked information too",
        "why_limit_on_request": "on request",
        "why_limit_after_term": "after the term",
        "why_limit_any_field": "in any field",
        "why_limit_exit": "on exit or change of control",
        "heading_marked_wrong": "Findings your organisation marked wrong",
        "heading_added": "Findings your organisation added",
        "label_why": "Why",
        "marked_wrong_on": "marked wrong by your organisation on {date} (reason: {reason})",
    },
}
for _lang, _table in _WHY.items():
    MESSAGES[_lang].update(_table)
