//! The embedded model measured on the shared dev sets (never trained on), when present:
//! a regression guard for the figures in the README's model card.

use collectguard::eval::{Metrics, metrics};
use collectguard::{Classifier, Label};

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
    assert!(dev.macro_f1 >= 0.92, "dev macro-F1 {:.4}", dev.macro_f1);
    for class in &dev.classes {
        assert!(class.f1 >= 0.88, "dev {} F1 {:.4}", class.label, class.f1);
    }
    let evasion = measure(&c, "../shared/devset/dev_evasion.csv").unwrap();
    assert!(
        evasion.macro_f1 >= 0.95 * dev.macro_f1,
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
    assert!(share >= 0.9, "{compliant} of {safe} safe comments compliant ({share:.3})");
}
