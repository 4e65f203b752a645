//! Call transcripts judged turn by turn: calls built from `data/test.csv` messages
//! (collector turns from compliant collector messages, customer turns from debtor
//! replies), one violating collector message inserted at the start, middle or end of calls
//! of 200, 1,000 and 3,000 characters, or one abusive customer turn.
//!
//! The pools hold the messages the classifier judges right on their own: how well single
//! messages are judged is the corpus's and the model's business (the dev-set tests); what
//! is measured here is what a long call and who speaks add or take away.

use assert_cmd::Command;
use collectguard::transcripts::{Place, Pools, Rng, Tagged, Transcript, call};
use collectguard::{Classifier, Label, Verdict};
use serde_json::Value;
use std::fs;

const SIZES: [usize; 3] = [200, 1000, 3000];
const PLACES: [Place; 3] = [Place::Start, Place::Middle, Place::End];

fn pools(classifier: &Classifier) -> Pools {
    let mut reader = csv::Reader::from_path("data/test.csv").unwrap();
    let rows: Vec<Tagged> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            Tagged { text: r[0].to_string(), label: r[1].parse().unwrap(), tag: r[2].to_string() }
        })
        .collect();
    let mut p = Pools::new(&rows);
    let violating = |t: &String| classifier.classify(t).label != Label::Compliant;
    p.collector.retain(|t| !violating(t));
    p.violating.retain(violating);
    assert!(
        p.collector.len() > 300 && p.reply.len() > 100 && p.violating.len() > 1000 && p.abuse.len() > 200
    );
    p
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Violating,
    Benign,
    CustomerAbuse,
}

/// `per` calls of each size and place (benign calls: of each size).
fn calls(p: &Pools, kind: Kind, per: usize, seed: u64) -> Vec<Transcript> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for chars in SIZES {
        for place in PLACES {
            for _ in 0..per {
                let insert = match kind {
                    Kind::Violating => Some((p.violating[rng.below(p.violating.len())].clone(), false)),
                    Kind::CustomerAbuse => Some((p.abuse[rng.below(p.abuse.len())].clone(), true)),
                    Kind::Benign => None,
                };
                let insert = insert.as_ref().map(|(t, by_customer)| (t.as_str(), place, *by_customer));
                out.push(call(p, &mut rng, chars, insert));
            }
        }
    }
    out
}

/// Whether the verdict found the inserted turn: violating, decided by the unit that is
/// exactly the inserted message, and the top-level cues inside it.
fn found(t: &Transcript, label: &str, units: &[(usize, usize, bool)], matches: &[(usize, usize)]) -> bool {
    let r = t.inserted.clone().expect("an inserted turn");
    label != "compliant"
        && units.iter().any(|&(s, e, deciding)| deciding && (s, e) == (r.start, r.end))
        && matches.iter().all(|&(s, e)| r.start <= s && e <= r.end)
}

/// A verdict as the checks read it: label, units (byte span, deciding) and cue spans.
type Judged = (String, Vec<(usize, usize, bool)>, Vec<(usize, usize)>);

fn of_verdict(v: &Verdict) -> Judged {
    let units = v.units.iter().map(|u| (u.span.byte_start, u.span.byte_end, u.deciding)).collect();
    let matches = v.matches.iter().map(|m| (m.span.byte_start, m.span.byte_end)).collect();
    (v.label.as_str().to_string(), units, matches)
}

fn of_record(r: &Value) -> Judged {
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap() as usize;
    let units = r["units"]
        .as_array()
        .map(|us| us.iter().map(|u| (n(u, "byte_start"), n(u, "byte_end"), u["deciding"] == true)).collect())
        .unwrap_or_default();
    let matches =
        r["matches"].as_array().unwrap().iter().map(|m| (n(m, "byte_start"), n(m, "byte_end"))).collect();
    (r["label"].as_str().unwrap().to_string(), units, matches)
}

fn share(hits: usize, n: usize) -> f64 {
    hits as f64 / n as f64
}

#[test]
fn one_violating_collector_turn_is_found_and_customer_turns_do_not_decide() {
    let c = Classifier::with_default_model().unwrap();
    let p = pools(&c);
    let violating = calls(&p, Kind::Violating, 20, 1);
    let hits = violating
        .iter()
        .filter(|t| {
            let (label, units, matches) = of_verdict(&c.classify(&t.text));
            found(t, &label, &units, &matches)
        })
        .count();
    assert!(share(hits, violating.len()) >= 0.95, "found {hits} of {}", violating.len());
    for (kind, bar) in [(Kind::Benign, 0.98), (Kind::CustomerAbuse, 0.95)] {
        let calls = calls(&p, kind, 20, 2);
        let compliant = calls.iter().filter(|t| c.classify(&t.text).label == Label::Compliant).count();
        assert!(share(compliant, calls.len()) >= bar, "compliant {compliant} of {}", calls.len());
    }
    // Judged whole, the same calls lose most of the inserted turns: what units are for.
    let whole = Classifier::builder(collectguard::Model::from_json(collectguard::DEFAULT_MODEL).unwrap())
        .units(collectguard::units::UnitOptions { split: false, ..Default::default() })
        .build()
        .unwrap();
    let whole_hits = violating.iter().filter(|t| whole.classify(&t.text).label != Label::Compliant).count();
    assert!(whole_hits < hits / 2, "whole {whole_hits}, units {hits}");
}

fn cg() -> Command {
    Command::cargo_bin("collectguard").unwrap()
}

#[test]
fn the_same_holds_through_score_whole_file_and_json_lines() {
    let c = Classifier::with_default_model().unwrap();
    let p = pools(&c);
    let dir = tempfile::tempdir().unwrap();
    for (kind, seed) in [(Kind::Violating, 3), (Kind::Benign, 4), (Kind::CustomerAbuse, 5)] {
        let calls = calls(&p, kind, 4, seed);
        let judge =
            |label: &str, units: &[(usize, usize, bool)], matches: &[(usize, usize)], t: &Transcript| {
                if kind == Kind::Violating { found(t, label, units, matches) } else { label == "compliant" }
            };
        let bar = match kind {
            Kind::Violating | Kind::CustomerAbuse => 0.95,
            Kind::Benign => 0.98,
        };
        // How many JSON Lines records, one per call in order, are judged right.
        let judged = |stdout: &[u8]| {
            let lines = String::from_utf8(stdout.to_vec()).unwrap();
            let recs = lines.lines().map(|l| serde_json::from_str::<Value>(l).unwrap());
            recs.zip(&calls)
                .filter(|(r, t)| {
                    let (l, u, m) = of_record(r);
                    judge(&l, &u, &m, t)
                })
                .count()
        };
        // score: a CSV whose cells hold whole calls, one turn a line.
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["id", "content"]).unwrap();
        for (i, t) in calls.iter().enumerate() {
            w.write_record([i.to_string().as_str(), t.text.as_str()]).unwrap();
        }
        let csv_in = w.into_inner().unwrap();
        let out =
            cg().args(["score", "-", "--format", "jsonl"]).write_stdin(csv_in.clone()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), calls.len());
        let ok = judged(&out.stdout);
        assert!(share(ok, calls.len()) >= bar, "score jsonl: {ok} of {}", calls.len());
        // The CSV output names the deciding turn.
        let out = cg().args(["score", "-"]).write_stdin(csv_in).output().unwrap();
        let mut r = csv::Reader::from_reader(&out.stdout[..]);
        let header = r.headers().unwrap().clone();
        let worst = header.iter().position(|h| h == "worst_unit").unwrap();
        let label = header.iter().position(|h| h == "label").unwrap();
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), calls.len());
        if kind == Kind::Violating {
            let named = rows
                .iter()
                .zip(&calls)
                .filter(|(row, t)| {
                    row[label] != *"compliant" && row[worst] == t.text[t.inserted.clone().unwrap()]
                })
                .count();
            assert!(share(named, calls.len()) >= bar, "worst_unit: {named} of {}", calls.len());
        }
        // classify --whole-file: one file a call.
        let mut names = Vec::new();
        for (i, t) in calls.iter().enumerate() {
            let path = dir.path().join(format!("call-{seed}-{i}.txt"));
            fs::write(&path, &t.text).unwrap();
            names.push(path.to_str().unwrap().to_string());
        }
        let out = cg().args(["classify", "--whole-file", "--format", "jsonl"]).args(&names).output().unwrap();
        let ok = judged(&out.stdout);
        assert!(share(ok, calls.len()) >= bar, "whole-file: {ok} of {}", calls.len());
        // JSON Lines in: the call in a text field.
        let input: String = calls
            .iter()
            .enumerate()
            .map(|(i, t)| serde_json::json!({"id": i, "content": t.text}).to_string() + "\n")
            .collect();
        let out = cg()
            .args(["classify", "--input-format", "jsonl", "--text-field", "content", "--rules", "none"])
            .write_stdin(input)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let ok = judged(&out.stdout);
        assert!(share(ok, calls.len()) >= bar, "jsonl: {ok} of {}", calls.len());
    }
}

#[test]
fn units_carry_speaker_role_and_spans_and_explain_points_at_the_deciding_turn() {
    let text = "[00:00:01] 坐席：您好，这里是某某金融，您的账单已逾期三天。\n[00:00:05] 客户：你他妈的别烦我\n坐席：再不还钱就去你家把你腿打断\n客户：你说什么";
    let out =
        cg().args(["classify", "--whole-file", "--format", "jsonl", "-"]).write_stdin(text).output().unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["label"], "threatening");
    let units = r["units"].as_array().unwrap();
    let roles: Vec<&str> = units.iter().map(|u| u["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["collector", "customer", "collector", "customer"]);
    assert_eq!(units[1]["speaker"], "客户");
    for u in units {
        let (s, e) = (u["byte_start"].as_u64().unwrap() as usize, u["byte_end"].as_u64().unwrap() as usize);
        assert_eq!(&text[s..e], u["text"].as_str().unwrap());
    }
    let deciding: Vec<&Value> = units.iter().filter(|u| u["deciding"] == true).collect();
    assert_eq!(deciding.len(), 1);
    assert_eq!(deciding[0]["text"], "再不还钱就去你家把你腿打断");
    // The customer's swearing alone does not make the call violating.
    let calm = text.replace("再不还钱就去你家把你腿打断", "请您按时还款，谢谢配合。");
    let out =
        cg().args(["classify", "--whole-file", "--format", "jsonl", "-"]).write_stdin(calm).output().unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["label"], "compliant", "{r}");
    // explain shows the deciding turn's evidence, with spans on the whole call.
    let out = cg().args(["explain", "--format", "json", text]).output().unwrap();
    let ex: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ex["verdict"]["label"], "threatening");
    let start = text.find("再不还钱").unwrap();
    for e in ex["evidence"].as_array().unwrap() {
        for s in e["spans"].as_array().unwrap() {
            let b = s["byte_start"].as_u64().unwrap() as usize;
            assert!(b >= start, "{e}");
            assert_eq!(&text[b..s["byte_end"].as_u64().unwrap() as usize], s["text"].as_str().unwrap());
        }
    }
    // filter --whole-file selects the file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.txt");
    fs::write(&path, text).unwrap();
    cg().args(["filter", "--whole-file", "-c"]).arg(&path).assert().success().stdout("1\n");
    // --no-units judges the call whole.
    let out = cg()
        .args(["classify", "--whole-file", "--no-units", "--format", "jsonl", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r.get("units").is_none());
}
