"""Writes src/dangbo/accounts/common_passwords_vi.txt, the list of accounts.passwords'
VietnameseCommonPasswordValidator: the passwords guessed first against Vietnamese users, from the
word lists below. Edit the lists, then run from the repository root:
`.venv/bin/python tools/common_passwords_vi.py`."""

from __future__ import annotations

import re
from pathlib import Path

LIST = Path(__file__).resolve().parent.parent / "src/dangbo/accounts/common_passwords_vi.txt"

# Provinces and centrally-run cities (before the 2025 mergers, as people still write them) and
# large towns.
PROVINCES = """an giang, ba ria vung tau, bac giang, bac kan, bac lieu, bac ninh, ben tre, binh dinh, binh duong,
binh phuoc, binh thuan, ca mau, can tho, cao bang, da nang, dak lak, dak nong, dien bien, dong nai, dong thap,
gia lai, ha giang, ha nam, ha noi, ha tinh, hai duong, hai phong, hau giang, hoa binh, hung yen, khanh hoa,
kien giang, kon tum, lai chau, lam dong, lang son, lao cai, long an, nam dinh, nghe an, ninh binh, ninh thuan,
phu tho, phu yen, quang binh, quang nam, quang ngai, quang ninh, quang tri, soc trang, son la, tay ninh,
thai binh, thai nguyen, thanh hoa, thua thien hue, hue, tien giang, tra vinh, tuyen quang, vinh long, vinh phuc,
yen bai, sai gon, saigon, ho chi minh, tp hcm, tphcm, hcm, vung tau, da lat, nha trang, buon ma thuot, pleiku,
quy nhon, ha long, viet tri, phan thiet, rach gia, my tho, long xuyen, cam ranh, hoi an, sapa, sa pa"""
# Words and phrases of affection and everyday life, the Party's and the state's vocabulary,
# administrators' words, keyboard runs, and what people add to them.
WORDS = """mat khau, matkhau, mk, pass, password, passwd, iloveyou, i love you, anh yeu em, em yeu anh, yeu em, yeu anh,
anh yeu, em yeu, yeu nhau, tinh yeu, nguoi yeu, vo yeu, chong yeu, con yeu, me yeu, ba yeu, bo yeu, em iu, anh iu,
yeu em nhieu, thuong em, thuong anh, nho em, nho anh, mai yeu, mai mai, tron doi, hanh phuc, gia dinh, bame, ba me,
bo me, cha me, con cung, vo chong, ban than, tinh ban, dong doi, que huong, dat nuoc, to quoc, viet nam, vietnam,
vn, viet, nguoi viet, dang cong san, dang cong san viet nam, dcsvn, dang vien, dang uy, dang bo, chi bo, chi uy,
cap uy, bi thu, pho bi thu, tinh uy, thanh uy, huyen uy, quan uy, thi uy, xa uy, ban to chuc, to chuc, ban thuong vu,
thuong vu, mat tran, doan thanh nien, cong doan, hoi phu nu, ho chi minh, hochiminh, bac ho, bac ho kinh yeu,
chu tich, chu tich ho chi minh, vo nguyen giap, dai tuong, quan doi, cong an, nhan dan, chinh phu, quoc hoi,
ubnd, hdnd, uy ban, can bo, cong chuc, vien chuc, quan tri, quan tri vien, quantri, admin, administrator, root,
superuser, he thong, may tinh, dang nhap, dangnhap, tai khoan, taikhoan, nguoi dung, khach, test, thu nghiem,
dung thu, demo, dangbo, ban to chuc tinh uy, van phong, van thu, ke toan, thu quy, giam doc, truong phong,
xin chao, chao ban, tam biet, cam on, vui ve, buon, co don, khong biet, quen mat khau, quen roi, khong nho,
bat dau, mot hai ba, abc, abcd, abcdef, qwerty, qwertyuiop, asdfgh, asdfghjkl, zxcvbn, zxcvbnm, aaaaaa, conmeo,
con meo, con cho, con heo, con ga, heo con, meo con, cun con, cong chua, hoang tu, thien than, ac quy, sieu nhan,
nu hoang, bong hong, hoa hong, hoa mai, hoa dao, hoa sen, hoa ly, hoa cuc, mua xuan, mua thu, mua ha, mua dong,
mua mua, trang tron, bau troi, bien xanh, mat troi, ngoi sao, sao vang, co do, co do sao vang, doc lap,
tu do, hanh phuc, doc lap tu do hanh phuc, thong nhat, giai phong, chien thang, dien bien phu, ba dinh,
lang bac, hoan kiem, ho guom, thang long, ha noi pho, pho co, tet, tet nguyen dan, trung thu, giang sinh,
noel, sinh nhat, happy, lucky, may man, tai loc, phat tai, phu quy, binh an, suc khoe, thanh cong, chien binh,
dragon, rong, ho, tiger, long, phuong, monkey, superman, batman, football, bong da, manchester, chelsea,
arsenal, barcelona, real madrid, messi, ronaldo, doremon, doraemon, nobita, conan, naruto, pokemon,
samsung, nokia, iphone, apple, google, facebook, zalo, gmail, yahoo, hotmail, internet, wifi, matkhauwifi,
khongcomatkhau, khong co, 123abc, abc123, a123456, aa123456, admin123, admin@123, quantri123, matkhau123,
vietnam123, hanoi123, saigon123, iloveyou123, anhyeuem123, dangvien123, canbo123, taikhoan123, password123"""
SURNAMES = """nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly dinh trinh mai cao lam luong ta ha"""
GIVEN_NAMES = """an anh bao binh chau chi cuong dat diep dung duc dung duy giang ha hai hang hanh hao hau hien hieu hoa hoai hong
hue hung huong huy khanh khoa kien lan lien linh loan long luan ly mai minh my nam nga ngan ngoc nguyet nhung oanh
phong phuc phuong quan quang quyen quynh son tam tan thang thanh thao thinh thu thuy tien toan trang tri trinh trung
tu tuan tung van viet vinh vy xuan yen"""
# Digit strings, and the national dates (2/9/1945, 3/2/1930, 19/5/1890, 30/4/1975).
DIGITS = """123456 1234567 12345678 123456789 1234567890 0123456789 987654321 9876543210 11111111 111111111 1111111111
00000000 000000000 0000000000 88888888 888888888 66666666 99999999 12341234 11223344 112233445566 123123123
123456123 147258369 159753 1357924680 20102010 19591959 19301930 19451945 19752975 30041975 02091945 03021930
19051890 02021930 12345678910 0987654321 0912345678 0123456 123321 147852369"""

HEADER = """# Vietnamese passwords that are guessed first (accounts.passwords.VietnameseCommonPasswordValidator).
# Kept beside Django's list of 20,000 (mostly English) common passwords, which misses them.
# Compiled by hand for dangbo (issue 18), one entry a line, folded (lower case, no diacritics,
# đ → d, letters and digits only), from what password-guessing tools try first against
# Vietnamese users: words and phrases of affection and everyday life (matkhau, anhyeuem,
# iloveyou), the Party's and the state's own vocabulary (dangcongsan, dangvien, chibo, bithu,
# hochiminh, quantri), the 63 provinces and centrally-run cities and large towns, common
# family and given names, their pairs and the commonest full names (nguyenvananh,
# tranthihuong), keyboard runs and digit strings, and the national dates (02091945, 03021930,
# 19051890). The account's own name is caught besides by Django's similarity check.
# Written by tools/common_passwords_vi.py (edit its word lists, not this file). The validator
# also refuses an entry with digits or symbols before or after it (hanoi2024, matkhau@123,
# 1975vietnam), so the words need no numbered variants here.
"""


def items(text: str) -> list[str]:
    """The entries of a list above (separated by commas or new lines), folded."""
    return [
        folded
        for item in re.split(r"[,\n]", text)
        if (folded := "".join(ch for ch in item.lower() if ch.isalnum()))
    ]


def entries() -> set[str]:
    out = set(items(PROVINCES)) | set(items(WORDS)) | set(re.findall(r"\w+", DIGITS))
    surnames = re.findall(r"\w+", SURNAMES)
    given = re.findall(r"\w+", GIVEN_NAMES)
    out.update(surnames)
    for name in given:
        out.update({name, "em" + name, "anh" + name, "be" + name, "yeu" + name})
    out.update(s + g for s in surnames for g in given[:40])
    out.update(s + middle + g for s in surnames[:12] for middle in ("van", "thi") for g in given)
    return out


if __name__ == "__main__":
    found = entries()
    LIST.write_text(HEADER + "\n".join(sorted(found)) + "\n", encoding="utf-8")
    print(f"{len(found)} mật khẩu → {LIST}")
