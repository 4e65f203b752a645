//! CSV tables through the built binary: row errors naming the right line, delimiters,
//! `--flexible`, and the encoding `score` writes.

use assert_cmd::Command;

struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

fn run(args: &[&str], stdin: Vec<u8>) -> Run {
    let out = Command::cargo_bin("collectguard").unwrap().args(args).write_stdin(stdin).output().unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    r
}

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
    let rows = read_back(&r.stdout, b'\t');
    assert_eq!(rows[0][..4], ["编号", "短信内容", "备注", "label"]);
    assert_eq!(rows[1][..4], ["1", "明天抓你坐牢", "a,b", "threatening"]);
    assert_eq!(rows[2][..4], ["2", "您好，请按时还款", "", "compliant"]);
    assert!(rows.iter().all(|r| r.len() == 10), "{rows:?}");
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
