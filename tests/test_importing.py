"""Registry table import (CSV in several encodings/delimiters, XLSX) and spreadsheet export."""
import io
from datetime import date, datetime, timezone

import pytest
from openpyxl import Workbook, load_workbook

from app.core import geo
from app.documents.spreadsheet import write_csv, write_xlsx
from app.registry.importing import (COLUMNS, RowError, TableError, clean_row,
                                    import_template_xlsx, parse_risk_level, parse_table,
                                    read_table)

HUAWEI = "914403001922038216"
TENCENT = "9144030071526726XG"

ZH_CSV = (
    "企业名称,统一社会信用代码,所属社区,地址,纬度,经度,行业,风险等级,法定代表人,安全员,联系电话,从业人数,备注\n"
    f"华为技术有限公司,{HUAWEI},坂田社区,深圳市龙岗区坂田华为基地,22.6533,114.0575,制造业,红,徐某,李某,0755-28780808,1200,\n"
    f"\"腾讯科技（深圳）有限公司\",{TENCENT},粤海社区,\"深圳市南山区科技中一路, 腾讯大厦\","
    ",,信息技术,较大,马某,,13800138000,300人,总部\n"
)
EXPECTED = [
    (2, {"name": "华为技术有限公司", "credit_code": HUAWEI, "community": "坂田社区",
         "address": "深圳市龙岗区坂田华为基地", "lat": "22.6533", "lng": "114.0575",
         "industry": "制造业", "risk_level": "红", "legal_rep": "徐某", "safety_officer": "李某",
         "phone": "0755-28780808", "employees": "1200"}),
    (3, {"name": "腾讯科技（深圳）有限公司", "credit_code": TENCENT, "community": "粤海社区",
         "address": "深圳市南山区科技中一路, 腾讯大厦", "lat": None, "lng": None,
         "industry": "信息技术", "risk_level": "较大", "legal_rep": "马某", "safety_officer": None,
         "phone": "13800138000", "employees": "300人"}),
]


def test_utf8_chinese_headers():
    rows = read_table(ZH_CSV.encode("utf-8"), "企业.csv")
    assert rows == EXPECTED


def test_utf8_bom():
    t = parse_table(b"\xef\xbb\xbf" + ZH_CSV.encode("utf-8"), "x.csv")
    assert t.rows == EXPECTED
    assert t.encoding == "utf-8-sig" and t.format == "csv"
    assert t.ignored_headers == ["备注"]


def test_gbk_as_chinese_excel_exports():
    data = ZH_CSV.replace("\n", "\r\n").encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    t = parse_table(data, "企业名录.csv")
    assert t.rows == EXPECTED
    assert t.encoding == "gb18030"


def test_utf16_tab_text_export():
    data = ZH_CSV.replace(",", "\t").replace("\"深圳市南山区科技中一路\t 腾讯大厦\"",
                                             "深圳市南山区科技中一路, 腾讯大厦").encode("utf-16")
    t = parse_table(data, None)
    assert t.delimiter == "\t"
    assert t.rows == EXPECTED


def test_semicolon_delimiter_english_headers():
    text = ("Name;Credit_Code;community_id;Lat;LNG;risk_level;employees;unknown\n"
            f"Huawei;{HUAWEI};c-1;22.6533;114.0575;Red;12;x\n"
            "\n"
            f"Tencent, Shenzhen;{TENCENT};c-2;;;blue;;\n")
    t = parse_table(text.encode(), "e.csv")
    assert t.delimiter == ";"
    assert t.rows == [
        (2, {"name": "Huawei", "credit_code": HUAWEI, "community": "c-1", "lat": "22.6533",
             "lng": "114.0575", "risk_level": "Red", "employees": "12"}),
        (4, {"name": "Tencent, Shenzhen", "credit_code": TENCENT, "community": "c-2",
             "lat": None, "lng": None, "risk_level": "blue", "employees": None}),
    ]
    assert t.ignored_headers == ["unknown"]


def test_tab_delimiter_detected():
    text = f"企业名称\t统一社会信用代码\t社区\nA,B公司\t{HUAWEI}\t一社区\n"
    t = parse_table(text.encode(), None)
    assert t.delimiter == "\t"
    assert t.rows == [(2, {"name": "A,B公司", "credit_code": HUAWEI, "community": "一社区"})]


def test_header_variants_brackets_stars_and_coordinate_hint():
    text = ("*企业名称（全称）,统一社会信用代码(18位),所属社区,纬度（GCJ-02）,经度（GCJ-02）\n"
            f"华为,{HUAWEI},坂田,22.650615,114.062433\n")
    t = parse_table(text.encode(), None)
    assert set(t.headers) == {"name", "credit_code", "community", "lat", "lng"}
    assert t.coord_system == geo.GCJ02
    clean, errors = clean_row(*t.rows[0], coord_system=t.coord_system)
    assert errors == []
    expected = geo.gcj02_to_wgs84(22.650615, 114.062433)
    assert geo.distance_m(clean["location"], expected) < 0.05
    assert geo.distance_m(clean["location"], (22.650615, 114.062433)) > 100


def test_baidu_hint_and_conflicting_hints():
    t = parse_table(
        f"企业名称,统一社会信用代码,社区,百度纬度,百度经度\nA,{HUAWEI},c,1,2\n".encode())
    assert t.coord_system == geo.BD09
    with pytest.raises(TableError):
        parse_table(f"企业名称,统一社会信用代码,社区,纬度(百度),经度(高德)\nA,{HUAWEI},c,1,2\n".encode())


def test_title_rows_above_header_keep_spreadsheet_line_numbers():
    text = ("某某街道企业名录（2024年）,,\n"
            "填表单位：安监办,,\n"
            "企业名称,统一社会信用代码,所属社区\n"
            f"华为,{HUAWEI},坂田\n")
    t = parse_table(text.encode("gbk"))
    assert t.header_line == 3
    assert t.rows == [(4, {"name": "华为", "credit_code": HUAWEI, "community": "坂田"})]


def test_multiline_quoted_cell_counts_as_one_spreadsheet_row():
    text = (f"企业名称,统一社会信用代码,所属社区,地址\n"
            f"A,{HUAWEI},c,\"第一行\n第二行\"\n"
            f"B,{TENCENT},c,x\n")
    rows = read_table(text.encode())
    assert [line for line, _ in rows] == [2, 3]
    assert rows[0][1]["address"] == "第一行\n第二行"


def _xlsx(rows, title_rows=()):
    wb = Workbook()
    ws = wb.active
    ws.title = "企业"
    for r in (*title_rows, *rows):
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_detected_by_content_not_name():
    data = _xlsx([
        ["企业名称", "统一社会信用代码", "所属社区", "纬度", "经度", "联系电话", "从业人数",
         "风险等级"],
        ["华为技术有限公司", HUAWEI, "坂田社区", 22.6533, 114.0575, 13800138000, 1200, "重大"],
        [None, None, None, None, None, None, None, None],
        ["腾讯科技（深圳）有限公司", TENCENT, "粤海社区", None, None, "0755-86013388", 300.0,
         "yellow"],
    ])
    assert data[:4] == b"PK\x03\x04"
    t = parse_table(data, "upload.csv")   # a misleading name does not matter
    assert t.format == "xlsx" and t.sheet == "企业"
    assert t.rows == [
        (2, {"name": "华为技术有限公司", "credit_code": HUAWEI, "community": "坂田社区",
             "lat": "22.6533", "lng": "114.0575", "phone": "13800138000", "employees": "1200",
             "risk_level": "重大"}),
        (4, {"name": "腾讯科技（深圳）有限公司", "credit_code": TENCENT, "community": "粤海社区",
             "lat": None, "lng": None, "phone": "0755-86013388", "employees": "300",
             "risk_level": "yellow"}),
    ]
    cleaned = [clean_row(line, row) for line, row in t.rows]
    assert all(errors == [] for _, errors in cleaned)
    assert cleaned[0][0]["location"] == {"lat": 22.6533, "lng": 114.0575}
    assert cleaned[0][0]["risk_level"] == "red" and cleaned[1][0]["risk_level"] == "yellow"
    assert cleaned[1][0]["employees"] == 300 and cleaned[1][0]["location"] is None


def test_xlsx_with_title_row():
    data = _xlsx([["企业名称", "统一社会信用代码", "社区"], ["A", HUAWEI, "c"]],
                 title_rows=[["2024 年企业台账"]])
    assert read_table(data, "a.xlsx") == [
        (3, {"name": "A", "credit_code": HUAWEI, "community": "c"})]


def test_missing_required_header_is_one_clear_error():
    text = "企业名称,地址,纬度,经度\nA,路,1,2\n"
    with pytest.raises(TableError) as exc:
        read_table(text.encode())
    msg = str(exc.value)
    assert "缺少必填列" in msg and "统一社会信用代码" in msg and "所属社区" in msg
    assert "credit_code" in msg and "community" in msg
    assert {e.field for e in exc.value.errors} == {"credit_code", "community"}
    assert all(e.line == 1 for e in exc.value.errors)
    assert set(exc.value.as_problem_errors()) == {"credit_code", "community"}


def test_required_can_be_relaxed():
    rows = read_table("企业名称,地址\nA,路\n".encode(), required=("name",))
    assert rows == [(2, {"name": "A", "address": "路"})]


@pytest.mark.parametrize("data,needle", [
    (b"", "空"),
    (b"   \n", "空"),
    (b"just,some,words\n1,2,3\n", "表头"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    (b"PK\x03\x04garbage", "XLSX"),
    (b"\x81\x30\xff\xfe\xff\xff\x00\x80", "编码"),
])
def test_file_level_errors(data, needle):
    with pytest.raises(TableError) as exc:
        read_table(data, "x")
    assert needle in str(exc.value)


def test_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(TableError, match="XLSX"):
        read_table(buf.getvalue(), "x.xlsx")


def test_max_rows():
    text = "企业名称,统一社会信用代码,社区\n" + "".join(f"A{i},{HUAWEI},c\n" for i in range(5))
    assert len(read_table(text.encode(), max_rows=5)) == 5
    with pytest.raises(TableError, match="上限"):
        read_table(text.encode(), max_rows=4)


# ------------------------------------------------------------------ clean_row

@pytest.mark.parametrize("value,code", [
    ("红", "red"), ("红色", "red"), ("重大", "red"), ("重大风险", "red"), ("RED", "red"),
    ("橙", "orange"), ("较大", "orange"), ("orange", "orange"),
    ("黄", "yellow"), ("一般", "yellow"), ("Yellow", "yellow"),
    ("蓝", "blue"), ("低", "blue"), ("低风险", "blue"), (" blue ", "blue"),
    ("", None), (None, None),
])
def test_parse_risk_level(value, code):
    assert parse_risk_level(value) == code


def test_parse_risk_level_unknown():
    with pytest.raises(ValueError, match="红/橙/黄/蓝"):
        parse_risk_level("紫")


def test_clean_row_errors_name_line_and_field():
    row = {"name": "", "credit_code": "91350100M000100Y44", "community": "c",
           "risk_level": "紫", "employees": "-3", "phone": "abc", "lat": "116.4", "lng": "39.9"}
    clean, errors = clean_row(7, row)
    by_field = {e.field: e for e in errors}
    assert set(by_field) == {"name", "credit_code", "risk_level", "employees", "phone", "lat"}
    assert all(isinstance(e, RowError) and e.line == 7 for e in errors)
    assert "应为“3”" in by_field["credit_code"].message
    assert "填反" in by_field["lat"].message
    assert clean == {"community": "c"}
    assert str(by_field["name"]).startswith("第 7 行（企业名称）")


def test_clean_row_good_values():
    row = {"name": "  腾讯科技（深圳）有限公司 ",
           "credit_code": "９１４４０３００７１５２６７２６ｘｇ", "community": "粤海",
           "address": None, "lat": "22.54°", "lng": "113.93",
           "risk_level": "蓝", "phone": "０７５５-８６０１３３８８", "employees": "1,200 人",
           "safety_officer": None}
    clean, errors = clean_row(2, row)
    assert errors == []
    assert clean == {"name": "腾讯科技（深圳）有限公司", "credit_code": TENCENT,
                     "community": "粤海", "address": None,
                     "location": {"lat": 22.54, "lng": 113.93},
                     "risk_level": "blue", "phone": "0755-86013388", "employees": 1200,
                     "safety_officer": None}


def test_clean_row_half_a_location():
    _, errors = clean_row(3, {"lat": "22.5", "lng": None})
    assert [(e.field, e.line) for e in errors] == [("lng", 3)]
    _, errors = clean_row(3, {"lat": "north", "lng": "113"})
    assert [e.field for e in errors] == ["lat"]
    _, errors = clean_row(3, {"lat": "22", "lng": "200"})
    assert [e.field for e in errors] == ["lng"] and "超出范围" in errors[0].message


# ------------------------------------------------------------------ writing

EXPORT_COLUMNS = [("name", "企业名称"), ("credit_code", "统一社会信用代码"),
                  ("location.lat", "纬度"), ("employees", "从业人数"), ("found_at", "发现时间"),
                  ("deadline", "整改期限"), ("escalated", "已升级"), ("note", "备注")]
EXPORT_ROWS = [
    {"name": "华为技术有限公司", "credit_code": HUAWEI, "location": {"lat": 22.6533, "lng": 114.0},
     "employees": 1200, "found_at": datetime(2024, 5, 1, 2, 30, tzinfo=timezone.utc),
     "deadline": date(2024, 5, 31), "escalated": True, "note": "=HYPERLINK(\"http://x\")"},
    {"name": "腾讯科技（深圳）有限公司", "credit_code": TENCENT, "location": None,
     "employees": None, "found_at": None, "deadline": None, "escalated": False, "note": "-1+2"},
]


def test_write_xlsx_layout_and_values():
    data = write_xlsx(EXPORT_ROWS, EXPORT_COLUMNS, sheet_title="隐患台账")
    wb = load_workbook(io.BytesIO(data))
    ws = wb["隐患台账"]
    assert [c.value for c in ws[1]] == [t for _, t in EXPORT_COLUMNS]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H3"
    r2 = [c.value for c in ws[2]]
    assert r2[:4] == ["华为技术有限公司", HUAWEI, 22.6533, 1200]
    assert r2[4] == datetime(2024, 5, 1, 10, 30)          # shown in Asia/Shanghai
    assert r2[5] == datetime(2024, 5, 31) and r2[6] == "是"
    assert ws["H2"].data_type == "s" and ws["H2"].value.startswith("=HYPERLINK")  # not a formula
    assert [c.value for c in ws[3]][2:7] == [None, None, None, None, "否"]
    # CJK names are counted double: the name column is wider than the credit-code column
    assert ws.column_dimensions["A"].width > ws.column_dimensions["B"].width >= 18


def test_write_csv_bom_values_and_formula_guard():
    data = write_csv(EXPORT_ROWS, EXPORT_COLUMNS)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "企业名称,统一社会信用代码,纬度,从业人数,发现时间,整改期限,已升级,备注"
    assert lines[1].startswith(
        f"华为技术有限公司,{HUAWEI},22.6533,1200,2024-05-01 10:30:00,2024-05-31,是,")
    assert "'=HYPERLINK" in lines[1] and ",'-1+2" in lines[2]


def test_export_reimports_unchanged():
    """The registry export read back by the importer gives the same rows, in both formats."""
    cols = [(c.key, c.zh) for c in COLUMNS]
    src = [{"name": "华为技术有限公司", "credit_code": HUAWEI, "community": "坂田社区",
            "address": "深圳市龙岗区", "lat": 22.6533, "lng": 114.0575, "industry": "制造业",
            "risk_level": "red", "legal_rep": "徐某", "safety_officer": "李某",
            "phone": "+86 755 28780808", "employees": 1200},
           {"name": "=1+1 有限公司", "credit_code": TENCENT, "community": "粤海社区",
            "address": None, "lat": None, "lng": None, "industry": None, "risk_level": None,
            "legal_rep": None, "safety_officer": None, "phone": None, "employees": None}]
    for data in (write_csv(src, cols), write_xlsx(src, cols)):
        rows = read_table(data, None)
        cleaned = [clean_row(line, row) for line, row in rows]
        assert [e for _, es in cleaned for e in es] == []
        assert [c["name"] for c, _ in cleaned] == ["华为技术有限公司", "=1+1 有限公司"]
        assert cleaned[0][0]["location"] == {"lat": 22.6533, "lng": 114.0575}
        assert cleaned[0][0]["phone"] == "+86 755 28780808"
        assert cleaned[0][0]["employees"] == 1200 and cleaned[0][0]["risk_level"] == "red"


def test_template_has_every_column():
    wb = load_workbook(io.BytesIO(import_template_xlsx()))
    assert [c.value for c in wb.active[1]] == [c.zh for c in COLUMNS]
    assert read_table(import_template_xlsx()) == []
