//! Every command through the built binary.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn cg() -> Command {
    Command::cargo_bin("collectguard").unwrap()
}

fn jsonl(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8(stdout.to_vec()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

const SAMPLE: &str = "三天不还直接抓你坐牢\n\n您本期账单3021.66元，最后还款日12月5日。\n欠钱不还的废物\n   \n如持续未还，我司将依法向法院提起诉讼。\n";

#[test]
fn classify_jsonl_one_record_per_input_line_in_order() {
    let out = cg().args(["classify", "--format", "jsonl"]).write_stdin(SAMPLE).assert().success();
    let recs = jsonl(&out.get_output().stdout);
    assert_eq!(recs.len(), SAMPLE.lines().count());
    for (i, (r, line)) in recs.iter().zip(SAMPLE.lines()).enumerate() {
        assert_eq!(r["line"], i as u64 + 1);
        assert_eq!(r["text"], line);
        assert_eq!(r["empty"], line.trim().is_empty());
        let s = &r["scores"];
        let sum = s["compliant"].as_f64().unwrap()
            + s["threatening"].as_f64().unwrap()
            + s["harassing"].as_f64().unwrap();
        assert!((sum - 1.0).abs() < 1e-4, "{r}");
        assert_eq!(r["confidence"], s[r["label"].as_str().unwrap()]);
        for m in r["matches"].as_array().unwrap() {
            let (bs, be) =
                (m["byte_start"].as_u64().unwrap() as usize, m["byte_end"].as_u64().unwrap() as usize);
            assert_eq!(&line[bs..be], m["text"].as_str().unwrap());
            let (cs, ce) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
            let chars: String = line.chars().skip(cs).take(ce - cs).collect();
            assert_eq!(chars, m["text"].as_str().unwrap());
            assert!(m["code"].as_str().unwrap().len() == 2);
        }
    }
    let labels: Vec<&str> = recs.iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["threatening", "compliant", "compliant", "harassing", "compliant", "compliant"]);
    assert_eq!(recs[0]["matches"][0]["label"], "threatening");
}

#[test]
fn classify_text_shows_label_confidence_and_cues() {
    cg().args(["classify", "--color", "never"])
        .write_stdin("三天不还直接抓你坐牢\n")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("threatening "))
        .stdout(predicate::str::contains("[T5 "));
    cg().args(["classify", "--color", "always"])
        .write_stdin("三天不还直接抓你坐牢\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("\x1b["));
}

#[test]
fn classify_csv_and_files_and_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    fs::write(&a, "张先生您好\n再不还钱，明天就去你家门口泼油漆\n").unwrap();
    let out = cg().args(["classify", "--format", "csv"]).arg(&a).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[1][3], "threatening");
    assert_eq!(r.headers().unwrap().len(), 10);

    let out = cg().args(["classify", "--format", "jsonl", "--whole-file"]).arg(&a).assert().success();
    let recs = jsonl(&out.get_output().stdout);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["label"], "threatening");
    let m = &recs[0]["matches"][0];
    let whole = fs::read_to_string(&a).unwrap();
    let (bs, be) = (m["byte_start"].as_u64().unwrap() as usize, m["byte_end"].as_u64().unwrap() as usize);
    assert!(bs > whole.find('\n').unwrap(), "spans count from the start of the file");
    assert_eq!(&whole[bs..be], m["text"].as_str().unwrap());
}

#[test]
fn classify_missing_file_is_an_error() {
    cg().args(["classify", "/nonexistent/file.txt"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("cannot open /nonexistent/file.txt"));
}

#[test]
fn filter_exit_codes_like_grep() {
    cg().arg("filter")
        .write_stdin("您好，账单已出\n明天抓你坐牢\n")
        .assert()
        .code(0)
        .stdout("明天抓你坐牢\n");
    cg().arg("filter").write_stdin("您好，账单已出\n").assert().code(1).stdout("");
    cg().args(["filter", "-v"])
        .write_stdin("您好，账单已出\n明天抓你坐牢\n")
        .assert()
        .code(0)
        .stdout("您好，账单已出\n");
    cg().args(["filter", "-c"]).write_stdin("废物\n明天抓你坐牢\n你好\n").assert().code(0).stdout("2\n");
    cg().args(["filter", "-c", "--label", "harassing"])
        .write_stdin("废物\n明天抓你坐牢\n")
        .assert()
        .stdout("1\n");
    cg().args(["filter", "--min-confidence", "2"]).write_stdin("x\n").assert().code(2);
    cg().args(["filter", "--label", "nonsense"]).write_stdin("x\n").assert().code(2);
    cg().arg("filter").write_stdin("").assert().code(1);
}

#[test]
fn filter_jsonl_keeps_input_line_numbers() {
    let out =
        cg().args(["filter", "--format", "jsonl"]).write_stdin("你好\n你好\n明天抓你坐牢\n").assert().code(0);
    let recs = jsonl(&out.get_output().stdout);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["line"], 3);
}

#[test]
fn score_keeps_every_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("export.csv");
    fs::write(
        &input,
        "id,短信内容,note\n1,三天不还直接抓你坐牢,a\n2,\"您好，账单已出, 请还款\",\"multi\nline\"\n3,,empty\n",
    )
    .unwrap();
    let output = dir.path().join("scored.csv");
    cg().arg("score")
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .assert()
        .success()
        .stderr(predicate::str::contains("using column \"短信内容\""));
    let mut r = csv::Reader::from_path(&output).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        headers,
        [
            "id",
            "短信内容",
            "note",
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
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][3], "threatening");
    assert!(rows[0][8].starts_with("T5:"));
    assert_eq!(&rows[1][1], "您好，账单已出, 请还款");
    assert_eq!(&rows[1][2], "multi\nline");
    assert_eq!(&rows[2][3], "compliant");
    // No temporary file is left behind.
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn score_column_errors_list_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("x.csv");
    fs::write(&input, "id,body2,other\n1,你好,x\n").unwrap();
    cg().arg("score")
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"id\", \"body2\", \"other\""));
    cg().arg("score")
        .arg(&input)
        .args(["--text-column", "body2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("id,body2,other,label"));
    cg().arg("score").arg(&input).args(["--text-column", "nope"]).assert().code(2);
}

#[test]
fn score_refuses_to_overwrite_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("x.csv");
    fs::write(&input, "text\n你好\n").unwrap();
    cg().arg("score")
        .arg(&input)
        .arg("-o")
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refusing"));
    assert_eq!(fs::read_to_string(&input).unwrap(), "text\n你好\n");
}

fn small_training_set(dir: &Path) -> std::path::PathBuf {
    // Every 4th row of the corpus keeps the test quick but real.
    let mut r = csv::Reader::from_path("data/train.csv").unwrap();
    let path = dir.join("small.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(["text", "label"]).unwrap();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.unwrap();
        if i % 4 == 0 {
            w.write_record([&rec[0], &rec[1]]).unwrap();
        }
    }
    w.flush().unwrap();
    path
}

#[test]
fn train_is_reproducible_and_the_model_is_usable() {
    let dir = tempfile::tempdir().unwrap();
    let data = small_training_set(dir.path());
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    for out in [&a, &b] {
        cg().arg("train")
            .arg("--data")
            .arg(&data)
            .args(["--max-features", "1500", "--max-iterations", "60", "--seed", "7", "--out"])
            .arg(out)
            .assert()
            .success()
            .stderr(predicate::str::contains("gradient norm"));
    }
    assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap(), "same data and seed, same bytes");
    let model: Value = serde_json::from_slice(&fs::read(&a).unwrap()).unwrap();
    assert_eq!(model["features"].as_array().unwrap().len(), 1500);
    assert_eq!(model["training"]["seed"], 7);
    assert!(model["training"]["convergence"]["gradient_norm"].as_f64().unwrap().is_finite());
    assert_eq!(model["training"]["data"][0]["sha256"].as_str().unwrap().len(), 64);
    cg().args(["classify", "--model"]).arg(&a).write_stdin("明天抓你坐牢\n").assert().success();
}

#[test]
fn train_rejects_bad_parameters_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bad.csv");
    fs::write(&data, "text,label\n你好,compliant\n滚,rude\n").unwrap();
    cg().arg("train")
        .arg("--data")
        .arg(&data)
        .args(["--out", "/dev/null"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("row 2").and(predicate::str::contains("unknown label")));
    cg().args(["train", "--data", "data/train.csv", "--out", "/dev/null", "--alpha=-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("alpha"));
}

#[test]
fn eval_reports_metrics_and_confusion() {
    let out = cg().args(["eval", "--data", "data/test.csv", "--format", "json"]).assert().success();
    let m: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let rows = m["rows"].as_u64().unwrap();
    let confusion: u64 = m["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(rows, confusion);
    assert!(m["macro_f1"].as_f64().unwrap() > 0.8);
    assert_eq!(m["classes"].as_array().unwrap().len(), 3);
    cg().args(["eval", "--data", "data/test.csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains("macro-F1").and(predicate::str::contains("confusion")));
}

#[test]
fn explain_shows_evidence_with_spans() {
    let text = "還 錢！不还明天抓你坐牢";
    let out = cg().args(["explain", "--format", "json", text]).assert().success();
    let e: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(e["verdict"]["label"], "threatening");
    let ev = e["evidence"].as_array().unwrap();
    assert!(!ev.is_empty());
    for item in ev {
        for s in item["spans"].as_array().unwrap() {
            let (bs, be) =
                (s["byte_start"].as_u64().unwrap() as usize, s["byte_end"].as_u64().unwrap() as usize);
            assert_eq!(&text[bs..be], s["text"].as_str().unwrap());
        }
    }
    // The strongest push toward the verdict comes first.
    let first = ev[0]["contributions"][1].as_f64().unwrap();
    assert!(ev.iter().all(|x| x["contributions"][1].as_f64().unwrap() <= first));
    cg().args(["explain", "我们不会联系您的家人"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("compliant"));
}

#[test]
fn bad_model_files_are_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = fs::read_to_string("models/default.json").unwrap();
    let mut v: Value = serde_json::from_str(&good).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        ("corrupt", "not json at all".into(), "not valid model JSON"),
        ("truncated", good[..good.len() / 2].to_string(), "truncated"),
        (
            "version",
            {
                v["format_version"] = 99.into();
                v.to_string()
            },
            "format version 99",
        ),
        (
            "dims",
            {
                let mut w: Value = serde_json::from_str(&good).unwrap();
                w["weights"].as_array_mut().unwrap().pop();
                w.to_string()
            },
            "inconsistent dimensions",
        ),
    ];
    for (name, body, msg) in cases {
        let p = dir.path().join(format!("{name}.json"));
        fs::write(&p, body).unwrap();
        let out =
            cg().args(["classify", "--model"]).arg(&p).write_stdin("你好\n").assert().code(2).stdout("");
        let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(err.contains(msg), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(!err.contains("panicked"));
    }
    cg().args(["classify", "--model", "/nonexistent.json"])
        .write_stdin("你好\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read model"));
}

#[test]
fn text_in_another_language_is_marked_out_of_scope_in_every_format() {
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("collectguard")
            .unwrap()
            .args(args)
            .write_stdin("your parcel is here\n")
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run(&["classify"]).contains("out of scope"));
    assert!(run(&["classify", "--format", "jsonl"]).contains("\"decided_by\":\"out_of_scope\""));
    assert!(run(&["classify", "--format", "csv"]).trim_end().ends_with(",out_of_scope"));
    // Pinyin abuse has a cue: it is judged, not set aside.
    let out = Command::cargo_bin("collectguard")
        .unwrap()
        .args(["classify", "--format", "jsonl"])
        .write_stdin("nmsl\n")
        .output()
        .unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(line.contains("\"label\":\"harassing\"") && line.contains("\"decided_by\":\"model\""), "{line}");
}

#[test]
fn colour_highlights_the_cue_text_itself() {
    let out = Command::cargo_bin("collectguard")
        .unwrap()
        .args(["classify", "--color", "always"])
        .write_stdin("三天不还就去你单位闹\n")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // Underline and colour, then the cue's characters, then the reset.
    assert!(text.contains("\x1b[4m\x1b[1;31m就去你单位\x1b[0m"), "{text:?}");
}

#[test]
fn eval_reports_per_group_calibration_and_thresholds() {
    let out = Command::cargo_bin("collectguard")
        .unwrap()
        .args(["eval", "--data", "-", "--by", "kind", "--format", "json", "--show-errors"])
        .write_stdin("text,label,kind\n明天抓你坐牢,threatening,a\n您本期账单已出,compliant,b\n你这个废物,compliant,b\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"], 3);
    let groups: Vec<&str> =
        v["by"].as_array().unwrap().iter().map(|g| g["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["a", "b"]);
    assert_eq!(v["by"][1]["rows"], 2);
    assert!(v["calibration"]["ece"].as_f64().unwrap() >= 0.0);
    assert_eq!(v["thresholds"].as_array().unwrap().len(), 3);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["row"], 3);
    assert_eq!(errors[0]["predicted"], "harassing");
}

#[test]
fn json_lines_input_keeps_every_field_in_its_order() {
    let out = cg()
        .args(["classify", "--input-format", "jsonl", "--text-field", "content", "--rules", "none"])
        .write_stdin("{\"z\":1,\"content\":\"明天抓你坐牢\",\"a\":[\"x\"],\"label\":\"mine\"}\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Map<String, Value> = serde_json::from_str(&line).unwrap();
    let keys: Vec<&str> = v.keys().map(String::as_str).collect();
    assert_eq!(keys[..5], ["z", "content", "a", "label", "collectguard_label"]);
    assert_eq!((&v["label"], &v["collectguard_label"]), (&Value::from("mine"), &Value::from("threatening")));
}

#[test]
fn several_batches_come_out_in_order_whatever_the_thread_count() {
    // More lines than one batch holds, so that reading, classifying and writing overlap.
    let lines: Vec<String> = (0..9000)
        .map(|i| match i % 3 {
            0 => format!("第{i}条：您本期账单{i}元，请按时还款。"),
            1 => format!("再不还钱{i}天后就去你单位闹"),
            _ => String::new(),
        })
        .collect();
    let input = lines.join("\n") + "\n";
    let run = |threads: &str| {
        let args = ["classify", "--format", "jsonl", "--threads", threads];
        cg().args(args).write_stdin(input.clone()).output().unwrap().stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("3"));
    let recs = jsonl(&one);
    assert_eq!(recs.len(), lines.len());
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["line"], i as u64 + 1);
        assert_eq!(r["text"], lines[i]);
    }
}

#[test]
fn stats_count_the_messages_and_output_is_the_same_with_workers_encoding() {
    let input: String = (0..600).map(|i| format!("第{i}条：明天抓你坐牢\n您好，账单已出\n")).collect();
    let run = |threads: &str, stats: bool| {
        let mut c = cg();
        c.args(["filter", "--format", "jsonl", "--threads", threads]);
        if stats {
            c.arg("--stats");
        }
        c.write_stdin(input.clone()).assert().success().get_output().clone()
    };
    let one = run("1", false);
    let two = run("2", true);
    assert_eq!(one.stdout, two.stdout, "the same lines in the same order");
    assert_eq!(jsonl(&two.stdout).len(), 600);
    let err = String::from_utf8(two.stderr).unwrap();
    assert!(err.contains("1200 messages, 600 printed"), "{err}");
    assert!(err.contains("serial share"), "{err}");
    cg().args(["classify", "--input-format", "jsonl", "--stats"]).write_stdin("{}\n").assert().code(2);
}
