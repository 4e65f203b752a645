//! Chooses the unit threshold by measurement: builds call transcripts from a labelled CSV
//! with a `cue` column (default `data/test.csv`, odd rows or even rows), and prints, per
//! threshold, how many calls with one violating collector turn are found (with the span
//! of that turn), how many all-benign calls stay compliant, and how many calls whose only
//! abuse is a customer turn stay compliant.
//!
//! `cargo run --release --features testing --example unit_threshold -- [CSV] [odd|even|all]`

use collectguard::transcripts::{Place, Pools, Rng, Tagged, call};
use collectguard::units::UnitOptions;
use collectguard::verdict::UnitVerdict;
use collectguard::{Classifier, Label, Model};

/// One call: whether the whole (customer turns left out) is violating and then whether
/// its deciding unit is the inserted one; the best violating counting unit's probability
/// and whether it is the inserted one.
struct Call {
    chars: usize,
    whole: Option<bool>,
    p: f64,
    hit: bool,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).map_or("data/test.csv", String::as_str);
    let half = args.get(2).map_or("odd", String::as_str);
    let mut reader = csv::Reader::from_path(path).expect("readable CSV");
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let (t, l, c) = (col("text"), col("label"), col("cue"));
    let rows: Vec<Tagged> = reader
        .records()
        .enumerate()
        .filter(|(i, _)| match half {
            "odd" => i % 2 == 1,
            "even" => i % 2 == 0,
            _ => true,
        })
        .map(|(_, r)| {
            let r = r.expect("row");
            Tagged { text: r[t].to_string(), label: r[l].parse().expect("label"), tag: r[c].to_string() }
        })
        .collect();
    let mut pools = Pools::new(&rows);
    let model = Model::from_json(collectguard::DEFAULT_MODEL).expect("default model");
    let units = UnitOptions { threshold: 1.0, ..UnitOptions::default() };
    let classifier = Classifier::builder(model).units(units).build().expect("valid options");
    if args.get(3).is_some_and(|a| a == "standalone") {
        // Only messages judged right on their own: what judging by turns adds or loses.
        let right =
            |t: &String, violating: bool| (classifier.classify(t).label != Label::Compliant) == violating;
        pools.collector.retain(|t| right(t, false));
        pools.violating.retain(|t| right(t, true));
    }
    eprintln!(
        "pools: {} collector, {} replies, {} violating, {} abuse",
        pools.collector.len(),
        pools.reply.len(),
        pools.violating.len(),
        pools.abuse.len()
    );
    let violating = |s: &[f64; 3]| s[1].max(s[2]);
    // Per call: the best counting unit's violating probability and whether it is the
    // inserted turn.
    let mut rng = Rng::new(7);
    let mut kinds: Vec<(&str, Vec<Call>)> = Vec::new();
    for kind in ["violating", "benign", "customer-abuse"] {
        let mut calls = Vec::new();
        for chars in [200, 1000, 3000] {
            for place in [Place::Start, Place::Middle, Place::End] {
                for _ in 0..60 {
                    let ins = match kind {
                        "violating" => Some((rng_pick(&mut rng, &pools.violating), place, false)),
                        "customer-abuse" => Some((rng_pick(&mut rng, &pools.abuse), place, true)),
                        _ => None,
                    };
                    let tr =
                        call(&pools, &mut rng, chars, ins.as_ref().map(|(s, p, b)| (s.as_str(), *p, *b)));
                    let v = classifier.classify(&tr.text);
                    let overlaps = |u: &UnitVerdict| {
                        tr.inserted
                            .as_ref()
                            .is_some_and(|r| u.span.byte_start < r.end && r.start < u.span.byte_end)
                    };
                    // With the threshold at 1, the label is the whole's (customer turns left out).
                    let whole = (v.label != Label::Compliant)
                        .then(|| v.units.iter().find(|u| u.deciding).is_some_and(overlaps));
                    let best = v
                        .units
                        .iter()
                        .filter(|u| u.role.counts() && u.label != Label::Compliant)
                        .max_by(|a, b| violating(&a.scores).total_cmp(&violating(&b.scores)));
                    let (p, hit) = best.map_or((0.0, false), |u| (violating(&u.scores), overlaps(u)));
                    calls.push(Call { chars, whole, p, hit });
                }
            }
        }
        kinds.push((kind, calls));
    }
    // Per call size: the whole alone, and units alone at each threshold.
    for chars in [200, 1000, 3000] {
        let of = |k: usize| kinds[k].1.iter().filter(|c| c.chars == chars).collect::<Vec<_>>();
        let (v, b, a) = (of(0), of(1), of(2));
        let rate = |calls: &[&Call], f: &dyn Fn(&Call) -> bool| {
            calls.iter().filter(|c| f(c)).count() as f64 / calls.len() as f64
        };
        println!(
            "{chars} chars, whole alone: found {:.3}  benign-compliant {:.3}  customer-abuse-compliant {:.3}",
            rate(&v, &|c| c.whole == Some(true)),
            rate(&b, &|c| c.whole.is_none()),
            rate(&a, &|c| c.whole.is_none())
        );
        println!("  units alone: threshold  found  benign-compliant  customer-abuse-compliant");
        for k in 0..=10 {
            let tau = 0.5 + 0.05 * k as f64;
            println!(
                "               {tau:.2}       {:.3}  {:.3}             {:.3}",
                rate(&v, &|c| c.p >= tau && c.hit),
                rate(&b, &|c| c.p < tau),
                rate(&a, &|c| c.p < tau)
            );
        }
    }
}

fn rng_pick(rng: &mut Rng, v: &[String]) -> String {
    v[rng.below(v.len())].clone()
}
