"""Each cleaning rule, shown on the real seed text it was written for."""

from assistant.cleaning import clean_text, normalize_width
from conftest import SEEDS


def cleaned(name: str) -> str:
    return clean_text((SEEDS / name).read_text(encoding="utf-8"))


def test_page_number_inside_sentence_is_removed_and_sentence_joined():
    raw = (SEEDS / "002_aea219f0e11938a5.txt").read_text(encoding="utf-8")
    assert "产业集聚 1\n区之一" in raw and "汽车项\n2目" in raw
    text = cleaned("002_aea219f0e11938a5.txt")
    assert "第一批进入审批程序的产业集聚区之一" in text
    assert "天海集团5万台汽车项目一期工程" in text
    assert "产业集聚 1" not in text and "汽车项2目" not in text


def test_dashed_page_number_lines_are_dropped_and_the_cut_word_joined():
    raw = (SEEDS / "003_5e6f342b3dea3258.txt").read_text(encoding="utf-8")
    assert "—3—" in raw
    text = cleaned("003_5e6f342b3dea3258.txt")
    assert "—3—" not in text
    assert "汽车零部件制造、电梯制造、阀门制造等4大板块" in text


def test_hard_wrapped_pdf_text_becomes_paragraphs():
    text = cleaned("003_5e6f342b3dea3258.txt")
    assert "进一步提升我市对外开放招商引资工作质量和水平，结合我市实际，特制定本方案。" in text
    assert (
        "2023年，全市实际利用省外资金170亿元；引进10亿元以上项目5个以上，亿元以上项目30个以上。"
        in text
    )
    # headings stay on their own lines
    assert "\n一、指导思想\n" in text


def test_table_rows_stay_one_per_line_with_numbers_apart():
    text = cleaned("003_5e6f342b3dea3258.txt")
    assert "\n汝南街道 176000 7 6\n" in text
    assert "\n合计 1700000 78 57\n" in text


def test_web_page_chrome_is_removed_but_the_article_kept():
    raw = (SEEDS / "004_51d2894722f2002f.txt").read_text(encoding="utf-8")
    text = cleaned("004_51d2894722f2002f.txt")
    for junk in (
        "豫ICP备",
        "版面导航",
        "焦作日报 | 焦作晚报",
        "版权所有",
        "上一版",
        "手机报",
        "放大",
    ):
        assert junk in raw
        assert junk not in text
    assert "2013年1月10日" in text
    assert "区内入驻企业达到500余家" in text


def test_repeated_running_footer_is_dropped():
    body = "\n".join(
        f"第{i}段正文，内容各不相同，编号{i}。\n某市人民政府办公室印发" for i in range(5)
    )
    text = clean_text(body)
    assert "某市人民政府办公室印发" not in text
    assert "第4段正文" in text


def test_full_width_letters_and_digits_become_ascii_but_chinese_punctuation_stays():
    assert normalize_width("ＧＤＰ增长１２．５％，（一）") == "GDP增长12.5%，（一）"
    assert "1700000" in clean_text("合计　１７０００００　７８　５７\n")
