//! Context features: who speaks and how a cue is used. A cue inside quotation marks, after
//! a reporting verb (称, 扬言), in a complaint or a news report, or with no one addressed
//! means something else than the same words said to the debtor. These features go to the
//! model beside the words, so it learns from data when a cue counts.

use crate::cues::{CueCode, CueReport, Guard};
use crate::negation::is_sentence_end;
use crate::normalize::{Normalized, is_han};
use crate::phrases::PhraseSet;
use std::sync::LazyLock;

/// What every context feature key starts with.
pub const PREFIX: &str = "m:";

/// The context feature keys, as stored in a model file; a feature's id is its index.
pub const KEYS: &[&str] = &[
    // One per cue code that matched unguarded.
    "m:T1",
    "m:T2",
    "m:T3",
    "m:T4",
    "m:T5",
    "m:T6",
    "m:T7",
    "m:H1",
    "m:H2",
    "m:H3",
    "m:H4",
    "m:H5",
    // Any unguarded threat / harassment cue, and where it stands.
    "m:T",
    "m:H",
    "m:T-quoted",
    "m:H-quoted",
    "m:T-reported",
    "m:H-reported",
    "m:T-you",
    "m:H-you",
    "m:T-third",
    "m:H-third",
    // Cues a guard set aside.
    "m:negated",
    "m:described",
    // The message as a whole.
    "m:you",
    "m:we",
    "m:third",
    "m:complaint",
    "m:question",
    "m:news",
    "m:quote",
    "m:debt",
    "m:len-1",
    "m:len-2",
    "m:len-3",
    "m:len-4",
    "m:len-5",
    "m:no-han",
    // Co-occurrences a bag of words cannot see.
    "m:tell-done",
    "m:tell-if",
    "m:tell-other",
    "m:watch",
    "m:T-demand",
];

const ANY: usize = 12;
const QUOTED: usize = 14;
const REPORTED: usize = 16;
const YOU_CUE: usize = 18;
const THIRD_CUE: usize = 20;
const NEGATED: usize = 22;
const DESCRIBED: usize = 23;
const YOU: usize = 24;
const WE: usize = 25;
const THIRD: usize = 26;
const COMPLAINT: usize = 27;
const QUESTION: usize = 28;
const NEWS: usize = 29;
const QUOTE: usize = 30;
const DEBT: usize = 31;
const LEN: usize = 32;
const NO_HAN: usize = 37;
const TELL_DONE: usize = 38;
const TELL_IF: usize = 39;
const TELL_OTHER: usize = 40;
const WATCH: usize = 41;
const T_DEMAND: usize = 42;

/// Word classes looked for in the normalised text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    You,
    We,
    Third,
    Report,
    Complaint,
    News,
    Debt,
    /// People or groups a debt can be made known to.
    Audience,
    /// A telling that has happened.
    Done,
    /// A condition or a deadline.
    Cond,
    /// The debtor's places, family, belongings and routine.
    Near,
    /// A third person whose debt is spoken of (a message to a contact).
    Other,
    /// A demand to pay now.
    Demand,
}

#[rustfmt::skip]
const WORDS: &[(Class, &[&str])] = &[
    (Class::You, &[
        "你", "您",
    ]),
    (Class::We, &[
        "我", "我们", "我司", "本公司", "本平台", "咱们",
    ]),
    (Class::Third, &[
        "催收员", "催收人员", "催收方", "催收公司", "催收机构", "平台方", "该平台", "该公司", "某公司", "某平台", "借款人", "债务人",
        "被告", "对方", "他们", "他说", "她说", "网友", "当事人", "一些", "有的", "部分", "机构", "业内", "从业者",
    ]),
    (Class::Report, &[
        "称", "说", "扬言", "威胁", "放话", "声称", "表示", "叫嚣", "恐吓", "宣称", "骂", "辱骂", "写道", "问", "告诉我",
        "说要", "说什么",
    ]),
    (Class::Complaint, &[
        "投诉", "举报", "合法吗", "违法吗", "犯法吗", "怎么办", "报警", "维权", "求助", "算不算", "有没有用", "可以告", "能告",
        "是否合法", "是否违法", "怎么处理", "受害", "遭遇", "遭到", "被催收", "被爆",
    ]),
    (Class::News, &[
        "记者", "据报道", "报道", "通报", "警方", "公安机关", "法院判决", "判处", "一审", "二审", "判决书", "被告人", "犯罪", "案件",
        "检察院指控", "新闻", "日电", "获悉", "据悉", "调查", "研究", "指引", "规定", "条例", "办法", "第一条", "第二条", "行业",
        "监管",
    ]),
    (Class::Debt, &[
        "还款", "还钱", "欠款", "欠钱", "逾期", "借款", "贷款", "催收", "账单", "欠债", "债务", "本金", "利息", "网贷", "分期",
        "额度", "还清", "结清", "还上", "欠",
    ]),
    (Class::Audience, &[
        "同事", "领导", "老板", "人事", "单位", "公司群", "部门", "前台", "经理", "主管", "邻居", "业主群", "小区群", "家长",
        "同学", "室友", "舍友", "亲戚", "家人", "父母", "爸妈", "朋友", "通讯录", "联系人", "群里", "家族群", "村里", "村委",
        "房东", "物业", "老师", "班主任", "朋友圈", "亲友", "街坊", "岳父", "岳母", "公婆", "对象", "客户", "所有人", "大家",
    ]),
    (Class::Done, &[
        "已", "都知道", "知道了", "通知了", "告知", "告诉了", "发了", "发过", "联系过", "说过", "沟通过", "收到", "抄送", "转告",
        "说明了", "打过", "发到", "发在", "贴了", "贴在", "都看到", "看到了", "传遍", "了解了", "反映",
    ]),
    (Class::Cond, &[
        "如果", "要是", "再不", "不还", "否则", "不然", "之前", "以前", "就会", "将会", "会让", "等着", "别怪", "到时候", "明天",
        "今晚", "今天", "马上",
    ]),
    (Class::Near, &[
        "你家", "您家", "你女儿", "你儿子", "你闺女", "你孩子", "孩子", "学校", "幼儿园", "小学", "放学", "班", "楼下", "门口",
        "小区", "你公司", "你单位", "你妈", "你爸", "你老婆", "你老公", "你媳妇", "老家", "车", "路过", "看到你", "见到你", "附近",
        "上班", "下班", "你们家", "住在", "工位", "接送", "医院", "复查",
    ]),
    (Class::Other, &[
        "他", "她", "他的", "她的", "该客户", "其本人", "本人",
    ]),
    (Class::Demand, &[
        "就还", "快还", "赶紧还", "马上还", "今天还", "今晚还", "给我还", "把钱还", "还不还",
    ]),
];

struct Words {
    set: PhraseSet,
    classes: Vec<Class>,
}

static WORD_SET: LazyLock<Words> = LazyLock::new(|| {
    let (classes, phrases): (Vec<Class>, Vec<&str>) =
        WORDS.iter().flat_map(|(c, ws)| ws.iter().map(move |w| (*c, *w))).unzip();
    Words { set: PhraseSet::new(&phrases), classes }
});

fn is_question(c: char) -> bool {
    matches!(c, '?' | '？' | '吗' | '呢')
}

/// Byte ranges of `original` inside quotation marks (“…”, ‘…’, 「…」, 『…』, "…").
fn quoted(original: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // Most messages quote nothing: a byte scan for '"' and the opening CJK quotes
    // (“ ‘ are E2 80 9C / 98, 「 『 are E3 80 8C / 8E) settles them.
    let b = original.as_bytes();
    let opens = memchr::memchr3_iter(b'"', 0xE2, 0xE3, b).any(|i| {
        b[i] == b'"'
            || matches!(
                (b[i], b.get(i + 1..i + 3)),
                (0xE2, Some([0x80, 0x9C | 0x98])) | (0xE3, Some([0x80, 0x8C | 0x8E]))
            )
    });
    if !opens {
        return out;
    }
    let mut open: Option<(char, usize)> = None;
    for (i, c) in original.char_indices() {
        let close = match open {
            Some(('“', _)) => c == '”',
            Some(('‘', _)) => c == '’',
            Some(('「', _)) => c == '」',
            Some(('『', _)) => c == '』',
            Some(('"', _)) => c == '"',
            _ => false,
        };
        if close {
            let (_, s) = open.take().expect("open quote");
            out.push((s, i));
        } else if open.is_none() && matches!(c, '“' | '‘' | '「' | '『' | '"') {
            open = Some((c, i));
        }
    }
    out
}

/// Calls `emit(id)` for every context feature of a message (an id may come more than
/// once: repeats count as term repeats do).
pub fn features(original: &str, norm: &Normalized, cues: &CueReport, mut emit: impl FnMut(usize)) {
    let text = norm.chars();
    // Where each word class occurs, by normalised char start.
    let mut found: Vec<(Class, usize)> = Vec::new();
    WORD_SET.set.find_each_from(text, 0..text.len(), |phrase, s, _| {
        found.push((WORD_SET.classes[phrase as usize], s));
        false
    });
    // The classes present, one bit each: asked about a dozen times per message.
    let present = found.iter().fold(0u32, |m, &(k, _)| m | 1 << k as u32);
    let has = |c: Class| present & 1 << c as u32 != 0;
    for (class, id) in [
        (Class::You, YOU),
        (Class::We, WE),
        (Class::Third, THIRD),
        (Class::Complaint, COMPLAINT),
        (Class::News, NEWS),
        (Class::Debt, DEBT),
    ] {
        if has(class) {
            emit(id);
        }
    }
    if text.iter().any(|&c| is_question(c)) {
        emit(QUESTION);
    }
    // Said to someone (你/您) about a debt, not about collection in general.
    let spoken = has(Class::You)
        && has(Class::Debt)
        && !has(Class::News)
        && !has(Class::Complaint)
        && !has(Class::Report);
    if spoken && has(Class::Audience) {
        if has(Class::Done) {
            emit(TELL_DONE);
        }
        if has(Class::Cond) {
            emit(TELL_IF);
        }
        if has(Class::Other) {
            emit(TELL_OTHER);
        }
    }
    if spoken && has(Class::Near) {
        emit(WATCH);
    }
    let quotes = quoted(original);
    if !quotes.is_empty() {
        emit(QUOTE);
    }
    let han = text.iter().filter(|&&c| is_han(c)).count();
    if han == 0 {
        emit(NO_HAN);
    }
    emit(
        LEN + match han {
            0..=4 => 0,
            5..=12 => 1,
            13..=40 => 2,
            41..=120 => 3,
            _ => 4,
        },
    );
    let mut threat_cue = false;
    for (code, s, _e, guard) in &cues.found {
        match guard {
            Some(Guard::Negation) => {
                emit(NEGATED);
                continue;
            }
            Some(Guard::Description) => {
                emit(DESCRIBED);
                continue;
            }
            None => {}
        }
        let side = usize::from(code.label() != crate::label::Label::Threatening);
        threat_cue |= side == 0;
        emit(CueCode::ALL.iter().position(|c| c == code).expect("a code of ALL"));
        emit(ANY + side);
        let byte = norm.original_bytes(*s, *s + 1).start;
        if quotes.iter().any(|&(qs, qe)| qs < byte && byte < qe) {
            emit(QUOTED + side);
        }
        let sent_start = text[..*s].iter().rposition(|&c| is_sentence_end(c)).map_or(0, |i| i + 1);
        let sent_end = text[*s..].iter().position(|&c| is_sentence_end(c)).map_or(text.len(), |i| s + i);
        let before = |class: Class| found.iter().any(|&(k, p)| k == class && p >= sent_start && p < *s);
        let within = |class: Class| found.iter().any(|&(k, p)| k == class && p >= sent_start && p < sent_end);
        if before(Class::Report) {
            emit(REPORTED + side);
        }
        if within(Class::You) {
            emit(YOU_CUE + side);
        }
        if within(Class::Third) {
            emit(THIRD_CUE + side);
        }
    }
    // A threat cue beside a demand to pay now is said to the debtor, whatever else the
    // message says about collection.
    if threat_cue && has(Class::Demand) {
        emit(T_DEMAND);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cues::Lexicon;
    use crate::normalize::normalize;

    fn keys(text: &str) -> Vec<&'static str> {
        let norm = normalize(text);
        let report = Lexicon::embedded().find(text, &norm);
        let mut out = Vec::new();
        features(text, &norm, &report, |i| out.push(KEYS[i]));
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn ids_and_keys_agree() {
        assert_eq!(KEYS.len(), T_DEMAND + 1);
        assert_eq!(KEYS[NO_HAN], "m:no-han");
        assert_eq!(KEYS[ANY], "m:T");
        assert_eq!(KEYS[QUOTED + 1], "m:H-quoted");
        assert_eq!(KEYS[DESCRIBED], "m:described");
        assert_eq!(KEYS[LEN], "m:len-1");
        for (i, c) in CueCode::ALL.iter().enumerate() {
            assert_eq!(KEYS[i], format!("m:{c}"));
        }
    }

    #[test]
    fn a_quoted_reported_threat_is_marked_so() {
        let k = keys("新闻：某公司催收员扬言\"抓你坐牢\"被判刑");
        assert!(k.contains(&"m:T-quoted"), "{k:?}");
        assert!(k.contains(&"m:T-reported"), "{k:?}");
        assert!(k.contains(&"m:third"), "{k:?}");
        let k = keys("三天不还直接抓你坐牢");
        assert!(k.contains(&"m:T5") && k.contains(&"m:T-you"), "{k:?}");
        assert!(!k.contains(&"m:T-quoted") && !k.contains(&"m:T-reported"), "{k:?}");
    }

    #[test]
    fn message_shape_features() {
        assert!(keys("hello there").contains(&"m:no-han"));
        assert!(keys("您好").contains(&"m:len-1"));
        assert!(keys("催收员说要爆我通讯录，这合法吗？").contains(&"m:complaint"));
    }

    #[test]
    fn co_occurrences_of_debt_with_audience_and_places() {
        let k = keys("你欠款的事我们已经告知你们单位的同事了");
        assert!(k.contains(&"m:tell-done"), "{k:?}");
        let k = keys("再不还款，明天你全公司同事都会知道");
        assert!(k.contains(&"m:tell-if"), "{k:?}");
        assert!(keys("你女儿在实验小学吧，欠款的事你看着办").contains(&"m:watch"));
        // The same words without a debt, or in a complaint about collection, say nothing.
        assert!(!keys("我已经告诉同事明天聚餐了").contains(&"m:tell-done"));
        assert!(!keys("催收员把我逾期的事告诉了同事，我要投诉").contains(&"m:tell-done"));
        // A threat cue beside a demand to pay now, whatever else the message says.
        assert!(keys("那些被催收打进医院的新闻看过吧？今天就还。").contains(&"m:T-demand"));
        assert!(!keys("那些被催收打进医院的新闻看过吧？").contains(&"m:T-demand"));
    }
}
