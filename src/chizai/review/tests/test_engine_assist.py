"""The statistical layer withdraws "protection missing" findings it can show are wrong."""

from types import SimpleNamespace

from chizai.review.engine import assist, load_document
from chizai.review.engine.document import Finding

EN_NDA = """MUTUAL NON-DISCLOSURE AGREEMENT

This Agreement is made between Alpha Corp ("Company") and Beta Ltd ("Supplier").

1. Confidential Information. Each party may disclose technical information to the other.

2. Obligations. The Recipient shall keep the Confidential Information secret.

3. Materials. When the evaluation ends, every copy of the materials goes back to its owner or is shredded.
"""


def _absent(rule):
    return Finding(rule_id=rule, severity="MEDIUM", title=rule, reason="r", basis=[], balanced="b", question="q")


class FakeClassifier:
    def __init__(self, label, probability, index):
        self.result = SimpleNamespace(label=label, probability=probability, evidence_index=index)

    def nli(self, sentences):
        return {"nda-16": self.result}


def _doc(text=EN_NDA):
    return load_document(text, "nda.txt", contract_type="NDA", lang="en")


def test_confident_entailment_withdraws_the_absence_finding(monkeypatch):
    doc = _doc()
    sentences = assist._sentences(doc)
    index = next(i for i, s in enumerate(sentences) if "shredded" in s.text)
    monkeypatch.setattr("chizai.review.engine.ml.load_classifier", lambda: FakeClassifier("Entailment", 0.93, index))
    kept, notes = assist.withdraw_contradicted_absences(doc, [_absent("NDA-08"), _absent("NDA-05")])
    assert [f.rule_id for f in kept] == ["NDA-05"]
    assert len(notes) == 1 and "NDA-08 withdrawn" in notes[0] and "shredded" in notes[0]


def test_unsure_classifier_keeps_the_finding(monkeypatch):
    monkeypatch.setattr("chizai.review.engine.ml.load_classifier", lambda: FakeClassifier("Entailment", 0.60, 0))
    kept, notes = assist.withdraw_contradicted_absences(_doc(), [_absent("NDA-08")])
    assert [f.rule_id for f in kept] == ["NDA-08"] and notes == []


def test_clause_findings_and_japanese_are_left_to_the_rules(monkeypatch):
    monkeypatch.setattr("chizai.review.engine.ml.load_classifier", lambda: FakeClassifier("Entailment", 0.99, 0))
    with_span = _absent("NDA-08")
    with_span.span = (0, 5)
    kept, _ = assist.withdraw_contradicted_absences(_doc(), [with_span])
    assert kept == [with_span]
    ja = load_document(
        "秘密保持契約書\n\n甲と乙は、次のとおり秘密保持契約を締結する。\n\n第1条（秘密保持）\n乙は、甲から開示を受けた技術情報を秘密として保持し、第三者に開示してはならない。\n",
        "ja.txt",
        contract_type="NDA",
    )
    kept, notes = assist.withdraw_contradicted_absences(ja, [_absent("NDA-08")])
    assert [f.rule_id for f in kept] == ["NDA-08"] and notes == []


def test_broken_artefact_keeps_findings_and_says_so(monkeypatch):
    def refuse():
        raise RuntimeError("tampered artefact")

    monkeypatch.setattr("chizai.review.engine.ml.load_classifier", refuse)
    kept, notes = assist.withdraw_contradicted_absences(_doc(), [_absent("NDA-08")])
    assert [f.rule_id for f in kept] == ["NDA-08"] and "unavailable" in notes[0]


def test_real_classifier_runs_inside_the_pipeline():
    from chizai.review.engine import review_document

    report = review_document(_doc())
    withdrawn = {note.split()[0] for note in report.notes if " withdrawn:" in note}
    assert not any(f.rule_id in withdrawn and f.span is None for f in report.findings)
    plain = review_document(_doc(), assist=False)
    assert {f.rule_id for f in plain.findings} - {f.rule_id for f in report.findings} == withdrawn
