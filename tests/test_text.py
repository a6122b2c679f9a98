from dangbo.core.text import canonical_tone_placement, clean, collation_key, fold, name_sort_key


def test_fold_removes_diacritics_and_d_stroke():
    assert fold("Nguyễn Văn Đức") == "nguyen van duc"
    assert fold("  ĐẶNG   thị  Ánh ") == "dang thi anh"


def test_fold_makes_old_and_new_tone_placement_equal():
    assert fold("Hòa") == fold("Hoà") == "hoa"
    assert fold("Thúy") == fold("Thuý")


def test_fold_accepts_decomposed_input():
    decomposed = "Nguye\u0302\u0303n"  # e + circumflex + tilde, as some keyboards send
    assert fold(decomposed) == "nguyen"
    assert clean(decomposed) == "Nguyễn"


def test_canonical_tone_placement_moves_new_style_to_traditional():
    assert canonical_tone_placement("Hoà") == "Hòa"
    assert canonical_tone_placement("khoẻ") == "khỏe"
    assert canonical_tone_placement("Thuý") == "Thúy"
    # a final consonant keeps the tone on the main vowel; "qu" is a consonant
    assert canonical_tone_placement("Hoàng") == "Hoàng"
    assert canonical_tone_placement("Quý") == "Quý"


def test_collation_key_orders_letters_the_vietnamese_way():
    words = ["ba", "bă", "bâ", "bb", "da", "dz", "đa", "e", "ê", "o", "ô", "ơ", "u", "ư", "x", "y"]
    assert sorted(words, key=collation_key) == words


def test_collation_key_orders_tones_after_letters():
    # the order PostgreSQL's vi-x-icu collation gives (checked on PostgreSQL in test_collation_pg)
    words = ["ba", "bà", "bả", "bã", "bá", "bạ", "bác", "bạc", "ban", "bàn", "bán"]
    assert sorted(words, key=collation_key) == words
    assert sorted(["anh", "an bình"], key=collation_key) == ["an bình", "anh"]


def test_name_sort_key_orders_by_given_name_first():
    names = [("Trần", "Văn", "Bình"), ("Nguyễn", "Thị", "An"), ("Lê", "", "Bình"), ("Đỗ", "Văn", "Anh")]
    ordered = sorted(names, key=lambda n: name_sort_key(*n))
    assert ordered == [
        ("Nguyễn", "Thị", "An"),
        ("Đỗ", "Văn", "Anh"),
        ("Lê", "", "Bình"),
        ("Trần", "Văn", "Bình"),
    ]


def test_keys_are_digits_only():
    assert collation_key("H'Bia Niê-Kdăm").isdigit()
