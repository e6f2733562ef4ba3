"""Label sets shared by training, runtime and the benchmark (no heavy imports here)."""

from __future__ import annotations

NLI_LABELS = ("NotMentioned", "Entailment", "Contradiction")

# ContractNLI hypotheses (Koreeda & Manning 2021), with our own Japanese renderings so the
# rule engine can map them onto its NDA checklist.
HYPOTHESES: dict[str, dict[str, str]] = {
    "nda-1": {
        "short": "Explicit identification",
        "en": "All Confidential Information shall be expressly identified by the Disclosing Party.",
        "ja": "全ての秘密情報は、開示者により明示的に特定（秘密表示）されなければならない。",
    },
    "nda-2": {
        "short": "None-inclusion of non-technical information",
        "en": "Confidential Information shall only include technical information.",
        "ja": "秘密情報は技術上の情報のみを含む（営業上の情報は含まない）。",
    },
    "nda-3": {
        "short": "Inclusion of verbally conveyed information",
        "en": "Confidential Information may include verbally conveyed information.",
        "ja": "秘密情報には口頭で開示された情報も含まれ得る。",
    },
    "nda-4": {
        "short": "Limited use",
        "en": "Receiving Party shall not use any Confidential Information for any purpose other than the purposes stated in Agreement.",
        "ja": "受領者は、秘密情報を本契約に定める目的以外に使用してはならない（目的外使用の禁止）。",
    },
    "nda-5": {
        "short": "Sharing with employees",
        "en": "Receiving Party may share some Confidential Information with some of Receiving Party's employees.",
        "ja": "受領者は、秘密情報を自己の従業員の一部に開示することができる。",
    },
    "nda-7": {
        "short": "Sharing with third-parties",
        "en": "Receiving Party may share some Confidential Information with some third-parties (including consultants, agents and professional advisors).",
        "ja": "受領者は、秘密情報を第三者（コンサルタント、代理人、専門家を含む）に開示することができる。",
    },
    "nda-8": {
        "short": "Notice on compelled disclosure",
        "en": "Receiving Party shall notify Disclosing Party in case Receiving Party is required by law, regulation or judicial process to disclose any Confidential Information.",
        "ja": "受領者は、法令・規則・裁判手続により秘密情報の開示を求められた場合、開示者に通知しなければならない。",
    },
    "nda-10": {
        "short": "Confidentiality of Agreement",
        "en": "Receiving Party shall not disclose the fact that Agreement was agreed or negotiated.",
        "ja": "受領者は、本契約の締結又は交渉の事実を開示してはならない。",
    },
    "nda-11": {
        "short": "No reverse engineering",
        "en": "Receiving Party shall not reverse engineer any objects which embody Disclosing Party's Confidential Information.",
        "ja": "受領者は、開示者の秘密情報を化体する物をリバースエンジニアリングしてはならない。",
    },
    "nda-12": {
        "short": "Permissible development of similar information",
        "en": "Receiving Party may independently develop information similar to Confidential Information.",
        "ja": "受領者は、秘密情報と類似の情報を独自に開発することができる。",
    },
    "nda-13": {
        "short": "Permissible acquirement of similar information",
        "en": "Receiving Party may acquire information similar to Confidential Information from a third party.",
        "ja": "受領者は、秘密情報と類似の情報を第三者から取得することができる。",
    },
    "nda-15": {
        "short": "No licensing",
        "en": "Agreement shall not grant Receiving Party any right to Confidential Information.",
        "ja": "本契約は、受領者に秘密情報に関するいかなる権利（ライセンス）も付与しない。",
    },
    "nda-16": {
        "short": "Return of confidential information",
        "en": "Receiving Party shall destroy or return some Confidential Information upon the termination of Agreement.",
        "ja": "受領者は、本契約終了時に秘密情報を返還又は破棄しなければならない。",
    },
    "nda-17": {
        "short": "Permissible copy",
        "en": "Receiving Party may create a copy of some Confidential Information in some circumstances.",
        "ja": "受領者は、一定の場合に秘密情報の複製を作成することができる。",
    },
    "nda-18": {
        "short": "No solicitation",
        "en": "Receiving Party shall not solicit some of Disclosing Party's representatives.",
        "ja": "受領者は、開示者の役職員等を勧誘（引抜き）してはならない。",
    },
    "nda-19": {
        "short": "Survival of obligations",
        "en": "Some obligations of Agreement may survive termination of Agreement.",
        "ja": "本契約の一部の義務は、本契約の終了後も存続し得る。",
    },
    "nda-20": {
        "short": "Permissible post-agreement possession",
        "en": "Receiving Party may retain some Confidential Information even after the return or destruction of Confidential Information.",
        "ja": "受領者は、秘密情報の返還又は破棄の後も、一部の秘密情報を保持することができる。",
    },
}
HYPOTHESIS_IDS: tuple[str, ...] = tuple(sorted(HYPOTHESES, key=lambda k: int(k.split("-")[1])))

CUAD_CATEGORIES: tuple[str, ...] = (
    "IP Ownership Assignment",
    "Joint IP Ownership",
    "License Grant",
    "Non-Transferable License",
    "Irrevocable or Perpetual License",
    "Uncapped Liability",
    "Cap on Liability",
    "Covenant Not to Sue",
    "Non-Compete",
    "Exclusivity",
    "Audit Rights",
)
CUAD_CATEGORIES_JA: dict[str, str] = {
    "IP Ownership Assignment": "知的財産権の帰属・譲渡",
    "Joint IP Ownership": "知的財産権の共有",
    "License Grant": "ライセンスの許諾",
    "Non-Transferable License": "譲渡不可のライセンス",
    "Irrevocable or Perpetual License": "取消不能又は永久のライセンス",
    "Uncapped Liability": "責任上限の適用除外（無制限の責任）",
    "Cap on Liability": "責任の上限",
    "Covenant Not to Sue": "不争義務・訴訟を提起しない約束",
    "Non-Compete": "競業避止",
    "Exclusivity": "独占・専属",
    "Audit Rights": "監査権",
}
