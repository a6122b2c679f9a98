"""One demo person's identity and admission history, drawn from a seeded random source."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from dangbo.core import text
from dangbo.core.kinds import Sector
from dangbo.demo.names import NameGenerator
from dangbo.demo.profiles import MINORITY_MIX
from dangbo.members.models import Member
from dangbo.reference.identity import national_id_prefix
from dangbo.rules.admission import check_admission_age
from dangbo.rules.probation import add_months

_OCCUPATIONS = {
    "residential": (("Nông dân", 6), ("Hưu trí", 2), ("Kinh doanh", 1), ("Lao động tự do", 1)),
    Sector.AGENCY: (("Cán bộ, công chức", 7), ("Viên chức", 3)),
    Sector.PUBLIC_UNIT: (("Viên chức", 8), ("Giáo viên", 4), ("Bác sĩ", 1)),
    Sector.POLICE: (("Sĩ quan công an", 8), ("Hạ sĩ quan công an", 2)),
    Sector.MILITARY: (("Sĩ quan quân đội", 6), ("Quân nhân chuyên nghiệp", 3), ("Hạ sĩ quan, binh sĩ", 1)),
    Sector.STATE_ENTERPRISE: (("Công nhân", 6), ("Kỹ sư", 2), ("Nhân viên", 2)),
    Sector.PRIVATE_ENTERPRISE: (("Công nhân", 5), ("Nhân viên", 4)),
}
_PROFESSIONAL = {
    "residential": (
        ("none", 45),
        ("elementary", 12),
        ("intermediate", 20),
        ("college", 7),
        ("bachelor", 15),
        ("master", 1),
    ),
    "office": (("intermediate", 10), ("college", 8), ("bachelor", 62), ("master", 18), ("doctor", 2)),
    "uniform": (("elementary", 10), ("intermediate", 30), ("college", 10), ("bachelor", 45), ("master", 5)),
    "enterprise": (
        ("elementary", 25),
        ("intermediate", 30),
        ("college", 15),
        ("bachelor", 28),
        ("master", 2),
    ),
}
_THEORY = (("none", 6), ("elementary", 68), ("intermediate", 20), ("advanced", 5), ("bachelor", 1))
_RELIGION = (("00", 970), ("01", 10), ("02", 6), ("03", 14))


def _pick(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=False)
    return rng.choices(values, weights)[0]


def _professional_group(sector: str) -> str:
    if sector in (Sector.AGENCY, Sector.PUBLIC_UNIT, Sector.BLOC):
        return "office"
    if sector in (Sector.POLICE, Sector.MILITARY):
        return "uniform"
    if sector in (Sector.STATE_ENTERPRISE, Sector.PRIVATE_ENTERPRISE):
        return "enterprise"
    return "residential"


@lru_cache(maxsize=200_000)
def _name_keys(family: str, middle: str, given: str) -> tuple[str, str]:
    """The search and sort keys of a name: names repeat, and the keys cost more than the rest
    of a person (the national demo makes millions)."""
    return text.fold(text.full_name(family, middle, given)), text.name_sort_key(family, middle, given)


@dataclass
class Person:
    member: Member
    admitted_on: date
    ceremony_on: date
    full_on: date | None  # None while still on probation at the profile's date


class PersonFactory:
    def __init__(
        self, rng: random.Random, *, as_of: date, province_code: int, women_share: float, make_member=Member
    ):
        self.rng = rng
        # what makes the unsaved Member: its class, or ``core.bulk.new_instances(Member)``
        # where millions are made (the national demo)
        self.make_member = make_member
        self.names = NameGenerator(rng)
        self.as_of = as_of
        self.province_code = f"{province_code:03d}"
        self.women_share = women_share
        self._national_ids: set[str] = set()
        self._cards: set[str] = set()
        minority_codes, minority_weights = zip(*MINORITY_MIX, strict=False)
        self._minority = (minority_codes, minority_weights)

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def ethnicity(self, minority_share: float) -> str:
        if self.rng.random() >= minority_share:
            return "01"
        return self.rng.choices(*self._minority)[0]

    def _national_id(self, gender: str, birth: date) -> str | None:
        if self.rng.random() < 0.08:  # not yet recorded
            return None
        prefix = national_id_prefix(gender, birth, self.province_code)
        while True:
            candidate = prefix + f"{self.rng.randrange(10**6):06d}"
            if candidate not in self._national_ids:
                self._national_ids.add(candidate)
                return candidate

    def _card(self) -> str:
        while True:
            candidate = f"{self.rng.randrange(10**7, 10**8)}"
            if candidate not in self._cards:
                self._cards.add(candidate)
                return candidate

    def admission_date(self, *, recent: bool) -> date:
        """Recent: in the ten years before the profile date; else between 1965 and then."""
        ten_years_before = self.as_of.replace(year=self.as_of.year - 10)
        if recent:
            span = (self.as_of - ten_years_before).days
            return ten_years_before + timedelta(days=1 + self.rng.randrange(span - 1))
        start = date(1965, 1, 1)
        span = (ten_years_before - start).days
        # more members from the later decades: the older ones have died
        return start + timedelta(days=int(span * (self.rng.random() ** 0.6)))

    def person(
        self,
        *,
        admitted_on: date,
        sector: str,
        minority_share: float,
        residence: str,
        hometown: str,
        locality=None,
    ) -> Person:
        rng = self.rng
        gender = "F" if rng.random() < self.women_share else "M"
        ethnicity = self.ethnicity(minority_share)
        age_months = 18 * 12 + 1 + int(rng.triangular(0, 27 * 12, 5 * 12))
        birth = add_months(admitted_on, -age_months) - timedelta(days=rng.randrange(28))
        if check_admission_age(birth_date=birth, vote_on=admitted_on):
            birth = add_months(admitted_on, -(20 * 12))
        family, middle, given = self.names.full_name(gender, ethnicity)
        ceremony_on = admitted_on + timedelta(days=rng.randrange(5, 26))
        full_by = add_months(ceremony_on, 12)
        full_on = full_by if full_by <= self.as_of else None
        group = _professional_group(sector)
        age_now = (self.as_of - birth).days // 365
        occupation = _pick(rng, _OCCUPATIONS.get(sector, _OCCUPATIONS["residential"]))
        if age_now >= 60 and group != "residential":
            occupation = "Hưu trí"
        education = "upper_secondary"
        if group == "residential" and (ethnicity != "01" or birth.year < 1965):
            education = _pick(rng, (("primary", 8), ("lower_secondary", 40), ("upper_secondary", 52)))
        search_key, sort_key = _name_keys(family, middle, given)
        member = self.make_member(
            id=self.uuid(),
            family_name=family,
            middle_name=middle,
            given_name=given,
            gender=gender,
            birth_date=birth,
            national_id=self._national_id(gender, birth),
            card_number=self._card() if full_on and rng.random() < 0.96 else None,
            ethnicity_id=ethnicity,
            religion_id=_pick(rng, _RELIGION),
            birthplace=hometown,
            hometown=hometown,
            residence=residence,
            residence_locality=locality,
            general_education_id=education,
            professional_level_id=_pick(rng, _PROFESSIONAL[group]),
            theory_level_id=_pick(rng, _THEORY),
            occupation=occupation,
            search_key=search_key,
            sort_key=sort_key,
        )
        return Person(member, admitted_on, ceremony_on, full_on)
