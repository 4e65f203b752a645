//! User lexicons, allow lists, cue-code switches and the settings file, through the built
//! binary.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn cg() -> Command {
    Command::cargo_bin("collectguard").unwrap()
}

/// One JSON Lines record per input line, with `args` added to `classify --format jsonl`.
fn records(dir: &Path, args: &[&str], input: &str) -> Vec<Value> {
    let out = cg()
        .current_dir(dir)
        .args(["classify", "--format", "jsonl"])
        .args(args)
        .write_stdin(input)
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn codes(r: &Value) -> Vec<String> {
    r["matches"].as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap().to_string()).collect()
}

/// Asserts that a span object's offsets point at its text in `line`.
fn span_is_exact(line: &str, m: &Value) {
    let (bs, be) = (m["byte_start"].as_u64().unwrap() as usize, m["byte_end"].as_u64().unwrap() as usize);
    assert_eq!(&line[bs..be], m["text"].as_str().unwrap(), "{m}");
    let (cs, ce) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
    assert_eq!(line.chars().skip(cs).take(ce - cs).collect::<String>(), m["text"].as_str().unwrap());
}

#[test]
fn a_user_pattern_is_reported_with_code_source_and_span_in_disguises_too() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("team.tsv"),
        "pattern\tcode\tlabel\tnote\n给你寄纸人\tT1\tthreatening\tpaper figure\n",
    )
    .unwrap();
    let lines = [
        "再不还明天给你寄纸人",
        "再不还明天給你寄紙人",
        "再不还明天给 你 寄 纸 人",
        "再不还明天給-你-寄-紙-人",
    ];
    let recs = records(dir.path(), &["--lexicon", "team.tsv"], &lines.join("\n"));
    let disguises = ["给你寄纸人", "給你寄紙人", "给 你 寄 纸 人", "給-你-寄-紙-人"];
    for ((r, line), disguise) in recs.iter().zip(lines).zip(disguises) {
        let m =
            r["matches"].as_array().unwrap().iter().find(|m| m["source"] == "team.tsv").expect("user cue");
        assert_eq!((m["code"].as_str(), m["label"].as_str()), (Some("T1"), Some("threatening")));
        assert_eq!(m["pattern"], "给你寄纸人");
        assert_eq!(m["text"], disguise);
        span_is_exact(line, m);
    }
    // Without the file the pattern is not a cue; built-in cues say where they come from.
    let plain = records(dir.path(), &[], "再不还明天给你寄纸人\n你就是个废物");
    assert!(plain[0]["matches"].as_array().unwrap().iter().all(|m| m["source"] == "builtin"));
    assert!(!codes(&plain[0]).contains(&"T1".to_string()));
    assert_eq!(plain[1]["matches"][0]["source"], "builtin");
}

#[test]
fn an_allow_phrase_hides_its_span_from_cues_and_model() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("allow.txt"), "# our neighbourhood notices\n\n废物回收\n").unwrap();
    let lines = [
        "小区废物回收站周六照常开放，请居民分类投放",
        "小区廢物 回收站周六照常开放，请居民分类投放",
        "你就是个废物",
    ];
    let before = records(dir.path(), &[], &lines.join("\n"));
    assert!(codes(&before[0]).contains(&"H1".to_string()), "{}", before[0]);
    let after = records(dir.path(), &["--allow", "allow.txt"], &lines.join("\n"));
    for (r, line) in after.iter().zip(&lines[..2]) {
        assert_eq!(r["label"], "compliant", "{r}");
        assert!(codes(r).is_empty(), "{r}");
        let a = &r["allowed"][0];
        assert_eq!((a["phrase"].as_str(), a["source"].as_str()), (Some("废物回收"), Some("allow.txt")));
        span_is_exact(line, a);
    }
    assert_eq!(after[1]["allowed"][0]["text"], "廢物 回收");
    // The phrase is gone from the model's view: the harassing score drops.
    let harassing = |r: &Value| r["scores"]["harassing"].as_f64().unwrap();
    assert!(harassing(&after[0]) < harassing(&before[0]), "{} {}", after[0], before[0]);
    // An insult outside an allow phrase stays one.
    assert_eq!(after[2]["label"], "harassing");
    assert_eq!(codes(&after[2]), ["H1"]);
    assert!(after[2].get("allowed").is_none());
}

#[test]
fn switched_off_codes_lose_their_matches_and_their_effect_on_the_label() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        "不还钱就每天24小时给你打电话，打到你崩溃",
        "你这个废物，我们会一直打你电话",
        "三天不还直接抓你坐牢",
    ];
    let input = lines.join("\n");
    let on = records(dir.path(), &[], &input);
    assert_eq!(on[0]["label"], "harassing");
    assert!(codes(&on[0]).contains(&"H5".to_string()));
    for args in [&["--ignore-code", "H5"][..], &["--only-codes", "T1,T2,T3,T4,T5,T6,T7,H1,H2,H3,H4"]] {
        let off = records(dir.path(), args, &input);
        assert!(off.iter().all(|r| !codes(r).contains(&"H5".to_string())), "{args:?}");
        assert_ne!(off[0]["label"], "harassing", "{args:?}: {}", off[0]);
        // Another harassing cue still counts.
        assert_eq!(off[1]["label"], "harassing");
        assert_eq!(codes(&off[1]), ["H1"]);
        assert_eq!(off[2], on[2], "a message without H5 is unchanged");
    }
    // With only threat codes on, no message is harassing.
    let threats = records(dir.path(), &["--only-codes", "T1,T2,T3,T4,T5,T6,T7"], &input);
    assert!(threats.iter().all(|r| r["label"] != "harassing" && r["scores"]["harassing"] == 0.0));
    assert_eq!(threats[2]["label"], "threatening");
}

#[test]
fn every_bad_lexicon_line_is_exit_2_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("x\tT9\tthreatening\n", "unknown cue code"),
        ("x\tT1\tharassing\n", "code T1 is threatening not harassing"),
        ("\tT1\tthreatening\n", "empty pattern"),
        ("，。！\tH1\tharassing\n", "normalises to nothing"),
        ("打断…\tT1\tthreatening\n", "bad gap pattern"),
        ("打…断…腿\tT1\tthreatening\n", "bad gap pattern"),
        ("打断腿 T1 threatening\n", "expected pattern, code, label"),
    ];
    for (body, message) in cases {
        fs::write(dir.path().join("bad.tsv"), format!("ok\tT1\tthreatening\n{body}")).unwrap();
        for cmd in ["classify", "lexicon check"] {
            let out = if cmd == "classify" {
                cg().current_dir(dir.path())
                    .args(["classify", "--lexicon", "bad.tsv"])
                    .write_stdin("你好\n")
                    .output()
            } else {
                cg().current_dir(dir.path()).args(["lexicon", "check", "bad.tsv"]).output()
            }
            .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{cmd:?} {body:?}: {err}");
            assert!(err.contains("bad.tsv:2: ") && err.contains(message), "{cmd:?} {body:?}: {err}");
        }
    }
    fs::write(dir.path().join("allow.txt"), "废物回收\n……\n").unwrap();
    let out = cg()
        .current_dir(dir.path())
        .args(["classify", "--allow", "allow.txt"])
        .write_stdin("你好")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("allow.txt:2: "));
    for flag in ["--lexicon", "--allow"] {
        let out = cg()
            .current_dir(dir.path())
            .args(["classify", flag, "missing.txt"])
            .write_stdin("你好")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("missing.txt"), "{flag}");
    }
    // A repeat is a warning, not an error.
    fs::write(
        dir.path().join("dup.tsv"),
        "给你寄花圈\tT1\tthreatening\n給你寄花圈\tT1\tthreatening\n废物\tH1\tharassing\n",
    )
    .unwrap();
    let out = cg()
        .current_dir(dir.path())
        .args(["classify", "--lexicon", "dup.tsv"])
        .write_stdin("你好")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning: dup.tsv:2: ") && err.contains("repeats dup.tsv:1"), "{err}");
    assert!(err.contains("warning: dup.tsv:3: ") && err.contains("repeats builtin:"), "{err}");
}

#[test]
fn lexicon_show_fed_back_reproduces_the_default_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let shown = cg().args(["lexicon", "show"]).output().unwrap();
    assert!(shown.status.success());
    fs::write(dir.path().join("shown.tsv"), &shown.stdout).unwrap();
    let test = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/test.csv");
    let score = |extra: &[&str]| {
        let out = cg().current_dir(dir.path()).arg("score").arg(&test).args(extra).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    let default = score(&[]);
    let fed_back = score(&["--no-default-lexicon", "--lexicon", "shown.tsv"]);
    assert!(default.len() > 100_000);
    assert!(default == fed_back, "verdicts differ");
    // With no lexicon at all the verdicts change: the lexicon matters.
    fs::write(dir.path().join("empty.tsv"), "pattern\tcode\tlabel\tnote\n").unwrap();
    assert!(score(&["--no-default-lexicon", "--lexicon", "empty.tsv"]) != default);
}

#[test]
fn lexicon_check_counts_and_points_at_what_is_probably_not_meant() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("team.tsv"),
        "给你寄花圈\tT1\tthreatening\n给你寄花圈\tT1\tthreatening\nＸＸ贷\tH1\tharassing\n寄花圈\tT1\tthreatening\n上门…堵你\tT6\tthreatening\n",
    )
    .unwrap();
    let out = cg()
        .current_dir(dir.path())
        .args(["lexicon", "check", "team.tsv", "--no-default-lexicon"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("team.tsv: 4 patterns (T1 2, T6 1, H1 1), 1 gap patterns"), "{text}");
    assert!(text.contains("team.tsv:3: ＸＸ贷 normalises to xx贷"), "{text}");
    assert!(text.contains("team.tsv:4: 寄花圈 (T1) is shadowed by longer 给你寄花圈 (team.tsv:1)"), "{text}");
    assert!(text.contains("warning: team.tsv:2: 给你寄花圈 (T1) repeats team.tsv:1"), "{text}");
}

#[test]
fn the_settings_file_holds_the_options_and_flags_take_precedence() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("cues")).unwrap();
    fs::write(dir.path().join("cues/team.tsv"), "给你寄花圈\tT1\tthreatening\n").unwrap();
    fs::write(dir.path().join("cues/allow.txt"), "废物回收\n").unwrap();
    fs::write(
        dir.path().join("collectguard.toml"),
        "lexicon = [\"cues/team.tsv\"]\nallow = [\"cues/allow.txt\"]\nignore_codes = [\"H5\"]\n",
    )
    .unwrap();
    let input = "明天给你寄花圈\n小区废物回收站周六开放\n不还钱就每天24小时给你打电话，打到你崩溃";
    let recs = records(dir.path(), &[], input);
    assert_eq!(recs[0]["matches"][0]["source"], "cues/team.tsv");
    assert_eq!(recs[1]["allowed"][0]["source"], "cues/allow.txt");
    assert!(!codes(&recs[2]).contains(&"H5".to_string()));
    // Flags lay over the file; --no-config ignores it.
    let only = records(dir.path(), &["--only-codes", "H1,H2,H3,H4,H5"], input);
    assert!(only[0]["matches"].as_array().unwrap().is_empty());
    assert!(!codes(&only[2]).contains(&"H5".to_string()), "ignore_codes still applies");
    let none = records(dir.path(), &["--no-config"], input);
    assert!(codes(&none[2]).contains(&"H5".to_string()));
    assert!(none[1].get("allowed").is_none());
    // The same file elsewhere with --config: paths are relative to the file.
    let elsewhere = tempfile::tempdir().unwrap();
    let config = dir.path().join("collectguard.toml");
    let recs = records(elsewhere.path(), &["--config", config.to_str().unwrap()], input);
    assert_eq!(recs[1]["allowed"][0]["phrase"], "废物回收");
    // `config show` prints what is in effect.
    let out = cg().current_dir(dir.path()).args(["config", "show", "--ignore-code", "H4"]).output().unwrap();
    assert!(out.status.success());
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(shown.contains("lexicon = [\"cues/team.tsv\"]"), "{shown}");
    assert!(shown.contains("ignore_codes = [\"H5\", \"H4\"]"), "{shown}");
    assert!(shown.contains("# codes in effect: T1 T2 T3 T4 T5 T6 T7 H1 H2 H3\n"), "{shown}");
    // A bad settings file is exit 2 naming it.
    fs::write(dir.path().join("collectguard.toml"), "lexicons = []\n").unwrap();
    let out = cg().current_dir(dir.path()).args(["classify"]).write_stdin("你好").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("collectguard.toml"));
}

#[test]
fn every_command_that_classifies_takes_the_options() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("allow.txt"), "废物回收\n").unwrap();
    fs::write(dir.path().join("m.csv"), "text,label\n小区废物回收站周六开放,compliant\n").unwrap();
    let run = |args: &[&str], stdin: &str| {
        let out = cg().current_dir(dir.path()).args(args).write_stdin(stdin.to_string()).output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, out) = run(&["score", "m.csv", "--allow", "allow.txt"], "");
    assert_eq!(code, Some(0));
    assert!(out.lines().nth(1).unwrap().contains(",compliant,"), "{out}");
    let (code, _) = run(&["filter", "--allow", "allow.txt"], "小区废物回收站周六开放\n");
    assert_eq!(code, Some(1), "nothing selected");
    let (code, out) = run(&["explain", "--allow", "allow.txt", "小区廢物 回收站周六开放"], "");
    assert_eq!(code, Some(0));
    assert!(out.contains("allowed: \"廢物 回收\""), "{out}");
    let (code, out) = run(&["eval", "--data", "m.csv", "--allow", "allow.txt", "--format", "json"], "");
    assert_eq!(code, Some(0));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["accuracy"], 1.0);
}
