//! CSV tables through the built binary: row errors naming the right line, delimiters,
//! `--flexible`, and the encoding `score` writes.

#[path = "common/run.rs"]
mod common_run;
use common_run::run;

#[test]
fn row_errors_name_the_line_the_row_starts_on_in_lf_crlf_and_cr_files() {
    // Row 2 starts on line 3, or on line 4 after a quoted cell with a line break.
    for (body, line) in [
        ("id,text\n1,ok\n2,bad,x\n", 3),
        ("id,text\r\n1,ok\r\n2,bad,x\r\n", 3),
        ("id,text\r1,ok\r2,bad,x\r", 3),
        ("id,text\r\n1,\"a\r\nb\"\r\n2,bad,x\r\n", 4),
    ] {
        for args in [&["score", "-"][..], &["eval", "--data", "-"][..]] {
            // eval reads the same rows as text,label.
            let body = if args[0] == "eval" {
                body.replace("id,text", "text,label")
                    .replace("1,ok", "ok,compliant")
                    .replace("2,bad,x", "bad,compliant,x")
                    .replace("1,\"a\r\nb\"", "\"a\r\nb\",compliant")
            } else {
                body.to_string()
            };
            let r = run(args, body.clone().into_bytes());
            assert_eq!(r.code, 2, "{body:?}");
            let want = format!("row 2 (line {line})");
            assert!(r.stderr.contains(&want), "{args:?} {body:?}: {}", r.stderr);
        }
    }
}

fn utf16le_with_bom(s: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xFE];
    b.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
    b
}

fn read_back(bytes: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap().trim_start_matches('\u{feff}');
    let mut r =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).from_reader(text.as_bytes());
    r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect()
}

#[test]
fn excel_unicode_text_is_read_by_its_tabs_and_written_with_them() {
    // Excel's "Unicode text": UTF-16LE with a BOM, tab-separated, CRLF.
    let input = utf16le_with_bom("编号\t短信内容\t备注\r\n1\t明天抓你坐牢\ta,b\r\n2\t您好，请按时还款\t\r\n");
    let r = run(&["score", "-"], input);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // UTF-16 in: UTF-8 with a BOM out, which Excel opens as UTF-8.
    assert!(r.stdout.starts_with(b"\xEF\xBB\xBF"));
    assert!(r.stderr.contains("writing utf8-bom"), "{}", r.stderr);
    let rows = read_back(&r.stdout, b'\t');
    assert_eq!(rows[0][..4], ["编号", "短信内容", "备注", "label"]);
    assert_eq!(rows[1][..4], ["1", "明天抓你坐牢", "a,b", "threatening"]);
    assert_eq!(rows[2][..4], ["2", "您好，请按时还款", "", "compliant"]);
    // Three input columns, seven verdict columns, worst_unit, and the rules' findings and flagged.
    assert!(rows.iter().all(|r| r.len() == 13), "{rows:?}");
}

#[test]
fn delimiter_is_any_byte_or_tab_on_score_eval_and_train() {
    let r = run(&["score", "-", "--delimiter", ";"], "id;text\n1;明天抓你坐牢\n".as_bytes().to_vec());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(read_back(&r.stdout, b';')[1][..3], ["1", "明天抓你坐牢", "threatening"]);
    for tab in ["tab", "\\t", "\t"] {
        let r = run(
            &["score", "-", "--delimiter", tab],
            "id\ttext\tnote,x\n1\t明天抓你坐牢\ta,b\n".as_bytes().to_vec(),
        );
        assert_eq!(r.code, 0, "{tab:?}: {}", r.stderr);
        let rows = read_back(&r.stdout, b'\t');
        assert_eq!(rows[0][..4], ["id", "text", "note,x", "label"]);
        assert_eq!(rows[1][..4], ["1", "明天抓你坐牢", "a,b", "threatening"]);
    }
    let r = run(&["score", "-", "--delimiter", "ab"], b"id,text\n".to_vec());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not one byte"), "{}", r.stderr);

    let labelled = "text|label\n明天抓你坐牢|threatening\n您好，请按时还款|compliant\n废物老赖|harassing\n";
    let r =
        run(&["eval", "--data", "-", "--delimiter", "|", "--format", "json"], labelled.as_bytes().to_vec());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(m["rows"], 3);
    // Tab-separated labelled data is detected without the option.
    let r = run(&["eval", "--data", "-", "--format", "json"], labelled.replace('|', "\t").into_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    let r = run(
        &["train", "--data", "-", "--out", out.to_str().unwrap(), "--delimiter", "|"],
        labelled.as_bytes().to_vec(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("3 labelled messages"), "{}", r.stderr);
}

#[test]
fn flexible_rows_wider_than_the_header_get_named_columns_and_the_verdicts_line_up() {
    let input = "id,text\n1,明天抓你坐牢,x,y\n2,您好，请按时还款\n3,废物老赖,z\n";
    let r = run(&["score", "-", "--flexible"], input.as_bytes().to_vec());
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Every row as wide as the header: a strict reader takes the output.
    let text = String::from_utf8(r.stdout).unwrap();
    let mut strict = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = strict.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header[..5], ["id", "text", "extra_1", "extra_2", "label"]);
    let rows: Vec<csv::StringRecord> = strict.records().map(Result::unwrap).collect();
    let label = header.iter().position(|h| h == "label").unwrap();
    let expected = [("1", "x", "y"), ("2", "", ""), ("3", "z", "")];
    for (row, (id, e1, e2)) in rows.iter().zip(expected) {
        assert_eq!((&row[0], &row[2], &row[3]), (id, e1, e2));
        let text = &row[1];
        let single = run(&["classify", "--format", "jsonl"], format!("{text}\n").into_bytes());
        let v: serde_json::Value = serde_json::from_slice(&single.stdout).unwrap();
        assert_eq!(row[label], v["label"].as_str().unwrap().to_string(), "{text}");
    }
    // A name taken by the input gets the prefix.
    let r = run(&["score", "-", "--flexible"], "extra_1,text\na,还钱,b\n".as_bytes().to_vec());
    let text = String::from_utf8(r.stdout).unwrap();
    assert!(text.starts_with("extra_1,text,collectguard_extra_1,label,"), "{text}");
}

/// Cells as Excel would save them: quotes, commas, line breaks, leading zeros, empties.
fn excel_cells() -> Vec<Vec<String>> {
    let rows = [
        ["编号", "短信内容", "备注"],
        ["007", "明天抓你坐牢", "含,逗号"],
        ["008", "您好，请按时还款。\r\n谢谢", "含\"引号\""],
        ["009", "废物老赖，还钱！", ""],
    ];
    rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// `cells` as CSV with CRLF line ends, as Excel writes it.
fn excel_csv(cells: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for row in cells {
        w.write_record(row).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// The output decoded strictly (an undecodable byte fails), as rows of cells.
fn strict(bytes: &[u8], encoding: &str) -> Vec<Vec<String>> {
    let text = match encoding {
        "utf8" => std::str::from_utf8(bytes).unwrap().to_string(),
        "utf8-bom" => {
            std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a BOM")).unwrap().to_string()
        }
        "gb18030" => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .expect("strict GB18030")
            .into_owned(),
        _ => unreachable!(),
    };
    assert!(!text.starts_with('\u{feff}'));
    read_back(text.as_bytes(), b',')
}

/// Every original cell is in the output, unchanged, with the verdict columns after them.
fn assert_cells_kept(cells: &[Vec<String>], got: &[Vec<String>]) {
    assert_eq!(got.len(), cells.len());
    for (want, row) in cells.iter().zip(got) {
        assert_eq!(row[..want.len()], want[..]);
        assert_eq!(row.len(), want.len() + 10);
    }
    assert_eq!(got[1][3], "threatening");
}

#[test]
fn excel_utf8_with_bom_and_gbk_csv_round_trip_in_the_encoding_they_came_in() {
    let cells = excel_cells();
    let csv_text = excel_csv(&cells);
    let bom = [b"\xEF\xBB\xBF", csv_text.as_bytes()].concat();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&csv_text);
    assert!(!unmappable);
    let dir = tempfile::tempdir().unwrap();
    for (name, input, default) in [("bom", bom, "utf8-bom"), ("gbk", gbk.into_owned(), "gb18030")] {
        let path = dir.path().join(format!("{name}.csv"));
        std::fs::write(&path, &input).unwrap();
        let out = dir.path().join(format!("{name}.scored.csv"));
        let r = run(&["score", path.to_str().unwrap(), "-o", out.to_str().unwrap()], vec![]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stderr.contains(&format!("writing {default}")), "{name}: {}", r.stderr);
        assert_cells_kept(&cells, &strict(&std::fs::read(&out).unwrap(), default));
        for chosen in ["utf8", "utf8-bom", "gb18030"] {
            let r = run(&["score", "-", "--output-encoding", chosen], input.clone());
            assert_eq!(r.code, 0, "{}", r.stderr);
            assert!(!r.stderr.contains("writing"), "{}", r.stderr);
            assert_cells_kept(&cells, &strict(&r.stdout, chosen));
        }
    }
    // Plain UTF-8 stays plain UTF-8, said nothing about.
    let r = run(&["score", "-"], csv_text.clone().into_bytes());
    assert!(!r.stderr.contains("writing"), "{}", r.stderr);
    assert_cells_kept(&cells, &strict(&r.stdout, "utf8"));
}

#[test]
fn gb18030_output_keeps_every_character() {
    // Characters outside GBK (emoji, CJK extension B) have four-byte GB18030 codes.
    let cells = vec![vec!["text".to_string()], vec!["明天抓你坐牢 😀 𠀀 é ß".to_string()]];
    let r = run(&["score", "-", "--output-encoding", "gb18030"], excel_csv(&cells).into_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got = strict(&r.stdout, "gb18030");
    assert_eq!(got[1][0], cells[1][0]);
    let r = run(
        &["classify", "--format", "csv", "--output-encoding", "gb18030"],
        format!("{}\n", cells[1][0]).into_bytes(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let got = strict(&r.stdout, "gb18030");
    assert_eq!((got[0][2].as_str(), got[1][2].as_str()), ("text", cells[1][0].as_str()));
    let r = run(&["classify", "--output-encoding", "gb18030"], b"x\n".to_vec());
    assert_eq!(r.code, 2);
}
