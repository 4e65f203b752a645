use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let c = collectguard::Classifier::with_default_model().unwrap();
    let per = |t: std::time::Duration| t.as_secs_f64() * 1e6 / lines.len() as f64;
    let t = Instant::now();
    let norms: Vec<_> = lines.iter().map(|l| collectguard::normalize(l)).collect();
    eprintln!("normalize {:.2} us/msg", per(t.elapsed()));
    let jieba = jieba_rs::Jieba::new();
    for hmm in [false, true] {
        let t = Instant::now();
        let mut w = 0;
        for n in &norms {
            w += jieba.cut(&n.text, hmm).len();
        }
        eprintln!("bare jieba cut hmm={hmm} {:.2} us/msg ({w} words)", per(t.elapsed()));
    }
    let t = Instant::now();
    let mut k = 0;
    for n in &norms {
        c.tokenizer().terms(&n.text, |_, r| k += r.end);
    }
    eprintln!("terms (jieba + loop) {:.2} us/msg", per(t.elapsed()));
    let t = Instant::now();
    let mut hits = Vec::new();
    let mut total = 0;
    for n in &norms {
        hits.clear();
        c.tokenizer().terms(&n.text, |term, _| {
            if let Some(i) = c.model().vocab().get_term(term) {
                hits.push(i)
            }
        });
        total += hits.len();
    }
    eprintln!("terms + lookups {:.2} us/msg ({total} hits)", per(t.elapsed()));
    let t = Instant::now();
    let feats: Vec<_> = norms.iter().map(|n| c.features(n)).collect();
    eprintln!("features {:.2} us/msg", per(t.elapsed()));
    let t = Instant::now();
    let mut s = 0.0;
    for f in &feats {
        s += c.model().predict(f)[0];
    }
    eprintln!("model {:.2} us/msg", per(t.elapsed()));
    let t = Instant::now();
    let mut m = 0;
    for (l, n) in lines.iter().zip(&norms) {
        m += c.lexicon().find(l, n).matches.len();
    }
    eprintln!("cues {:.2} us/msg", per(t.elapsed()));
    let t = Instant::now();
    for l in &lines {
        m += c.classify(l).matches.len();
    }
    eprintln!("classify {:.2} us/msg [{k} {s} {m}]", per(t.elapsed()));
}
