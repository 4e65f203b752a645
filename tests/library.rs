//! The library API: sparse scoring against linfa, normalisation examples, spans.

use collectguard::features::Vocabulary;
use collectguard::tokenize::Tokenizer;
use collectguard::train::{Example, Solver, TrainParams, dense_rows};
use collectguard::{Classifier, Label, Model, normalize};

fn read_examples(path: &str, every: usize) -> Vec<Example> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(_, rec)| {
            let rec = rec.unwrap();
            Example { text: rec[0].to_string(), label: rec[1].parse().unwrap() }
        })
        .collect()
}

fn whole_messages(model: Model) -> Classifier {
    let units = collectguard::units::UnitOptions { split: false, ..Default::default() };
    Classifier::builder(model).units(units).build().unwrap()
}

#[test]
fn sparse_scores_equal_linfa_predict_probabilities_on_the_test_split() {
    let tokenizer = Tokenizer::new();
    let train = read_examples("data/train.csv", 3);
    let params = TrainParams {
        max_features: 2000,
        max_iterations: 80,
        solver: Solver::Linfa,
        calibrate: false,
        ..Default::default()
    }
    .check()
    .unwrap();
    let fitted = params.fit(&tokenizer, &train, vec![], &|_| {}).unwrap();
    let model = Model::from_file(fitted.file.clone()).unwrap();
    let test = read_examples("data/test.csv", 1);
    let texts: Vec<&str> = test.iter().map(|e| e.text.as_str()).collect();
    let vocab = Vocabulary::new(&fitted.file.features, fitted.file.idf.clone()).unwrap();
    let dense = dense_rows(&tokenizer, &vocab, &texts);
    let linfa = fitted.linfa.as_ref().expect("fitted by linfa").predict_probabilities(&dense);
    // Whole messages: a transcript judged by its turns has other scores than its row.
    let classifier = whole_messages(model);
    let (mut worst, mut worst_fused): (f64, f64) = (0.0, 0.0);
    for (i, t) in texts.iter().enumerate() {
        let sparse = classifier.model().predict(&classifier.features(t, &normalize(t)));
        // classify scores from the feature hits directly, without building the row.
        let fused = classifier.classify(t).model_scores;
        for c in 0..3 {
            worst = worst.max((sparse[c] - linfa[[i, c]]).abs());
            worst_fused = worst_fused.max((fused[c] - sparse[c]).abs());
        }
    }
    assert!(texts.len() > 1000);
    assert!(worst < 1e-5, "largest difference {worst}");
    assert!(worst_fused < 1e-12, "classify differs from the row by {worst_fused}");
}

#[test]
fn classify_scores_equal_the_feature_row_with_the_embedded_model() {
    let c = whole_messages(Model::from_json(collectguard::DEFAULT_MODEL).unwrap());
    let test = read_examples("data/test.csv", 1);
    let repeats = "还钱还钱，老赖老赖，你还钱还钱吗？还钱！".to_string();
    for t in test.iter().map(|e| e.text.as_str()).chain([repeats.as_str(), "你好"]) {
        let row = c.model().predict(&c.features(t, &normalize(t)));
        let fused = c.classify(t).model_scores;
        for k in 0..3 {
            assert!((row[k] - fused[k]).abs() < 1e-12, "{t}: {row:?} vs {fused:?}");
        }
    }
}

#[test]
fn embedded_model_loads_and_classifies() {
    let c = Classifier::with_default_model().unwrap();
    assert_eq!(c.classify("三天不还直接抓你坐牢").label, Label::Threatening);
    assert_eq!(c.classify("如持续未还，我司将依法向法院提起诉讼").label, Label::Compliant);
    let empty = c.classify("  ");
    assert_eq!((empty.label, empty.decided_by), (Label::Compliant, collectguard::DecidedBy::Empty));
}

#[test]
fn annotated_traditional_text_normalises_and_matches_like_plain_text() {
    assert_eq!(normalize("上門(mén)催收嚴(yán)重嗎").text, "上门催收严重吗");
    let c = Classifier::with_default_model().unwrap();
    let codes = |t: &str| -> Vec<String> {
        let n = normalize(t);
        c.lexicon().find(t, &n).matches.iter().map(|m| format!("{}:{}", m.code, m.pattern)).collect()
    };
    for (plain, disguised) in [
        ("不还钱就打断你的腿", "不還 錢就打*斷你的腿"),
        ("你这个老赖不要脸", "你這個老_賴不要臉"),
        ("明天去你家门口泼油漆", "明天去你家門口潑油漆"),
    ] {
        assert!(!codes(plain).is_empty(), "{plain}");
        assert_eq!(codes(plain), codes(disguised), "{disguised}");
        assert_eq!(c.classify(plain).label, c.classify(disguised).label, "{disguised}");
    }
}

#[test]
fn embedded_lexicon_is_large_and_covers_every_code() {
    let l = collectguard::Lexicon::embedded();
    assert!(l.cues().len() >= 400, "{}", l.cues().len());
    for code in collectguard::CueCode::ALL {
        assert!(l.cues().iter().filter(|c| c.code == code).count() >= 20, "{code}");
    }
}

#[test]
fn sparse_solver_matches_linfa_logistic() {
    let tokenizer = Tokenizer::new();
    let train = read_examples("data/train.csv", 3);
    let fit = |solver| {
        let params = TrainParams {
            max_features: 2000,
            max_iterations: 1000,
            tolerance: 1e-8,
            solver,
            calibrate: false,
            ..Default::default()
        };
        params.check().unwrap().fit(&tokenizer, &train, vec![], &|_| {}).unwrap()
    };
    let (dense, sparse) = (fit(Solver::Linfa), fit(Solver::Sparse));
    assert_eq!(dense.file.training.solver, "linfa");
    assert_eq!(sparse.file.training.solver, "sparse");
    assert!(sparse.linfa.is_none());
    assert_eq!(dense.file.features, sparse.file.features);
    let (dense, sparse) = (Model::from_file(dense.file).unwrap(), Model::from_file(sparse.file).unwrap());
    let (dense, sparse) = (Classifier::new(dense), Classifier::new(sparse));
    let test = read_examples("data/test.csv", 1);
    let mut worst: f64 = 0.0;
    for e in &test {
        let n = normalize(&e.text);
        let (a, b) = (
            dense.model().predict(&dense.features(&e.text, &n)),
            sparse.model().predict(&sparse.features(&e.text, &n)),
        );
        let top = |s: &[f64; 3]| (0..3).max_by(|&i, &j| s[i].total_cmp(&s[j])).unwrap();
        assert_eq!(top(&a), top(&b), "{}: {a:?} vs {b:?}", e.text);
        for c in 0..3 {
            worst = worst.max((a[c] - b[c]).abs());
        }
    }
    assert!(worst < 1e-4, "largest probability difference {worst}");
}

#[test]
fn a_classifier_is_built_with_its_own_lexicon_allow_list_and_codes() {
    use collectguard::{AllowList, CodeSet, CueCode, Lexicon};
    let mut lexicon = Lexicon::builder();
    lexicon.builtin().add("team.tsv", "给你寄花圈\tT1\tthreatening\twreath\n");
    let (lexicon, repeats) = lexicon.build().unwrap();
    assert!(repeats.is_empty());
    let mut allow = AllowList::builder();
    allow.add("allow.txt", "废物回收\n");
    let (allow, _) = allow.build().unwrap();
    let model = Model::from_json(collectguard::DEFAULT_MODEL).unwrap();
    let c = Classifier::builder(model)
        .lexicon(lexicon)
        .allow(allow)
        .codes(CodeSet::all().without(CueCode::H5))
        .build()
        .unwrap();
    let v = c.classify("明天給你寄花圈");
    assert_eq!((v.matches[0].code, &*v.matches[0].source), (CueCode::T1, "team.tsv"));
    let v = c.classify("小区廢物回收站周六开放");
    assert!(v.matches.is_empty());
    assert_eq!(v.allowed[0].span.text, "廢物回收");
    assert!(c.classify("我们会一直打你电话").matches.iter().all(|m| m.code != CueCode::H5));
    // The default classifier is unchanged by another one's settings.
    let d = Classifier::with_default_model().unwrap();
    assert!(d.classify("小区廢物回收站周六开放").allowed.is_empty());
}
