//! Messy real-world input through the built binary: encodings, line endings, huge lines,
//! NUL bytes, empty input, ragged and quoted CSV, interrupted output, closed pipes.
//! Each case checks the exit code, that no panic text appears, the message, and that no
//! row is lost.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::io::{Read, Write};
use std::process::Stdio;

fn cg() -> Command {
    Command::cargo_bin("collectguard").unwrap()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], stdin: Vec<u8>) -> Run {
    let out = cg().args(args).write_stdin(stdin).output().unwrap();
    let r = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    r
}

fn records(stdout: &str) -> Vec<Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn texts(stdout: &str) -> Vec<String> {
    records(stdout).iter().map(|r| r["text"].as_str().unwrap().to_string()).collect()
}

fn utf16le_with_bom(s: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xFE];
    for u in s.encode_utf16() {
        b.extend_from_slice(&u.to_le_bytes());
    }
    b
}

#[test]
fn encodings_are_detected_and_decoded() {
    let lines = "老赖还钱\n明天抓你坐牢\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(lines);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(lines.as_bytes());
    for (name, bytes, note) in [
        ("utf8", lines.as_bytes().to_vec(), None),
        ("utf8-bom", bom, None),
        ("gbk", gbk.into_owned(), Some("as GB18030")),
        ("utf16le-bom", utf16le_with_bom(lines), Some("as UTF-16LE")),
    ] {
        let r = run(&["classify", "--format", "jsonl"], bytes);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert_eq!(texts(&r.stdout), ["老赖还钱", "明天抓你坐牢"], "{name}");
        if let Some(n) = note {
            assert!(r.stderr.contains(n), "{name}: {}", r.stderr);
        }
    }
    // An explicit encoding wins.
    let (gbk, _, _) = encoding_rs::GBK.encode("还钱\n");
    let r = run(&["classify", "--format", "jsonl", "--encoding", "gbk"], gbk.into_owned());
    assert_eq!(texts(&r.stdout), ["还钱"]);
}

#[test]
fn undecodable_bytes_are_replaced_reported_and_the_row_kept() {
    let mut bytes = "第一行正常的消息内容\n".repeat(3).into_bytes();
    bytes.extend_from_slice(b"bad \xFF\xFE byte\n");
    bytes.extend_from_slice("最后一行\n".as_bytes());
    let r = run(&["classify", "--format", "jsonl"], bytes.clone());
    assert_eq!(r.code, 0);
    let t = texts(&r.stdout);
    assert_eq!(t.len(), 5);
    assert!(t[3].contains('\u{FFFD}'));
    assert!(r.stderr.contains("line 4") && r.stderr.contains("U+FFFD"), "{}", r.stderr);

    // In a CSV the row is still scored and written.
    let mut csv = b"id,text\n1,".to_vec();
    csv.extend_from_slice(b"\xFF\xFE oops\n2,\xE8\xBF\x98\xE9\x92\xB1\n");
    let r = run(&["score", "-"], csv);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("U+FFFD"));
    assert_eq!(csv_rows(&r.stdout).len(), 2);
}

#[test]
fn line_endings_lf_crlf_cr() {
    for input in ["a\nb\nc\n", "a\r\nb\r\nc\r\n", "a\rb\rc\r", "a\nb\r\nc"] {
        let r = run(&["classify", "--format", "jsonl"], input.as_bytes().to_vec());
        assert_eq!(texts(&r.stdout), ["a", "b", "c"], "{input:?}");
    }
}

#[test]
fn a_ten_megabyte_line_and_nul_bytes() {
    let mut big = "还款提醒，".repeat(700_000);
    big.push('\n');
    assert!(big.len() > 10_000_000);
    let r = run(&["classify", "--format", "jsonl"], big.clone().into_bytes());
    assert_eq!(r.code, 0);
    let recs = records(&r.stdout);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["text"].as_str().unwrap().len(), big.len() - 1);

    let r = run(&["classify", "--format", "jsonl"], b"abc\0def\n\0\n".to_vec());
    assert_eq!(r.code, 0);
    assert_eq!(texts(&r.stdout), ["abc\0def", "\0"]);
}

#[test]
fn empty_input() {
    let r = run(&["classify"], vec![]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    let r = run(&["classify", "--format", "jsonl"], vec![]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    let r = run(&["filter"], vec![]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    let r = run(&["score", "-"], vec![]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    // Empty lines still get their records.
    let r = run(&["classify", "--format", "jsonl"], b"\n\n".to_vec());
    let recs = records(&r.stdout);
    assert_eq!(recs.len(), 2);
    assert!(recs.iter().all(|x| x["empty"] == true && x["label"] == "compliant"));
}

fn csv_rows(s: &str) -> Vec<csv::StringRecord> {
    csv::ReaderBuilder::new().flexible(true).from_reader(s.as_bytes()).records().map(Result::unwrap).collect()
}

#[test]
fn ragged_rows_fail_naming_the_row_or_are_kept_with_flexible() {
    let input = "id,text,note\n1,你好,a\n2,明天抓你坐牢\n3,再见,c\n";
    let r = run(&["score", "-"], input.as_bytes().to_vec());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("row 2") && r.stderr.contains("--flexible"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().filter(|l| l.contains("error")).count(), 1);

    let r = run(&["score", "-", "--flexible"], input.as_bytes().to_vec());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = csv_rows(&r.stdout);
    assert_eq!(rows.len(), 3);
    // The short row is padded so the verdict columns line up with the header.
    assert_eq!(&rows[1][3], "threatening");
    assert_eq!(&rows[1][2], "");
}

#[test]
fn quoted_fields_round_trip_and_rows_are_never_lost() {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "content", "memo"]).unwrap();
    let tricky = ["含,逗号", "含\"引号\"", "多\n行\r\n文本", "", "  空格  ", "明天抓你坐牢"];
    for (i, t) in tricky.iter().enumerate() {
        w.write_record([&i.to_string(), *t, "x,y"]).unwrap();
    }
    let input = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let r = run(&["score", "-"], input.into_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = csv_rows(&r.stdout);
    assert_eq!(rows.len(), tricky.len());
    for (row, t) in rows.iter().zip(tricky) {
        assert_eq!(&row[1], t);
        assert_eq!(&row[2], "x,y");
        // The verdict columns, worst_unit, then findings and flagged.
        assert_eq!(row.len(), 13);
    }
}

#[test]
fn a_failed_run_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let mut body = String::from("id,text\n");
    for i in 0..10_000 {
        body += &format!("{i},第{i}条消息\n");
    }
    body += "oops,too,many,fields\n";
    fs::write(&input, body).unwrap();
    let out = dir.path().join("out.csv");
    let r = run(&["score", input.to_str().unwrap(), "-o", out.to_str().unwrap()], vec![]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("row 10001"), "{}", r.stderr);
    assert!(!out.exists(), "no complete-looking partial output");
    let left: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "temporary files left: {left:?}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [vec!["classify", "--format", "jsonl"], vec!["filter", "-v"], vec!["score", "-"]] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("collectguard"))
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(b"text\n");
            for i in 0..200_000 {
                if stdin.write_all(format!("您好，第{i}期账单已出\n").as_bytes()).is_err() {
                    break;
                }
            }
        });
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 64];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked") && !stderr.contains("error"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn errors_go_to_stderr_never_stdout() {
    let r = run(&["score", "/nonexistent.csv"], vec![]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    assert!(r.stderr.starts_with("collectguard: error: cannot open /nonexistent.csv"), "{}", r.stderr);
    let r = run(&["eval", "--data", "/nonexistent.csv"], vec![]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
    let r = run(&["no-such-command"], vec![]);
    assert_eq!((r.code, r.stdout.as_str()), (2, ""));
}

#[test]
fn a_damaged_line_in_a_small_utf8_file_does_not_turn_the_file_into_gb18030() {
    let mut input =
        "您好，您的借款已逾期，请尽快处理。\n我们会再联系您。\n今天是最后期限。\n".as_bytes().to_vec();
    input.extend_from_slice(b"\xFF\xFE\x80abc\n");
    input.extend_from_slice("再不还钱，小心你的腿。\n".as_bytes());
    let r = run(&["classify", "--format", "jsonl"], input);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let recs: Vec<serde_json::Value> = r.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(recs.len(), 5);
    assert_eq!(recs[0]["text"], "您好，您的借款已逾期，请尽快处理。");
    assert_eq!(recs[3]["text"], "\u{FFFD}\u{FFFD}\u{FFFD}abc");
    assert_eq!(recs[4]["text"], "再不还钱，小心你的腿。");
    assert_eq!(recs[4]["label"], "threatening");
    assert!(!r.stderr.contains("GB18030"), "{}", r.stderr);
    assert_eq!(r.stderr.matches("warning").count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("line 4"), "{}", r.stderr);
}

#[test]
fn gbk_rows_after_64_kib_of_ascii_are_read_as_gbk() {
    let mut input = String::from("id,text\n");
    for i in 0..8000 {
        input += &format!("{i},ok fine\n");
    }
    let mut bytes = input.into_bytes();
    let (gbk, _, _) = encoding_rs::GBK.encode("8000,再不还钱我们就去你单位闹\n");
    bytes.extend_from_slice(&gbk);
    assert!(bytes.len() > 64 * 1024);
    let r = run(&["score", "-", "--output-encoding", "utf8"], bytes);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("GB18030"), "{}", r.stderr);
    let last = csv_rows(&r.stdout).pop().unwrap();
    assert_eq!(&last[1], "再不还钱我们就去你单位闹");
    assert_eq!(&last[2], "threatening");
}

#[test]
fn a_workbook_or_other_binary_passed_as_text_is_a_clear_error() {
    let mut zip = b"PK\x03\x04\x14\x00\x06\x00".to_vec();
    zip.extend(std::iter::repeat_n(0u8, 200));
    for args in [&["score", "-"][..], &["classify"][..], &["filter"][..]] {
        let r = run(args, zip.clone());
        assert_eq!(r.code, 2, "{args:?}");
        assert!(r.stderr.contains("not text") && r.stderr.contains("ZIP"), "{}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    let r = run(&["classify"], [b'x', 0, b'y', 0].repeat(40));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("NUL"), "{}", r.stderr);
}

#[test]
fn train_refuses_to_overwrite_its_data_and_rejects_model() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("my.csv");
    std::fs::write(&data, "text,label\n你好,compliant\n").unwrap();
    let d = data.to_str().unwrap();
    let r = run(&["train", "--data", d, "--out", d], vec![]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("refusing to overwrite"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&data).unwrap(), "text,label\n你好,compliant\n");
    let out = dir.path().join("m.json");
    let r = run(&["train", "--data", d, "--out", out.to_str().unwrap(), "--model", "x.json"], vec![]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--model does not apply"), "{}", r.stderr);
}

#[test]
fn a_model_that_is_not_a_regular_file_is_refused() {
    let r = run(&["classify", "--model", "/dev/zero"], "你好\n".as_bytes().to_vec());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn score_writes_through_a_link_and_into_devices_without_replacing_them() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "id,text\n1,明天抓你坐牢\n").unwrap();
    let target = dir.path().join("real.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let r = run(&["score", input.to_str().unwrap(), "-o", link.to_str().unwrap()], vec![]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&target).unwrap().contains("threatening"));
    // A full device: a write error, exit 2, and the device is still a device.
    if std::path::Path::new("/dev/full").exists() {
        let r = run(&["score", input.to_str().unwrap(), "-o", "/dev/full"], vec![]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(!std::fs::metadata("/dev/full").unwrap().is_file());
    }
}

#[test]
fn eval_and_train_do_not_suggest_an_option_they_lack() {
    let ragged = "text,label\n你好,compliant\n坏,compliant,x\n".as_bytes().to_vec();
    let r = run(&["eval", "--data", "-"], ragged.clone());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("row 2 (line 3)") && !r.stderr.contains("--flexible"), "{}", r.stderr);
    let r = run(&["score", "-"], ragged);
    assert!(r.stderr.contains("--flexible"), "{}", r.stderr);
}

#[test]
fn train_reports_every_bad_label_takes_column_names_and_warns_on_tiny_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    let out = out.to_str().unwrap();
    let r = run(
        &["train", "--data", "-", "--out", out],
        "text,label\n你好,compliant\nxx,bogus\n还钱,harassing\nyy,worse\n".as_bytes().to_vec(),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("row 2:") && r.stderr.contains("row 4:"), "{}", r.stderr);
    let r = run(
        &["train", "--data", "-", "--out", out, "--text-column", "msg", "--label-column", "lab"],
        "msg,lab\n你好,compliant\n还钱,harassing\n抓你,threatening\n".as_bytes().to_vec(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("warning:") && r.stderr.contains("too few"), "{}", r.stderr);
    assert!(std::path::Path::new(out).exists());
}
