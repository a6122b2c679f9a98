"""The demo names its organizations and hamlets as an official would: no doubled prefix («Bản
Bản …»), no «(đơn vị 2)» copies, no court or procuracy of a commune, no «Huyện ủy phố …», and no
two live siblings of one name, before the July 2025 reform and after it (which merges wards that
each numbered their residential groups from 1). And what ``dangbo demo`` prints agrees with the
pages: the dissolved organizations are not counted."""

import dataclasses
import re
from collections import Counter

import pytest

from dangbo.core.kinds import Sector
from dangbo.demo import units
from dangbo.demo.generator import Summary, build_demo, describe, summarize
from dangbo.demo.geography import province_divisions
from dangbo.demo.profiles import LAO_CAI_2021, PROFILES
from dangbo.demo.reform import apply_reform
from dangbo.orgs.models import Locality, Org

DOUBLED = re.compile(r"\b(Bản|Thôn|Làng|Tổ dân phố|Chi bộ|Đảng bộ|Xã|Phường)\s+\1\b", re.IGNORECASE)
COPY = re.compile(r"\(đơn vị|\bđơn vị \d")
# courts, procuracies and judgment enforcement exist at district level and above: never «… xã X»
# (a «thị xã» is a district-level town)
COMMUNE_COURT = re.compile(r"(Tòa án|Viện Kiểm sát|Thi hành án)[^(]*(?<!thị )\b(xã|phường|thị trấn) ")
# a district's level cut in half: «Cơ quan Huyện ủy phố Lào Cai», «Tòa án nhân dân xã Sa Pa»
HALF_LEVEL = re.compile(r"(?<!thành )(?<!Tổ dân )\bphố [A-ZĐ]|(Huyện|Thị|Thành) ủy (phố|xã) ")
BAD = (DOUBLED, COPY, COMMUNE_COURT, HALF_LEVEL)


def _bad(names):
    return [name for name in names if any(pattern.search(name) for pattern in BAD)]


def test_the_patterns_catch_what_the_demo_used_to_print():
    assert _bad(
        [
            "Chi bộ Bản Bản Sín",
            "Chi bộ Thôn thôn Mới",
            "Chi bộ Sở Nội vụ (đơn vị 2)",
            "Đảng bộ Tòa án nhân dân xã Sa Pa",
            "Chi bộ Viện Kiểm sát nhân dân phường Cốc Lếu",
            "Đảng bộ Cơ quan Huyện ủy phố Lào Cai",
        ]
    ) == [
        "Chi bộ Bản Bản Sín",
        "Chi bộ Thôn thôn Mới",
        "Chi bộ Sở Nội vụ (đơn vị 2)",
        "Đảng bộ Tòa án nhân dân xã Sa Pa",
        "Chi bộ Viện Kiểm sát nhân dân phường Cốc Lếu",
        "Đảng bộ Cơ quan Huyện ủy phố Lào Cai",
    ]
    assert not _bad(
        [
            "Chi bộ Tòa án nhân dân thị xã Sa Pa",
            "Đảng bộ Cơ quan Thành ủy Lào Cai",
            "Chi bộ Cơ quan Ủy ban nhân dân thành phố Lào Cai",
            "Chi bộ Tổ dân phố số 1 (phường Sa Pả cũ)",
            "Đảng bộ phường Phố Mới",
            "Chi bộ Bản Sín Chải",
        ]
    )


@pytest.mark.parametrize("profile", PROFILES.values(), ids=PROFILES)
def test_every_profile_names_its_organizations_without_copies(profile):
    _, districts = province_divisions(profile.province_code)
    by_name = {d.name: d for d in districts}
    taken: set[str] = set()
    for spec in profile.uppers:
        names = [name for name, _ in units.other_units(spec, by_name.get(spec.district or ""), taken)]
        assert len(names) == spec.other_grassroots
        assert len(set(names)) == len(names), [n for n, k in Counter(names).items() if k > 1]
        assert not _bad(names)
    if profile.name == "lao-cai-2021":
        assert "Cơ quan Thành ủy Lào Cai" in taken and "Tòa án nhân dân thị xã Sa Pa" in taken
        assert "Trường THCS Kim Đồng" in taken and "Cơ quan Ủy ban Kiểm tra Tỉnh ủy" in taken
        assert "Công ty cổ phần Cấp nước Lào Cai" in taken and "Bệnh viện Đa khoa tỉnh" in taken


def test_a_profile_asking_for_more_organizations_than_names_is_refused():
    spec = dataclasses.replace(LAO_CAI_2021.uppers[-2], other_grassroots=len(units.BORDER_POSTS) + 1)
    with pytest.raises(ValueError, match="chỉ có"):
        units.other_units(spec, None, set())


@pytest.mark.parametrize(
    ("unit", "sector"),
    [
        ("Bệnh viện Đa khoa tỉnh", Sector.PUBLIC_UNIT),
        ("Trường THPT Chuyên Lào Cai", Sector.PUBLIC_UNIT),
        ("Phòng Cảnh sát hình sự", Sector.POLICE),
        ("Mỏ Cóc", Sector.STATE_ENTERPRISE),
        ("Sở Tài chính", Sector.AGENCY),
        ("Cơ quan Huyện ủy Bát Xát", Sector.AGENCY),
    ],
)
def test_a_committee_names_its_cells_apart(unit, sector):
    names = units.departments(unit, sector, 30)
    assert len(names) == len(set(names)) == 30
    assert not _bad(names)


def test_a_committee_names_its_cells_as_its_kind_does():
    assert units.departments("Văn phòng Tỉnh ủy", Sector.AGENCY, 3)[0] != "Văn phòng"
    assert units.departments("Trường Mầm non Hoa Mai", Sector.PUBLIC_UNIT, 2) == [
        "Tổ Nhà trẻ",
        "Tổ Mẫu giáo bé",
    ]
    assert units.departments("Phòng Chính trị", Sector.MILITARY, 1) == ["Ban Tổ chức"]
    assert units.departments("Phòng Tham mưu", Sector.POLICE, 3) == ["Đội Tổng hợp", "Đội 1", "Đội 2"]
    assert units.departments("Đồn Biên phòng Y Tý", Sector.MILITARY, 2)[1] == "Đội Vũ trang"


def test_hamlet_names_never_repeat_their_kind_nor_another_hamlet():
    import random

    _, districts = province_divisions(10)
    rng, taken = random.Random(3), set()
    communes = [commune for district in districts for commune in district.communes]
    for index, commune in enumerate(communes):
        kind = (Locality.Kind.BAN, Locality.Kind.THON)[index % 2]
        names = units.hamlets(rng, commune, kind, taken)
        label = Locality.Kind(kind).label
        assert not _bad(f"{label} {name}" for name in names)
        assert not any(name.split()[0] in units.SECOND_ONLY for name in names)
    assert len(taken) > 1000  # every commune of the province a village commune: all different


# Sa Pa as of 2021, two of its wards and two of its communes, with a few of its own agencies and
# the provincial bodies that receive them in 2025: the wards merge into «Phường Sa Pa», the communes
# into «Xã Tả Van».
_KEEP = {"LCI-SP", "LCI-KCQ", "LCI-CA", "LCI-QS"}
SA_PA = dataclasses.replace(
    LAO_CAI_2021,
    name="sa-pa",
    members=700,
    renames=(),
    only_communes=("Phường Sa Pa", "Phường Sa Pả", "Xã Tả Van", "Xã Mường Hoa"),
    uppers=tuple(
        dataclasses.replace(s, other_grassroots=min(s.other_grassroots, 5))
        for s in LAO_CAI_2021.uppers
        if s.code in _KEEP
    ),
)


def _check_names():
    orgs = list(Org.objects.values_list("name", "parent_id", "dissolved_on"))
    assert not _bad(name for name, _, _ in orgs)
    live = Counter((parent, name) for name, parent, dissolved in orgs if dissolved is None)
    assert not [key for key, n in live.items() if n > 1]
    hamlets = list(Locality.objects.select_related("commune"))
    assert not _bad(str(h) for h in hamlets)
    live = Counter((h.commune_id, str(h)) for h in hamlets if h.dissolved_on is None)
    assert not [key for key, n in live.items() if n > 1]


@pytest.fixture
def sa_pa(db):
    build_demo(SA_PA, seed=4, progress=lambda line: None)
    return Org.objects.get(code="LCI")


def test_the_demo_names_are_believable_before_and_after_the_reform(sa_pa):
    _check_names()
    names = set(Org.objects.values_list("name", flat=True))
    assert {"Đảng bộ Cơ quan Thị ủy Sa Pa", "Chi bộ Cơ quan Thị ủy Sa Pa"} & names
    assert any(n.startswith("Chi bộ Tổ dân phố số 1 -") for n in names)
    assert Locality.objects.filter(kind=Locality.Kind.TO_DAN_PHO, name="số 1").count() == 2  # a ward each
    apply_reform(SA_PA)
    _check_names()
    ward = Org.objects.get(name="Đảng bộ phường Sa Pa", dissolved_on__isnull=True)
    hamlets = set(Locality.objects.filter(commune=ward).values_list("name", flat=True))
    assert {"số 1 (phường Sa Pa cũ)", "số 1 (phường Sa Pả cũ)"} <= hamlets
    # the district police and military command went to the provincial police and military
    assert Org.objects.get(name__endswith="Công an thị xã Sa Pa").parent.code == "LCI-CA"
    assert Org.objects.get(name__endswith="Ban Chỉ huy Quân sự thị xã Sa Pa").parent.code == "LCI-QS"


def test_the_printed_summary_counts_the_live_organizations_as_the_page_does(sa_pa):
    from dangbo.accounts.scope import SYSTEM
    from dangbo.members.org_selectors import org_children, org_overview

    province = sa_pa
    apply_reform(SA_PA)
    summary = summarize(SA_PA, 4, province)
    page = len(org_children(actor=SYSTEM, org=province))
    [overview] = org_overview(actor=SYSTEM)
    assert summary.direct_children == page == overview.direct_children == 5  # 3 provincial, 2 communes
    assert Org.objects.filter(parent=province).count() > page  # the dissolved district is not counted
    assert summary.localities == Locality.objects.filter(dissolved_on__isnull=True).count()
    assert f": {page} tổ chức trực thuộc, " in describe(summary)


def test_the_summary_writes_numbers_as_vietnamese_readers_do():
    summary = Summary(
        profile="lao-cai",
        seed=1,
        orgs=3000,
        direct_children=53,
        grassroots=1511,
        members=51000,
        women_share=0.395,
        ethnic_minority_share=0.41,
        admissions_10y=20472,
        localities=1631,
        localities_without_cell=1049,
        heads_not_members=1200,
        seconds=1234.4,
    )
    assert describe(summary) == (
        "Xong trong 1.234 giây: 53 tổ chức trực thuộc, 1.511 tổ chức cơ sở đảng, 51.000 đảng viên "
        "(39,5 % nữ, 41,0 % dân tộc thiểu số), 20.472 đảng viên kết nạp trong 10 năm; 1.631 thôn, "
        "tổ dân phố (1.049 chưa có chi bộ, 1.200 trưởng thôn chưa là đảng viên)."
    )
