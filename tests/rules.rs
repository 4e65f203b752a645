//! The rules that see the whole export, through the built binary, on exports written
//! here: UTF-8 with a BOM and GB18030, rows out of order, times in mixed formats, one time
//! that cannot be read. What each row should get is worked out here from how the export
//! was built, independently of the library's own counting.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;

fn cg() -> Command {
    Command::cargo_bin("collectguard").unwrap()
}

/// 2026-11-03 00:00:00 at +08:00, as epoch seconds.
const NOV3_CN: i64 = 1_793_635_200;

/// One row of a test export, with its local (+08:00) day (0 = 2026-11-03) and minute.
#[derive(Clone)]
struct Row {
    id: u32,
    debtor: &'static str,
    day: i64,
    minute: i64,
    channel: &'static str,
    relation: &'static str,
    answered: &'static str,
    text: &'static str,
}

const NOTICE: &str = "您本期账单已出，请于本月15日前按时还款，如已还款请忽略。";

impl Row {
    fn epoch(&self) -> i64 {
        NOV3_CN + self.day * 86_400 + self.minute * 60
    }

    /// The time written in one of the formats exports use, by row.
    fn written(&self, format: usize) -> String {
        let (h, m) = (self.minute / 60, self.minute % 60);
        let d = 3 + self.day;
        match format % 7 {
            0 => format!("2026-11-{d:02} {h:02}:{m:02}:00"),
            1 => format!("2026/11/{d} {h}:{m:02}"),
            2 => format!("2026-11-{d:02}T{h:02}:{m:02}:00+08:00"),
            3 => self.epoch().to_string(),
            4 => (self.epoch() * 1000).to_string(),
            5 => format!("{}", 46329.0 + self.day as f64 + self.minute as f64 / 1440.0),
            // In UTC: eight hours earlier, the same date when the local hour is 8 or later.
            _ if h >= 8 => format!("2026-11-{d:02}T{:02}:{m:02}:00Z", h - 8),
            _ => format!("2026-11-{d:02} {h:02}:{m:02}"),
        }
    }
}

fn row(id: u32, debtor: &'static str, day: i64, hhmm: (i64, i64), channel: &'static str) -> Row {
    Row {
        id,
        debtor,
        day,
        minute: hhmm.0 * 60 + hhmm.1,
        channel,
        relation: "本人",
        answered: "",
        text: NOTICE,
    }
}

/// The export: debtor A's calls on day 0 (five answered, one unanswered), a day-1 call,
/// an SMS at 23:14 and one at 21:30, and messages to A's colleague; B has three calls.
fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    let mut id = 0;
    let mut next = || {
        id += 1;
        id
    };
    for hhmm in [(9, 5), (10, 40), (11, 15), (14, 0), (16, 30)] {
        rows.push(Row { answered: "接通", ..row(next(), "A", 0, hhmm, "电话") });
    }
    rows.push(Row { answered: "未接通", ..row(next(), "A", 0, (12, 0), "电话") });
    rows.push(Row { answered: "接通", ..row(next(), "A", 1, (9, 0), "电话") });
    rows.push(row(next(), "A", 0, (23, 14), "短信"));
    rows.push(row(next(), "A", 1, (21, 30), "短信"));
    rows.push(Row {
        relation: "同事",
        text: "您好，您的同事王丽在我司的借款已逾期3021.66元，请转告她尽快还款。",
        ..row(next(), "A", 1, (10, 0), "短信")
    });
    rows.push(Row {
        relation: "同事",
        text: "您好，麻烦转告王丽方便时给我们回个电话，谢谢。",
        ..row(next(), "A", 1, (10, 5), "短信")
    });
    for hhmm in [(9, 0), (13, 0), (15, 0)] {
        rows.push(Row { answered: "接通", ..row(next(), "B", 0, hhmm, "电话") });
    }
    // Out of order: a fixed shuffle.
    let n = rows.len();
    (0..n).map(|i| rows[(i * 5 + 3) % n].clone()).collect()
}

const HEADER: [&str; 8] = ["id", "客户号", "发送时间", "渠道", "关系", "是否接通", "短信内容", "备注"];

/// The export as CSV text; row `bad_id` gets a time that cannot be read.
fn export(rows: &[Row], bad_id: u32) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER).unwrap();
    for (i, r) in rows.iter().enumerate() {
        let time = if r.id == bad_id { "下午三点".to_string() } else { r.written(i) };
        let note = format!("note {}", r.id);
        let id = r.id.to_string();
        w.write_record([&id, r.debtor, &time, r.channel, r.relation, r.answered, r.text, &note]).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// What the rules should find, worked out from the rows: the codes per id.
fn expected(rows: &[Row], bad_id: u32, us: bool) -> BTreeMap<u32, Vec<&'static str>> {
    let mut out: BTreeMap<u32, Vec<&'static str>> = rows.iter().map(|r| (r.id, Vec::new())).collect();
    let timed: Vec<&Row> = rows.iter().filter(|r| r.id != bad_id).collect();
    // N1: local hours, read in the rule set's zone (a time written without a zone is
    // read in it, one with a zone is converted).
    for r in &timed {
        let local_minute = if us {
            let zoned = r.written(rows.iter().position(|x| x.id == r.id).unwrap()).contains(['+', 'Z'])
                || r.written(rows.iter().position(|x| x.id == r.id).unwrap())
                    .bytes()
                    .all(|b| b.is_ascii_digit());
            // Zoned and epoch times are 13 hours earlier in -05:00 than in +08:00.
            if zoned { (r.minute - 13 * 60).rem_euclid(1440) } else { r.minute }
        } else {
            r.minute
        };
        let (start, end) = if us { (21 * 60, 8 * 60) } else { (22 * 60, 8 * 60) };
        if local_minute >= start || local_minute < end {
            out.get_mut(&r.id).unwrap().push("N1");
        }
    }
    if !us {
        // N2: answered calls to the debtor per debtor per day, past the 3rd in time order.
        let mut days: BTreeMap<(&str, i64), Vec<&Row>> = BTreeMap::new();
        for r in timed.iter().filter(|r| r.channel == "电话" && r.answered == "接通") {
            days.entry((r.debtor, r.day)).or_default().push(r);
        }
        for calls in days.values_mut() {
            calls.sort_by_key(|r| r.minute);
            for r in calls.iter().skip(3) {
                out.get_mut(&r.id).unwrap().push("N2");
            }
        }
    }
    // N5: the colleague told of the debt; the callback request is not a finding.
    for r in rows.iter().filter(|r| r.relation == "同事" && r.text.contains("逾期")) {
        out.get_mut(&r.id).unwrap().push("N5");
    }
    out
}

struct Run {
    stdout: Vec<u8>,
    stderr: String,
}

fn score(args: &[&str], input: Vec<u8>) -> Run {
    let out = cg().arg("score").args(args).write_stdin(input).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    Run { stdout: out.stdout, stderr: String::from_utf8(out.stderr).unwrap() }
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_reader(bytes);
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    (header, r.records().map(Result::unwrap).collect())
}

/// The codes in a `findings` field.
fn codes(field: &str) -> Vec<&str> {
    field.split(';').filter(|f| !f.is_empty()).map(|f| &f[..2]).collect()
}

fn check_cn(run: &Run, rows: &[Row], bad_id: u32) {
    let (header, out) = csv_rows(&run.stdout);
    // Every input column, then the verdict columns, findings and flagged.
    assert_eq!(&header[..HEADER.len()], HEADER);
    assert_eq!(&header[header.len() - 2..], ["findings", "flagged"]);
    assert_eq!(out.len(), rows.len());
    let want = expected(rows, bad_id, false);
    for (rec, r) in out.iter().zip(rows) {
        assert_eq!(rec[0].parse::<u32>().unwrap(), r.id, "rows keep their order");
        assert_eq!(&rec[7], format!("note {}", r.id));
        assert_eq!(&rec[6], r.text);
        let findings = &rec[header.len() - 2];
        assert_eq!(codes(findings), want[&r.id], "row id {}: {findings}", r.id);
        let violating = &rec[HEADER.len()] != "compliant";
        assert_eq!(&rec[header.len() - 1], if violating || !findings.is_empty() { "true" } else { "false" });
    }
    let nth =
        |id: u32| out.iter().find(|rec| rec[0] == *id.to_string()).unwrap()[header.len() - 2].to_string();
    // The 4th answered call of A on day 0 is 14:00 (id 4); the 3rd (11:15, id 3) is allowed.
    assert!(nth(4).contains("N2:4th contact on 2026-11-03, limit 3"), "{}", nth(4));
    assert!(!nth(3).contains("N2"));
    assert!(nth(8).contains("N1:23:14 in quiet hours 22:00-08:00"), "{}", nth(8));
    assert!(
        run.stderr.contains(&format!("row {}", 1 + rows.iter().position(|r| r.id == bad_id).unwrap())),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("下午三点"), "{}", run.stderr);
}

#[test]
fn cn_rules_on_utf8_with_bom_and_gb18030_exports() {
    let rows = rows();
    let bad_id = 5;
    let text = export(&rows, bad_id);
    let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    let run = score(&["-"], bom);
    check_cn(&run, &rows, bad_id);
    for role in ["time", "debtor", "relation", "channel", "answer status"] {
        assert!(run.stderr.contains(&format!("as the {role}")), "{role}: {}", run.stderr);
    }

    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.csv");
    std::fs::write(&path, &gb).unwrap();
    let from_file = score(&[path.to_str().unwrap(), "--output-encoding", "utf8"], vec![]);
    assert!(from_file.stderr.contains("GB18030"), "{}", from_file.stderr);
    check_cn(&from_file, &rows, bad_id);
    // The file is read twice and standard input once, through a temporary copy: the same
    // rows come out, and each notice is told once.
    let (gb_stdin, _, _) = encoding_rs::GB18030.encode(&text);
    assert_eq!(score(&["-", "--output-encoding", "utf8"], gb_stdin.into_owned()).stdout, from_file.stdout);
    assert_eq!(from_file.stderr.matches("下午三点").count(), 1);
    assert_eq!(from_file.stderr.matches("GB18030").count(), 1);
}

#[test]
fn us_rules_quiet_hours_window_and_third_parties() {
    let rows = rows();
    let text = export(&rows, 0);
    let run = score(&["-", "--rules", "us"], text.into_bytes());
    let (header, out) = csv_rows(&run.stdout);
    let want = expected(&rows, 0, true);
    let f = header.len() - 2;
    for (rec, r) in out.iter().zip(&rows) {
        let got: Vec<&str> = codes(&rec[f]).into_iter().filter(|c| *c != "N4").collect();
        assert_eq!(got, want[&r.id], "row id {}: {}", r.id, &rec[f]);
    }
    // 21:30 (id 9) is quiet in the US and not in China.
    let by_id = |id: u32| out.iter().find(|rec| rec[0] == *id.to_string()).unwrap()[f].to_string();
    assert!(by_id(9).contains("N1:21:30 in quiet hours 21:00-08:00"), "{}", by_id(9));

    // Eight calls to one debtor in seven days, out of order: the 8th by time is the finding.
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["case", "debtor_id", "timestamp", "channel", "text"]).unwrap();
    let days = [7, 2, 1, 3, 5, 4, 6, 3, 12];
    for (i, d) in days.iter().enumerate() {
        let when = format!("2026-11-{d:02}T{:02}:00:00", 9 + i);
        w.write_record([&i.to_string(), "D-1", &when, "call", "Calling about your account."]).unwrap();
    }
    let csv = w.into_inner().unwrap();
    let run = score(&["-", "--rules", "us"], csv.clone());
    let (header, out) = csv_rows(&run.stdout);
    let f = header.len() - 2;
    // In time order, the 8th call is the one on day 7 (the latest of days 1..7).
    let mut order: Vec<usize> = (0..days.len()).collect();
    order.sort_by_key(|&i| (days[i], 9 + i));
    let eighth = order[7];
    for (i, rec) in out.iter().enumerate() {
        let n4 = rec[f].contains("N4:8th call in 7 days (2026-11-01 to 2026-11-07), limit 7");
        assert_eq!(n4, i == eighth, "row {i}: {}", &rec[f]);
    }
    assert!(run.stderr.contains("no answered column"), "{}", run.stderr);
    // The China rules count per day instead: no finding for these calls.
    let (_, out) = csv_rows(&score(&["-", "--rules", "cn", "--tz", "-05:00"], csv).stdout);
    assert!(out.iter().all(|rec| !rec[f].contains("N4")));
}

#[test]
fn missing_columns_skip_their_rules_and_nothing_fails() {
    let run = score(&["-"], "id,text\n1,三天不还直接抓你坐牢\n2,您好\n".into());
    for code in ["N1", "N2", "N3", "N5"] {
        assert!(run.stderr.contains(&format!("rule {code} (")), "{code}: {}", run.stderr);
    }
    let (header, out) = csv_rows(&run.stdout);
    assert_eq!(header.last().unwrap(), "flagged");
    assert_eq!(&out[0][header.len() - 1], "true");
    assert_eq!(&out[0][header.len() - 2], "");
    // --rules none keeps the verdict columns only.
    let (header, _) = csv_rows(&score(&["-", "--rules", "none"], "id,text\n1,你好\n".into()).stdout);
    assert_eq!(header.last().unwrap(), "worst_unit");
}

#[test]
fn jsonl_keeps_columns_and_findings_apart_from_matches() {
    let rows = rows();
    let run = score(&["-", "--format", "jsonl"], export(&rows, 0).into_bytes());
    let recs: Vec<Value> =
        String::from_utf8(run.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(recs.len(), rows.len());
    let want = expected(&rows, 0, false);
    for (rec, r) in recs.iter().zip(&rows) {
        assert_eq!(rec["columns"]["id"], r.id.to_string());
        assert_eq!(rec["columns"].as_object().unwrap().len(), HEADER.len());
        assert_eq!(rec["text"], r.text);
        let found: Vec<&str> =
            rec["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert_eq!(found, want[&r.id], "{rec}");
        for f in rec["findings"].as_array().unwrap() {
            assert!(f["rule"].is_string() && f["detail"].is_string() && f["rows"].is_array(), "{f}");
        }
        assert!(rec["matches"].is_array());
        let flagged = rec["label"] != "compliant" || !found.is_empty();
        assert_eq!(rec["flagged"], flagged);
    }
    // The N2 finding names the rows of the three contacts allowed that day.
    let fourth = recs.iter().find(|r| r["columns"]["id"] == "4").unwrap();
    let n2 = &fourth["findings"].as_array().unwrap().iter().find(|f| f["code"] == "N2").unwrap()["rows"];
    let allowed: Vec<String> = n2
        .as_array()
        .unwrap()
        .iter()
        .map(|row| recs[row.as_u64().unwrap() as usize - 1]["columns"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(allowed, ["1", "2", "3"]);
}

#[test]
fn summary_counts_rows_labels_rules_collectors_and_hours() {
    let rows = rows();
    let mut text = export(&rows, 0);
    // A collector column: the first seven rows by id are agent 7's, the rest agent 9's.
    text = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("{l},agent\n")
            } else {
                let id: u32 = l.split(',').next().unwrap().parse().unwrap();
                format!("{l},{}\n", if id <= 7 { "a7" } else { "a9" })
            }
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.json");
    let run = score(
        &["-", "--summary-file", summary.to_str().unwrap(), "--summary-format", "json"],
        text.clone().into_bytes(),
    );
    let s: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let (header, out) = csv_rows(&run.stdout);
    let f = header.len() - 2;
    assert_eq!(s["rows"], rows.len());
    let flagged = out.iter().filter(|r| &r[header.len() - 1] == "true").count();
    assert_eq!(s["flagged"], flagged);
    for code in ["N1", "N2", "N5"] {
        let n = out.iter().filter(|r| codes(&r[f]).contains(&code)).count();
        assert_eq!(s["findings"][code], n, "{code}");
    }
    let labels: u64 = s["labels"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(labels, rows.len() as u64);
    let a7 = out.iter().filter(|r| r[0].parse::<u32>().unwrap() <= 7).count();
    assert_eq!(s["collectors"]["a7"]["rows"], a7);
    assert_eq!(s["collectors"]["a9"]["rows"], rows.len() - a7);
    let hours: u64 = s["violation_hours"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).sum();
    assert!(hours as usize <= flagged && s["violation_hours"][23].as_u64().unwrap() >= 1);

    let run = score(&["-", "--summary"], text.into_bytes());
    assert!(run.stderr.contains(&format!("rows {}  flagged {flagged}", rows.len())), "{}", run.stderr);
    assert!(run.stderr.contains("by collector:") && run.stderr.contains("23:00-23:59"), "{}", run.stderr);
}

#[test]
fn shards_split_by_debtor_concatenate_to_the_one_shot_run() {
    // Twelve debtors, 40 rows each over three days, in a scrambled order.
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "debtor_id", "send_time", "channel", "answered", "content"]).unwrap();
    let mut records = Vec::new();
    let mut x: u64 = 12345;
    let mut next = |n: u64| {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) % n
    };
    for id in 0..480u64 {
        let debtor = format!("D{}", next(12));
        let (day, minute) = (3 + next(3), next(1440));
        let time = format!("2026-11-{day:02} {:02}:{:02}:00", minute / 60, minute % 60);
        let channel = if next(3) == 0 { "sms" } else { "call" };
        let answered = if next(2) == 0 { "yes" } else { "no" };
        records.push([
            id.to_string(),
            debtor,
            time,
            channel.to_string(),
            answered.to_string(),
            NOTICE.to_string(),
        ]);
    }
    for r in &records {
        w.write_record(r).unwrap();
    }
    let whole = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let shard = |k: u64| {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["id", "debtor_id", "send_time", "channel", "answered", "content"]).unwrap();
        for r in records.iter().filter(|r| r[1][1..].parse::<u64>().unwrap() % 3 == k) {
            w.write_record(r).unwrap();
        }
        w.into_inner().unwrap()
    };
    for rules in ["cn", "us"] {
        let args = ["-", "--rules", rules, "--threads", "1"];
        let (header, one_shot) = csv_rows(&score(&args, whole.clone().into_bytes()).stdout);
        let mut joined: Vec<csv::StringRecord> =
            (0..3).flat_map(|k| csv_rows(&score(&args, shard(k)).stdout).1).collect();
        joined.sort_by_key(|r| r[0].parse::<u64>().unwrap());
        assert_eq!(joined, one_shot, "{rules}");
        let f = header.len() - 2;
        let counted =
            one_shot.iter().filter(|r| r[f].contains(if rules == "cn" { "N2" } else { "N4" })).count();
        assert!(counted > 0, "{rules}: the export should reach a counting limit");
    }
}

#[test]
fn classify_jsonl_passes_fields_through_and_runs_the_rules_on_fields() {
    let rows = rows();
    // Rows in time order, as a sending system would write them.
    let mut sorted = rows.clone();
    sorted.sort_by_key(|r| r.epoch());
    let input: String = sorted
        .iter()
        .map(|r| {
            let obj = serde_json::json!({
                "id": r.id, "content": r.text, "who": r.debtor, "at": r.epoch(),
                "via": r.channel, "rel": r.relation, "ok": r.answered, "label": "kept",
            });
            obj.to_string() + "\n"
        })
        .collect();
    let out = cg()
        .args(["classify", "--input-format", "jsonl", "--text-field", "content", "--time-field", "at"])
        .args([
            "--debtor-field",
            "who",
            "--channel-field",
            "via",
            "--relation-field",
            "rel",
            "--answered-field",
            "ok",
        ])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let recs: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(recs.len(), sorted.len());
    let want = expected(&rows, 0, false);
    for (rec, (r, line)) in recs.iter().zip(sorted.iter().zip(input.lines())) {
        // Every input field is still there, a clashing one kept under its name.
        let original: Value = serde_json::from_str(line).unwrap();
        for (k, v) in original.as_object().unwrap() {
            assert_eq!(&rec[k], v, "{k}");
        }
        assert!(rec["collectguard_label"].is_string() && rec["matches"].is_array());
        let codes: Vec<&str> =
            rec["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert_eq!(codes, want[&r.id], "id {}", r.id);
    }
}

#[test]
fn line_buffered_records_answer_one_message_at_a_time() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command as Process, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("collectguard");
    let mut child = Process::new(bin)
        .args(["classify", "--input-format", "jsonl", "--line-buffered", "--time-field", "t"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // Each verdict is read while standard input is still open: the gate answers one
    // message before the next is written.
    for (text, time, quiet) in
        [("您好，请按时还款", "2026-11-03 23:14", true), ("明天抓你坐牢", "2026-11-03 10:00", false)]
    {
        writeln!(stdin, "{}", serde_json::json!({"text": text, "t": time})).unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let rec: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(rec["text"], text);
        let n1 = rec["findings"].as_array().unwrap().iter().any(|f| f["code"] == "N1");
        assert_eq!(n1, quiet, "{rec}");
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
