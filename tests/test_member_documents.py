"""Documents drawn from a member's history: the issuer from the organization tree, the grounds
in force on the document's date, the place of the nearest territorial organization."""

from __future__ import annotations

from datetime import date

import pytest

from dangbo.members.documents import NoDocument, available_documents, member_document


def test_admission_decision_from_the_ledger(tree, make_member):
    member = make_member(tree.cell_a, admitted_on=date(2016, 3, 1))
    decision = member_document(member, "quyet-dinh-ket-nap")
    assert decision.issuer.name == "ĐẢNG ỦY XÃ MỘT" and decision.issuer.superior_name == "HUYỆN ỦY MỘT"
    assert decision.issuer.place == "Một" and decision.cell_name == "Chi bộ thôn A"
    assert decision.issued_on == date(2016, 3, 1) and "29-QĐ/TW" in decision.grounds[1]
    recognition = member_document(member, "quyet-dinh-chinh-thuc")
    assert recognition.full_on == date(2017, 3, 1)
    assert [k for k, _ in available_documents(member)] == ["quyet-dinh-ket-nap", "quyet-dinh-chinh-thuc"]
    with pytest.raises(NoDocument):
        member_document(member, "giay-gioi-thieu")


def test_a_grassroots_cell_of_an_agency_takes_the_districts_place_and_todays_grounds(tree, make_member):
    member = make_member(tree.agency, admitted_on=date(2025, 8, 4), full=False)
    decision = member_document(member, "quyet-dinh-ket-nap")
    assert decision.issuer.place == "Một" and decision.issuer.name == "CHI BỘ CƠ QUAN MỘT"
    assert "294-QĐ/TW" in decision.grounds[1] and "06-HD/TW" in decision.grounds[2]
