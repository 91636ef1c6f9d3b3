"""Loaders: encodings, formats, and clear errors for files that cannot be read."""

import io

import pytest

from assistant.ingest import read_document
from assistant.loaders import LoadError, decode_text, load_file

TEXT = "鹤淇产业集聚区规划建设用地25平方公里，入驻企业104家。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "big5"])
def test_chinese_text_in_common_encodings(tmp_path, encoding):
    text = "產業集聚區規劃建設用地25平方公里，入駐企業104家。" if encoding == "big5" else TEXT
    path = tmp_path / f"doc_{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    loaded, _ = load_file(path)
    assert loaded == text


def test_gbk_is_not_mistaken_for_big5():
    data = (
        "汝州市产业集聚区综合排序位居全省第18位，成为平顶山市第一家跃居全省20强产业集聚区。"
    ).encode("gbk")
    assert decode_text(data).startswith("汝州市产业集聚区")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("junk.txt", bytes(range(256)) * 20, "binary"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", ".docx"),
        ("image.png", b"\x89PNG\r\n", "unsupported file type"),
    ],
)
def test_bad_files_raise_a_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError, match=reason):
        load_file(path)


def _pdf(text_ops: str) -> bytes:
    """A minimal one-page PDF; with text_ops empty it has no text layer (like a scan)."""
    stream = text_ops.encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    )
    return out.getvalue()


def test_pdf_text_layer_is_read(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(_pdf("BT /F1 12 Tf 72 720 Td (Zone invested 132.7 billion yuan.) Tj ET"))
    doc = read_document(path)
    assert "132.7" in doc.text


def test_pdf_without_text_layer_is_reported_as_scanned(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf(""))
    with pytest.raises(LoadError, match=r"no extractable text \(scanned\?\)"):
        load_file(path)


def test_docx_paragraphs_headings_and_tables(tmp_path):
    from docx import Document

    d = Document()
    d.add_heading("一、基本情况", level=1)
    d.add_paragraph(TEXT)
    table = d.add_table(rows=2, cols=3)
    for i, cell in enumerate(["单位", "省外资金（万元）", "项目"]):
        table.rows[0].cells[i].text = cell
    for i, cell in enumerate(["小屯镇", "107000", "4"]):
        table.rows[1].cells[i].text = cell
    path = tmp_path / "plan.docx"
    d.save(path)
    doc = read_document(path)
    assert "# 一、基本情况" in doc.text
    assert "入驻企业104家" in doc.text
    assert "小屯镇 | 107000 | 4" in doc.text


def test_html_boilerplate_is_stripped(tmp_path):
    page = (
        "<html><head><title>沁阳产业集聚区</title><script>var x=1;</script></head><body>"
        "<nav>首页 | 新闻 | 联系我们</nav><article><h1>奋力打造一流产业集聚区</h1>"
        "<p>区内入驻企业达到500余家，就业人数达到5.2万人。</p></article>"
        "<footer>版权所有 豫ICP备05017631号</footer></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    doc = read_document(path)
    assert "入驻企业达到500余家" in doc.text
    assert "var x" not in doc.text and "ICP" not in doc.text and "联系我们" not in doc.text
    assert doc.title == "沁阳产业集聚区"


def test_an_html_table_keeps_one_row_a_line(tmp_path):
    page = (
        "<html><body><p>按下表给予一次性奖励：</p><table>"
        "<tr><th>认定类别</th><th>奖励金额（万元）</th></tr>"
        "<tr><td>国家级专精特新“小巨人”企业</td><td>50</td></tr>"
        "<tr><td>省级专精特新中小企业</td><td>20</td></tr></table><p>六、附则</p></body></html>"
    )
    path = tmp_path / "measures.html"
    path.write_text(page, encoding="utf-8")
    text = read_document(path).text
    assert "认定类别 | 奖励金额（万元）\n国家级专精特新“小巨人”企业 | 50\n" in text
    assert "六、附则" in text
