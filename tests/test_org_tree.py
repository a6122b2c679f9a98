from datetime import date

import pytest

from conftest import refused_on
from dangbo.core import paths
from dangbo.core.kinds import OrgKind
from dangbo.orgs import services as org_services
from dangbo.orgs.models import Org, OrgEvent, OrgVersion
from dangbo.orgs.selectors import org_subtree, org_version_on, org_versions_on
from dangbo.rules.base import RuleViolation


def test_children_get_paths_under_their_parent(tree):
    assert tree.cell_a.path.startswith(tree.commune.path)
    assert tree.commune.path.startswith(tree.district.path)
    assert tree.cell_a.depth == 4
    assert tree.cell_a.path != tree.cell_b.path


def test_subtree_is_a_range_on_the_path(tree):
    under_district = set(org_subtree(root=tree.district).values_list("code", flat=True))
    assert under_district == {"H1", "X1", "X1A", "X1B", "CQ1"}
    assert set(org_subtree(root=tree.district2).values_list("code", flat=True)) == {"H2"}


def test_path_segments_are_fixed_width_and_ordered():
    assert paths.segment(1) == "0001."
    assert paths.segment(36) == "0010."
    assert paths.segment(10) < paths.segment(36) < paths.segment(1000)
    assert paths.ancestor_paths("0001.0002.0003.") == ["0001.", "0001.0002.", "0001.0002.0003."]


def test_establishing_writes_an_event_and_an_open_version(tree):
    version = OrgVersion.objects.get(org=tree.cell_a)
    assert (
        version.valid_to is None and version.path == tree.cell_a.path and version.parent_id == tree.commune.pk
    )
    assert OrgEvent.objects.filter(org=tree.cell_a, kind=OrgEvent.Kind.ESTABLISHED).count() == 1


def test_rename_keeps_the_old_name_for_earlier_dates(tree):
    org_services.org_rename(org=tree.cell_a, name="Chi bộ thôn A Mới", effective_on=date(2020, 6, 1))
    assert org_version_on(org=tree.cell_a, day=date(2020, 5, 31)).name == "Chi bộ thôn A"
    assert org_version_on(org=tree.cell_a, day=date(2020, 6, 1)).name == "Chi bộ thôn A Mới"
    assert Org.objects.get(pk=tree.cell_a.pk).name == "Chi bộ thôn A Mới"
    assert org_versions_on(day=date(2014, 12, 31)).count() == 0


def test_rename_before_the_last_change_is_refused(tree):
    org_services.org_rename(org=tree.cell_a, name="Tên 2", effective_on=date(2020, 6, 1))
    with pytest.raises(RuleViolation) as refused:
        org_services.org_rename(org=tree.cell_a, name="Tên 3", effective_on=date(2019, 1, 1))
    assert refused_on(refused) == [("input", "effective_on")]  # earlier than the last change
    assert Org.objects.get(pk=tree.cell_a.pk).name == "Tên 2"


@pytest.mark.parametrize(
    "parent_attr, kind",
    [
        ("cell_a", OrgKind.CELL),
        ("commune", OrgKind.UPPER),
        ("district", OrgKind.CELL),
        ("agency", OrgKind.CELL),
    ],
)
def test_a_kind_that_cannot_sit_under_the_parent_is_refused(tree, parent_attr, kind):
    before = Org.objects.count()
    with pytest.raises(RuleViolation) as refused:
        org_services.org_establish(
            code="NEW",
            name="Mới",
            kind=kind,
            parent=getattr(tree, parent_attr),
            established_on=date(2020, 1, 1),
        )
    [violation] = refused.value.violations
    assert (violation.rule, violation.field) == ("org.child_kinds", "kind")
    assert "Điều lệ Đảng" in violation.citation
    assert Org.objects.count() == before


def test_a_grassroots_committee_with_upper_rights_may_hold_grassroots_orgs(tree):
    company = org_services.org_establish(
        code="APT",
        name="Đảng bộ Công ty",
        kind=OrgKind.GRASSROOTS_COMMITTEE,
        parent=tree.province,
        established_on=date(2015, 1, 1),
        has_upper_rights=True,
    )
    child = org_services.org_establish(
        code="APT1",
        name="Chi bộ cơ sở Xí nghiệp",
        kind=OrgKind.GRASSROOTS_CELL,
        parent=company,
        established_on=date(2015, 1, 1),
    )
    assert child.path.startswith(company.path)


def test_duplicate_code_and_empty_name_are_both_reported(tree):
    with pytest.raises(RuleViolation) as refused:
        org_services.org_establish(
            code="X1", name=" ", kind=OrgKind.CELL, parent=tree.commune, established_on=date(2020, 1, 1)
        )
    assert refused_on(refused) == [("input", "code"), ("input", "name")]
