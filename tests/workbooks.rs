//! Workbooks through the built binary: an `.xlsx` written here scored to `.xlsx` and to CSV
//! and read back with calamine, `--sheet`, an `.ods` made here, and bad workbooks.

use calamine::{Reader, open_workbook_auto};
use collectguard::workbook::cell_text;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::io::{Cursor, Read, Write};
use std::path::Path;

#[path = "common/run.rs"]
mod common_run;
use common_run::run;

const HEADER: [&str; 6] = ["客户编号", "发送时间", "渠道", "短信内容", "金额", "备注"];

/// The first sheet's rows as the sheet shows them (what `score` must read).
fn rows() -> Vec<[&'static str; 6]> {
    vec![
        ["C001", "2026-11-03 23:14:05", "短信", "明天再不还钱就去你单位闹", "1200", ""],
        [
            "C002",
            "2026-11-04 10:00:00",
            "短信",
            "您好，您本期账单已出，请按时还款。",
            "99.5",
            "客户说\n下周还",
        ],
        ["C003", "2026-11-04", "短信", "第一行：您好\n第二行：你全家都是废物，丢人现眼", "0", "整数0"],
    ]
}

/// A workbook as Excel users have them: blank rows above the header and one between rows,
/// text, numbers, date-times with a number format, a date, an empty cell and multi-line
/// cells; a second sheet, and an empty third one.
fn write_xlsx(path: &Path) {
    let mut book = Workbook::new();
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    let day = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = book.add_worksheet();
    sheet.set_name("短信").unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).unwrap();
    }
    for (i, row) in rows().iter().enumerate() {
        let r = i as u32 + if i < 2 { 3 } else { 4 };
        sheet.write_string(r, 0, row[0]).unwrap();
        let dt = ExcelDateTime::parse_from_str(row[1]).unwrap();
        sheet.write_datetime_with_format(r, 1, &dt, if row[1].len() > 10 { &when } else { &day }).unwrap();
        sheet.write_string(r, 2, row[2]).unwrap();
        sheet.write_string(r, 3, row[3]).unwrap();
        sheet.write_number(r, 4, row[4].parse::<f64>().unwrap()).unwrap();
        if !row[5].is_empty() {
            sheet.write_string(r, 5, row[5]).unwrap();
        }
    }
    let other = book.add_worksheet();
    other.set_name("其他").unwrap();
    other.write_string(0, 0, "内容").unwrap();
    other.write_string(1, 0, "再不还钱，小心你的腿").unwrap();
    book.add_worksheet().set_name("空").unwrap();
    book.save(path).unwrap();
}

/// A sheet of a workbook as text, row by row.
fn read_sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut book = open_workbook_auto(path).unwrap();
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.iter().map(cell_text).collect()).collect()
}

fn read_csv(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap().trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect()
}

/// Six input columns, seven verdict columns, worst_unit, findings and flagged.
const WIDTH: usize = 6 + 7 + 3;

fn check_scored(rows_out: &[Vec<String>]) {
    assert_eq!(rows_out.len(), 4, "{rows_out:?}");
    assert_eq!(rows_out[0][..6], HEADER);
    assert_eq!(
        rows_out[0][6..],
        [
            "label",
            "confidence",
            "p_compliant",
            "p_threatening",
            "p_harassing",
            "cues",
            "decided_by",
            "worst_unit",
            "findings",
            "flagged"
        ]
    );
    for (got, want) in rows_out[1..].iter().zip(rows()) {
        assert_eq!(got.len(), WIDTH, "{got:?}");
        assert_eq!(got[..6], want, "every input cell unchanged");
    }
    let label = |r: usize| rows_out[r][6].as_str();
    assert_eq!([label(1), label(2), label(3)], ["threatening", "compliant", "harassing"]);
    // The date-time cell is read as a time: 23:14 is in the quiet hours, 10:00 is not.
    assert!(rows_out[1][14].contains("N1"), "{:?}", rows_out[1]);
    assert!(!rows_out[2][14].contains("N1"), "{:?}", rows_out[2]);
    assert_eq!([&rows_out[1][15], &rows_out[2][15]], ["true", "false"]);
    assert!(rows_out[1][11].contains("就去你单位"), "cues: {:?}", rows_out[1][11]);
}

#[test]
fn an_xlsx_is_scored_to_xlsx_and_to_csv_and_every_cell_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("导出.xlsx");
    write_xlsx(&input);
    let (xlsx, csv_out) = (dir.path().join("结果.xlsx"), dir.path().join("结果.csv"));

    let r = run(&["score", input.to_str().unwrap(), "-o", xlsx.to_str().unwrap()], vec![]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("reading sheet \"短信\" (the first of 3"), "{}", r.stderr);
    assert!(r.stderr.contains("header on row 3"), "{}", r.stderr);
    // The counting rules read the sheet twice.
    assert!(r.stderr.contains("calls counted"), "{}", r.stderr);
    assert!(r.stderr.contains("scored 3 rows into"), "{}", r.stderr);
    let from_xlsx = read_sheet(&xlsx, "scored");
    check_scored(&from_xlsx);

    let r = run(&["score", input.to_str().unwrap(), "-o", csv_out.to_str().unwrap()], vec![]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("writing utf8-bom from a workbook"), "{}", r.stderr);
    let bytes = std::fs::read(&csv_out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "Excel opens a CSV as UTF-8 by its BOM");
    let from_csv = read_csv(&bytes);
    check_scored(&from_csv);

    // The workbook holds what the CSV holds; the probabilities as numbers.
    for (a, b) in from_xlsx.iter().flatten().zip(from_csv.iter().flatten()) {
        let same_number = matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y);
        assert!(a == b || same_number, "{a:?} vs {b:?}");
    }
}

/// A file of a ZIP archive, as text.
fn zip_entry(path: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn the_scored_workbook_has_a_frozen_filtered_header_and_violations_filled() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in.xlsx"), dir.path().join("out.xlsx"));
    write_xlsx(&input);
    let r = run(&["score", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "--rules", "none"], vec![]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sheet = zip_entry(&out, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#));
    // Without rules: six input columns, seven verdict columns and worst_unit (A to N).
    assert!(sheet.contains(r#"<autoFilter ref="A1:N4"/>"#), "{sheet}");
    let styles = zip_entry(&out, "xl/styles.xml");
    assert!(styles.contains("FFFFC7CE") && styles.contains("FFFCD5B4"), "{styles}");
    // Each violating row's cells take its label's fill; the compliant row none. Style
    // indices follow the order fills are first used: bold header 1, threatening 2,
    // harassing 3.
    let cell_style = |cell: &str| {
        let at = sheet.find(&format!(r#"<c r="{cell}""#)).unwrap_or_else(|| panic!("{cell}"));
        let tag = &sheet[at..at + sheet[at..].find('>').unwrap()];
        tag.split(" s=\"").nth(1).map(|s| s[..s.find('"').unwrap()].to_string())
    };
    assert_eq!(cell_style("A1").as_deref(), Some("1"));
    assert_eq!(cell_style("D2").as_deref(), Some("2"));
    assert_eq!(cell_style("F2").as_deref(), Some("2"), "an empty cell of a violating row is filled");
    assert_eq!(cell_style("D3"), None);
    assert_eq!(cell_style("D4").as_deref(), Some("3"));
}

#[test]
fn sheet_chooses_by_name_or_position_and_a_workbook_can_come_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.xlsx");
    write_xlsx(&input);
    let path = input.to_str().unwrap();
    for sheet in ["其他", "2"] {
        let r = run(&["score", path, "--sheet", sheet, "--rules", "none"], vec![]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let rows = read_csv(&r.stdout);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1][..2], ["再不还钱，小心你的腿", "threatening"]);
        assert!(r.stderr.contains("reading sheet \"其他\", header on row 1"), "{}", r.stderr);
    }
    let r = run(&["score", "-", "--rules", "none"], std::fs::read(&input).unwrap());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(read_csv(&r.stdout).len(), 4);
    // JSON Lines and the summary work on a workbook as on a CSV.
    let r = run(&["score", path, "--format", "jsonl", "--summary"], vec![]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<serde_json::Value> = r
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["columns"]["发送时间"], "2026-11-03 23:14:05");
    assert_eq!(lines[1]["columns"]["备注"], "客户说\n下周还");
    assert_eq!(lines[0]["flagged"], true);
    assert!(r.stderr.contains("rows"), "{}", r.stderr);
}

fn ods(content_rows: &str, encrypted: bool) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    let encryption = if encrypted {
        r#"<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/></manifest:encryption-data></manifest:file-entry>"#
    } else {
        ""
    };
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>{encryption}</manifest:manifest>"#
    )
    .unwrap();
    zip.start_file("content.xml", stored).unwrap();
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="导出">{content_rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    )
    .unwrap();
    zip.finish().unwrap().into_inner()
}

fn ods_cell(kind: &str, value: &str) -> String {
    match kind {
        "string" => format!(
            r#"<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>"#
        ),
        "float" => format!(
            r#"<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>"#
        ),
        "date" => format!(
            r#"<table:table-cell office:value-type="date" office:date-value="{value}"><text:p>{value}</text:p></table:table-cell>"#
        ),
        _ => "<table:table-cell/>".to_string(),
    }
}

#[test]
fn an_ods_made_here_is_read() {
    let row = |cells: &[(&str, &str)]| {
        format!(
            "<table:table-row>{}</table:table-row>",
            cells.iter().map(|(k, v)| ods_cell(k, v)).collect::<String>()
        )
    };
    let body = [
        row(&[("string", "编号"), ("string", "发送时间"), ("string", "短信内容"), ("string", "备注")]),
        row(&[("float", "1"), ("date", "2026-11-03T23:14:05"), ("string", "明天抓你坐牢"), ("empty", "")]),
        row(&[
            ("float", "2.5"),
            ("date", "2026-11-04T10:00:00"),
            ("string", "您好，请按时还款"),
            ("string", "好"),
        ]),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("导出.ods");
    std::fs::write(&input, ods(&body, false)).unwrap();
    let r = run(&["score", input.to_str().unwrap()], vec![]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = read_csv(&r.stdout);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[1][..5], ["1", "2026-11-03 23:14:05", "明天抓你坐牢", "", "threatening"]);
    assert_eq!(rows[2][..5], ["2.5", "2026-11-04 10:00:00", "您好，请按时还款", "好", "compliant"]);
    // The ODS date is read as a time by the rules: 23:14 is in the quiet hours.
    assert!(rows[1].iter().any(|f| f.contains("N1")), "{:?}", rows[1]);
}

/// An encrypted `.xlsx` as Excel saves one: an OLE file with the encrypted package.
fn encrypted_xlsx() -> Vec<u8> {
    let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    file.create_stream("EncryptionInfo").unwrap().write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]).unwrap();
    file.create_stream("EncryptedPackage").unwrap().write_all(&[0x5A; 4096]).unwrap();
    file.flush().unwrap();
    file.into_inner().into_inner()
}

#[test]
fn bad_workbooks_are_clear_errors_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.xlsx");
    write_xlsx(&good);
    let bytes = std::fs::read(&good).unwrap();
    let header_only = format!("<table:table-row>{}</table:table-row>", ods_cell("string", "内容"));
    let cases: Vec<(&str, Vec<u8>, &[&str], &str)> = vec![
        ("encrypted.xlsx", encrypted_xlsx(), &[], "encrypted (password protected)"),
        ("encrypted.ods", ods(&header_only, true), &[], "encrypted (password protected)"),
        (
            "cut.xlsx",
            bytes[..bytes.len() / 2].to_vec(),
            &[],
            "not a readable workbook, damaged or incomplete",
        ),
        ("junk.xlsx", b"PK\x03\x04 xl/workbook.xml and no archive".to_vec(), &[], "damaged or incomplete"),
        ("empty.xlsx", bytes.clone(), &["--sheet", "空"], "sheet \"空\" is empty"),
        (
            "missing.xlsx",
            bytes.clone(),
            &["--sheet", "汇总"],
            "no sheet \"汇总\"; the sheets are \"短信\", \"其他\", \"空\"",
        ),
        ("past.xlsx", bytes.clone(), &["--sheet", "4"], "no sheet \"4\""),
    ];
    for (name, content, extra, want) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        let out = dir.path().join(format!("{name}.out.xlsx"));
        let mut args = vec!["score", path.to_str().unwrap(), "-o", out.to_str().unwrap()];
        args.extend(extra);
        let r = run(&args, vec![]);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(want), "{name}: {}", r.stderr);
        assert!(!out.exists(), "{name}: no output left behind");
    }
    // A ZIP that is no workbook is refused as well.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("notes.txt", zip::write::SimpleFileOptions::default()).unwrap();
    zip.write_all("还钱".as_bytes()).unwrap();
    let r = run(&["score", "-"], zip.finish().unwrap().into_inner());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not text but a ZIP archive that is no workbook"), "{}", r.stderr);
}

#[test]
fn options_that_do_not_fit_a_workbook_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.xlsx");
    write_xlsx(&input);
    let csv = dir.path().join("in.csv");
    std::fs::write(&csv, "text\n还钱\n").unwrap();
    let (out, xls) = (dir.path().join("out.xlsx"), dir.path().join("out.xls"));
    let (x, c, o) = (input.to_str().unwrap(), csv.to_str().unwrap(), out.to_str().unwrap());
    for (args, want) in [
        (vec!["score", c, "--sheet", "1"], "--sheet applies to workbooks"),
        (vec!["score", x, "--delimiter", ";"], "--delimiter applies to CSV input"),
        (vec!["score", c, "-o", o, "--format", "jsonl"], "--format jsonl writes JSON Lines"),
        (vec!["score", c, "-o", o, "--output-encoding", "utf8"], "--output-encoding applies to CSV"),
        (vec!["score", c, "-o", xls.to_str().unwrap()], "as .xlsx only"),
    ] {
        let r = run(&args, vec![]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
        assert!(!out.exists() && !xls.exists());
    }
    // classify reads lines of text, and points at score for a workbook.
    for cmd in ["classify", "filter"] {
        let r = run(&[cmd, x], vec![]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains("`score` reads those"), "{}", r.stderr);
    }
    // A CSV can be handed back as a workbook too.
    let r = run(&["score", c, "-o", o], vec![]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = read_sheet(&out, "scored");
    assert_eq!(rows[1][..2], ["还钱", "harassing"]);
}

/// One BIFF8 record.
fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    out.extend(typ.to_le_bytes());
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
}

/// A cell's position and format (XF index) as BIFF8 cell records start.
fn at(row: u16, col: u16, xf: u16) -> Vec<u8> {
    [row, col, xf].iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A minimal `.xls` (BIFF8 in an OLE file), as Excel 97–2003 saves one: a sheet of text
/// cells (UTF-16), numbers, and a number in a built-in date-time format; with
/// `password`, the workbook globals say it is encrypted.
fn xls(sheet_name: &str, rows: &[Vec<(&str, &str)>], password: bool) -> Vec<u8> {
    let bof = |dt: u16| [&0x0600u16.to_le_bytes()[..], &dt.to_le_bytes(), &[0; 12]].concat();
    let utf16 = |s: &str| s.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    if password {
        record(&mut globals, 0x002F, &[1, 0, 1, 0, 1, 0]);
    }
    // XF 0: General; XF 1: built-in format 22, `m/d/yy h:mm`.
    for format in [0u16, 22] {
        let mut xf = vec![0; 20];
        xf[2..4].copy_from_slice(&format.to_le_bytes());
        record(&mut globals, 0x00E0, &xf);
    }
    let mut sheet_rec = vec![0, 0, 0, 0, 0, 0, sheet_name.encode_utf16().count() as u8, 1];
    sheet_rec.extend(utf16(sheet_name));
    let bound_at = globals.len() + 4;
    record(&mut globals, 0x0085, &sheet_rec);
    record(&mut globals, 0x000A, &[]);
    let offset = globals.len() as u32;
    globals[bound_at..bound_at + 4].copy_from_slice(&offset.to_le_bytes());
    let mut sheet = Vec::new();
    record(&mut sheet, 0x0809, &bof(0x0010));
    for (r, row) in rows.iter().enumerate() {
        for (c, (kind, value)) in row.iter().enumerate() {
            let (r, c) = (r as u16, c as u16);
            match *kind {
                "string" => {
                    let mut data = at(r, c, 0);
                    data.extend((value.encode_utf16().count() as u16).to_le_bytes());
                    data.push(1);
                    data.extend(utf16(value));
                    record(&mut sheet, 0x0204, &data);
                }
                "number" | "datetime" => {
                    let mut data = at(r, c, u16::from(*kind == "datetime"));
                    data.extend(value.parse::<f64>().unwrap().to_le_bytes());
                    record(&mut sheet, 0x0203, &data);
                }
                _ => {}
            }
        }
    }
    record(&mut sheet, 0x000A, &[]);
    let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    file.create_stream("Workbook").unwrap().write_all(&[globals, sheet].concat()).unwrap();
    file.flush().unwrap();
    file.into_inner().into_inner()
}

#[test]
fn an_xls_made_here_is_read() {
    // 46329.9681134259… is 2026-11-03 23:14:05.
    let when = (46329.0 + (23.0 * 3600.0 + 14.0 * 60.0 + 5.0) / 86400.0).to_string();
    let rows = vec![
        vec![("string", "编号"), ("string", "发送时间"), ("string", "短信内容"), ("string", "备注")],
        vec![("number", "1"), ("datetime", when.as_str()), ("string", "明天抓你坐牢"), ("empty", "")],
        vec![("number", "2.5"), ("datetime", "46330.5"), ("string", "您好，\n请按时还款"), ("string", "好")],
    ];
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("导出.xls");
    std::fs::write(&input, xls("导出", &rows, false)).unwrap();
    let r = run(&["score", input.to_str().unwrap()], vec![]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("reading sheet \"导出\", header on row 1"), "{}", r.stderr);
    let got = read_csv(&r.stdout);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[1][..5], ["1", "2026-11-03 23:14:05", "明天抓你坐牢", "", "threatening"]);
    assert_eq!(got[2][..5], ["2.5", "2026-11-04 12:00:00", "您好，\n请按时还款", "好", "compliant"]);
    assert!(got[1].iter().any(|f| f.contains("N1")), "{:?}", got[1]);

    std::fs::write(&input, xls("导出", &rows, true)).unwrap();
    let r = run(&["score", input.to_str().unwrap()], vec![]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("encrypted (password protected)"), "{}", r.stderr);
}
