"""Amounts of đồng in words, as a Vietnamese receipt writes them (`core.formats.amount_in_words`):
the readings of zero tens («linh»), ten («mười»), one and five after the tens («mốt», «lăm»),
zero hundreds inside a number («không trăm»), and the scales up to «nghìn tỷ»."""

import pytest

from dangbo.core.formats import amount_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (5_000, "Năm nghìn đồng"),
        (10_000, "Mười nghìn đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (25_000, "Hai mươi lăm nghìn đồng"),
        (80_000, "Tám mươi nghìn đồng"),
        (105_000, "Một trăm linh năm nghìn đồng"),
        (110_000, "Một trăm mười nghìn đồng"),
        (880_000, "Tám trăm tám mươi nghìn đồng"),
        (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
        (2_500_000, "Hai triệu năm trăm nghìn đồng"),
        (30_000_500, "Ba mươi triệu năm trăm đồng"),
        (200_000_000, "Hai trăm triệu đồng"),
        (1_000_000_000, "Một tỷ đồng"),
        (1_000_005_000, "Một tỷ không trăm linh năm nghìn đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
        (-80_000, "Âm tám mươi nghìn đồng"),
    ],
)
def test_amounts_read_as_a_receipt_writes_them(amount, words):
    assert amount_in_words(amount) == words
