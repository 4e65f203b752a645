//! Scale-out: the stdin/stdout modes are stateless and line-aligned, so classifying shards
//! in separate processes and concatenating the outputs equals the one-shot run (as under
//! Hadoop Streaming or Spark's RDD.pipe).

use assert_cmd::Command;

fn output(args: &[&str], input: &str) -> String {
    let out = Command::cargo_bin("collectguard")
        .unwrap()
        .args(args)
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    assert!(out.status.code() == Some(0) || out.status.code() == Some(1), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// JSONL records with the per-input `line` field set aside (a shard numbers its own lines).
fn without_line_numbers(jsonl: &str) -> Vec<serde_json::Value> {
    jsonl
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("line");
            v
        })
        .collect()
}

#[test]
fn sharded_runs_concatenate_to_the_one_shot_run() {
    let mut r = csv::Reader::from_path("data/test.csv").unwrap();
    let lines: Vec<String> = r.records().map(|rec| rec.unwrap()[0].replace(['\n', '\r'], " ")).collect();
    assert!(lines.len() > 1000);
    let input = lines.join("\n") + "\n";
    let shards: Vec<String> = lines.chunks(lines.len() / 4 + 1).map(|c| c.join("\n") + "\n").collect();
    assert_eq!(shards.len(), 4);

    for args in [
        &["classify", "--color", "never"][..],
        &["classify", "--format", "csv", "--threads", "1"][..],
        &["filter"][..],
        &["filter", "-v", "--label", "compliant"][..],
    ] {
        let whole = output(args, &input);
        let parts: String = shards.iter().map(|s| output(args, s)).collect();
        if args.contains(&"csv") {
            // Each shard writes its own header; line numbers restart per shard.
            let strip = |s: &str| -> Vec<String> {
                s.lines()
                    .skip(1)
                    .map(|l| l.split_once(',').unwrap().1.split_once(',').unwrap().1.to_string())
                    .collect()
            };
            let joined: Vec<String> = shards.iter().flat_map(|s| strip(&output(args, s))).collect();
            assert_eq!(strip(&whole), joined, "{args:?}");
        } else {
            assert_eq!(whole, parts, "{args:?}");
        }
    }
    let whole = output(&["classify", "--format", "jsonl"], &input);
    let parts: String =
        shards.iter().map(|s| output(&["classify", "--format", "jsonl", "--threads", "2"], s)).collect();
    assert_eq!(without_line_numbers(&whole), without_line_numbers(&parts));
}
