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


# The shapes below are the team's own excerpts written in the shape real web pages of
# government reports take (corpus3): a toolbar a word a line, page counters, an abstract
# that repeats the opening, photo credits, navigation and tag lists after the text.
WEB_PAGE = """下载
打印
全屏
收藏
【字号：
加大
还原
减小
】
2026年青岚县政府工作报告
——2026年1月20日在青岚县第五届人民代表大会第三次会议上
时间：2026-02-01????\t\t\t作者：县域网????\t\t\t来源：青岚县政府网????\t\t\t阅读：
312
评论：
0
内容摘要：
政府工作报告——2026年1月20日在青岚县第五届人民代表大会第三次会议上青岚县人民政府县长 王?? 明各位代表：现在......
青岚县人民政府县长?? 王 明
县长王明作政府工作报告。本报记者 李亮摄
各位代表：
过去一年，全县地区生产总值完成210.5亿元，增长6.1%。规模以上工业增加值增长8.2%。
分享到：
QQ空间
新浪微博
上一篇：
2025年青岚县政府工作报告
下一篇：
2026年鹿鸣县政府工作报告
相关文章
2026年白沙湾区政府工作报告
阅读排行
2024年临溪区政府工作报告
本站为非营利性网站，来源于网络的作品，若对您造成了侵权，请联系我们删除。
标签：
统计公报
上海市
2025年
工作
"""


def test_web_page_toolbar_counters_abstract_and_credit_are_dropped():
    text = clean_text(WEB_PAGE)
    lines = text.splitlines()
    for chrome in (
        "下载",
        "全屏",
        "加大",
        "】",
        "312",
        "评论：",
        "内容摘要：",
        "QQ空间",
        "分享到：",
    ):
        assert chrome not in lines, chrome
    assert "现在......" not in text  # the abstract repeats the opening
    assert "本报记者" not in text
    assert "????" not in text and "县长 王 明" in text
    assert "地区生产总值完成210.5亿元，增长6.1%。" in text
    assert text.splitlines()[0] == "2026年青岚县政府工作报告"


def test_navigation_disclaimer_and_tag_list_after_the_text_are_cut():
    text = clean_text(WEB_PAGE)
    assert text.rstrip().endswith("规模以上工业增加值增长8.2%。")
    for other in ("鹿鸣县", "白沙湾区", "临溪区", "本站为非营利性网站", "统计公报"):
        assert other not in text, other


def test_a_licence_footer_after_the_text_is_cut():
    raw = (
        "各位代表：\n今年经济增长预期目标为5%左右。\n\n本作品是中华人民共和国的\n法律\n、\n法规\n"
        "，依据《\n中华人民共和国著作权法\n》第五条，属于\n公有领域\n。\n\nPublic domain\n"
        "Public domain\nfalse\nfalse"
    )
    assert clean_text(raw) == "各位代表：\n今年经济增长预期目标为5%左右。\n"


def test_a_document_closing_in_short_lines_keeps_its_signature_and_table_rows():
    signed = (
        "第三十条 本条例自2024年1月1日起施行。\n\n青岚县人民政府\n办公室\n综合科\n2024年1月5日\n"
    )
    assert clean_text(signed) == signed  # a 落款 with its date is text, not a tag list
    table = "各产业情况如下。\n装备制造产业 3 1\n绿色食品产业 2 1\n生物医药产业 3 1\n纺织产业 4 2\n"
    assert "纺织产业 4 2" in clean_text(table)
    # prose that merely mentions "相关文章" keeps what follows it
    prose = (
        "相关文章\n"
        + "全县新增就业岗位3200个，城镇登记失业率控制在4%以内，民生支出占比达到八成以上。\n"
    )
    assert "3200" in clean_text(prose)


def test_markdown_comments_are_dropped():
    assert "INFO" not in clean_text(
        "# 青岚县开发区条例\n\n<!-- INFO END -->\n\n第一条 为了促进发展，制定本条例。\n"
    )


def test_a_table_laid_out_one_cell_a_line_keeps_its_repeated_cells():
    projects = "\n".join(
        f"青岚县第{i}号重点项目\n建设厂房{i}万平方米。\n总投资\n{i}.5亿元\n2022年\n启动\n工信局"
        for i in range(1, 5)
    )
    text = clean_text(projects)
    assert text.count("总投资") == 4 and text.count("2022年") == 4 and text.count("启动") == 4
