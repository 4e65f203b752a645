//! The corpus in data/: size, balance, coverage, and a split with no leaks between
//! train and test (or from the shared dev sets into either).

use std::collections::{HashMap, HashSet};

struct Row {
    text: String,
    label: String,
    cue: String,
    source: String,
    group: String,
}

fn read(path: &str) -> Vec<Row> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    assert_eq!(h.iter().collect::<Vec<_>>(), ["text", "label", "cue", "source", "group"], "{path}");
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            Row {
                text: rec[0].into(),
                label: rec[1].into(),
                cue: rec[2].into(),
                source: rec[3].into(),
                group: rec[4].into(),
            }
        })
        .collect()
}

fn grams(text: &str) -> HashSet<String> {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    if chars.len() < 5 {
        return HashSet::from([chars.iter().collect()]);
    }
    chars.windows(5).map(|w| w.iter().collect()).collect()
}

/// For each probe text, the highest 5-gram Jaccard similarity to any text of `base`.
fn nearest(base: &[&str], probes: &[&str]) -> Vec<f64> {
    let base_grams: Vec<HashSet<String>> = base.iter().map(|t| grams(t)).collect();
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, g) in base_grams.iter().enumerate() {
        for x in g {
            index.entry(x.as_str()).or_default().push(i);
        }
    }
    probes
        .iter()
        .map(|p| {
            let g = grams(p);
            let cands: HashSet<usize> =
                g.iter().flat_map(|x| index.get(x.as_str()).into_iter().flatten().copied()).collect();
            cands
                .into_iter()
                .map(|i| {
                    let inter = g.intersection(&base_grams[i]).count();
                    inter as f64 / (g.len() + base_grams[i].len() - inter) as f64
                })
                .fold(0.0, f64::max)
        })
        .collect()
}

#[test]
fn corpus_is_large_balanced_and_covers_every_cue() {
    let mut rows = read("data/train.csv");
    rows.extend(read("data/test.csv"));
    assert!(rows.len() >= 25_000, "{} rows", rows.len());
    // Compliant is the larger share (everyday text and text about collection are most of
    // what a filter sees), but neither violating label is rare: each at least a sixth.
    for label in ["compliant", "threatening", "harassing"] {
        let n = rows.iter().filter(|r| r.label == label).count();
        assert!(n * 6 >= rows.len(), "{label}: {n} of {}", rows.len());
        assert!(n * 5 <= rows.len() * 3, "{label}: {n} of {}", rows.len());
    }
    // Every hard group has at least 600 rows, on both sides.
    for group in ["talks-about", "veiled", "everyday", "lawful-firm", "third-party", "slang-disguise"] {
        let in_group: Vec<&Row> = rows.iter().filter(|r| r.group.starts_with(group)).collect();
        let compliant = in_group.iter().filter(|r| r.label == "compliant").count();
        assert!(in_group.len() >= 600, "{group}: {} rows", in_group.len());
        assert!(compliant >= 100 && in_group.len() - compliant >= 100, "{group}: {compliant} compliant");
    }
    let cues = [
        "T1",
        "T2",
        "T3",
        "T4",
        "T5",
        "T6",
        "T7",
        "H1",
        "H2",
        "H3",
        "H4",
        "H5",
        "C-reminder",
        "C-fee",
        "C-relief",
        "C-lawsuit",
        "C-credit",
        "C-visit",
        "C-identity",
        "C-reply",
        "C-describe",
        "C-everyday",
    ];
    for cue in cues {
        let distinct: HashSet<&str> = rows.iter().filter(|r| r.cue == cue).map(|r| r.text.as_str()).collect();
        assert!(distinct.len() >= 150, "{cue}: {}", distinct.len());
    }
    let generated = rows.iter().filter(|r| r.source == "generated").count();
    assert!(generated * 2 < rows.len(), "generated {generated} of {}", rows.len());
    let texts: HashSet<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts.len(), rows.len(), "exact duplicates in the corpus");
}

#[test]
fn no_test_message_nearly_duplicates_a_training_message() {
    let train = read("data/train.csv");
    let test = read("data/test.csv");
    let base: Vec<&str> = train.iter().map(|r| r.text.as_str()).collect();
    let probes: Vec<&str> = test.iter().map(|r| r.text.as_str()).collect();
    let leaks: Vec<(&str, f64)> =
        probes.iter().zip(nearest(&base, &probes)).filter(|(_, j)| *j >= 0.8).map(|(t, j)| (*t, j)).collect();
    assert!(leaks.is_empty(), "{} near duplicates, e.g. {:?}", leaks.len(), &leaks[..leaks.len().min(5)]);
}

#[test]
fn shared_dev_sets_are_not_in_the_corpus() {
    let mut corpus: Vec<String> = read("data/train.csv").into_iter().map(|r| r.text).collect();
    corpus.extend(read("data/test.csv").into_iter().map(|r| r.text));
    let base: Vec<&str> = corpus.iter().map(String::as_str).collect();
    for path in [
        "../shared/devset/dev.csv",
        "../shared/devset/dev_evasion.csv",
        "../shared/devset/dev_hard.csv",
        "../shared/devset/dev_articles.csv",
    ] {
        let Ok(mut r) = csv::Reader::from_path(path) else {
            eprintln!("{path} not present; skipped");
            continue;
        };
        let col = r.headers().unwrap().iter().position(|h| h == "text").expect("a text column");
        let texts: Vec<String> = r.records().map(|rec| rec.unwrap()[col].to_string()).collect();
        let probes: Vec<&str> = texts.iter().map(String::as_str).collect();
        let worst = nearest(&base, &probes).into_iter().fold(0.0, f64::max);
        assert!(worst < 0.8, "{path}: a dev message nearly duplicates a corpus message ({worst:.2})");
    }
}
