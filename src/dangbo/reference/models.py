"""Official code lists: data with their source, loaded from ``reference/data/*.csv``.

Each list is a small table keyed by its official (or, where there is none, dangbo's
own stable) code, so member records refer to a code and the names can be corrected
without touching code. ``source`` keeps the citation printed in the CSV header.
"""

from django.db import models


class ReferenceItem(models.Model):
    code = models.CharField(primary_key=True, max_length=20)
    name = models.CharField(max_length=120)
    rank = models.PositiveSmallIntegerField(default=0)
    source = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return self.name


class Ethnicity(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "dân tộc"
        verbose_name_plural = "dân tộc"

    @property
    def is_minority(self) -> bool:
        return self.code != KINH_CODE


class Religion(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "tôn giáo"
        verbose_name_plural = "tôn giáo"


class GeneralEducation(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "trình độ giáo dục phổ thông"
        verbose_name_plural = verbose_name


class ProfessionalLevel(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "trình độ chuyên môn"
        verbose_name_plural = verbose_name


class TheoryLevel(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = "trình độ lý luận chính trị"
        verbose_name_plural = verbose_name


class BirthProvince(ReferenceItem):
    """Province codes that open a citizen identity number (before the 2025 merger)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = "mã tỉnh nơi đăng ký khai sinh"
        verbose_name_plural = verbose_name


KINH_CODE = "01"
NO_RELIGION_CODE = "00"


class Holiday(models.Model):
    """A public holiday: not a working day when deadlines count working days (rules.deadlines).
    Seeded from ``data/holidays.csv``; system administrators keep it in line with the
    government's yearly announcement (the exact Tết days, the day next to National Day,
    compensatory days off)."""

    day = models.DateField("ngày", unique=True)
    name = models.CharField("tên ngày nghỉ", max_length=120)
    source = models.TextField(blank=True)

    class Meta:
        verbose_name = "ngày nghỉ lễ"
        verbose_name_plural = "ngày nghỉ lễ"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.name}"
