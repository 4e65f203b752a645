//! Whether a message to someone other than the debtor discloses the debt or presses for
//! payment. Asking a contact to pass on a neutral request (请他回电) is allowed; naming
//! the debt, its amount, or asking them to make the debtor pay is not.

use crate::normalize;
use std::fmt;

/// Words that tell the reader there is a debt (on normalised, simplified text).
const DEBT_WORDS: &[&str] = &[
    "逾期", "欠款", "欠钱", "欠债", "欠费", "欠我", "拖欠", "借款", "贷款", "网贷", "借钱", "债务", "账单",
    "本金", "利息", "罚息", "违约", "催收", "老赖", "失信", "起诉", "诉讼", "还款", "结清", "分期",
];

/// Words that ask the reader to get the debtor to pay, or to pay for them.
const PRESS_WORDS: &[&str] = &[
    "还钱",
    "还清",
    "还上",
    "尽快还",
    "让他还",
    "让她还",
    "叫他还",
    "叫她还",
    "督促",
    "催促",
    "催他",
    "催她",
    "替他还",
    "替她还",
    "帮他还",
    "帮她还",
    "代还",
    "代偿",
    "尽快处理",
];

/// Currency signs and units after (or before) an amount.
const UNITS: &[&str] = &["元", "块", "万", "rmb", "cny", "$", "usd"];

/// What a message tells a third party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disclosure {
    /// It names the debt (the word as written, normalised).
    Debt(String),
    /// It names an amount.
    Amount(String),
    /// It asks the reader to make the debtor pay.
    Presses(String),
}

impl fmt::Display for Disclosure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Disclosure::Debt(w) => write!(f, "discloses the debt ({w})"),
            Disclosure::Amount(w) => write!(f, "discloses an amount ({w})"),
            Disclosure::Presses(w) => write!(f, "presses for payment ({w})"),
        }
    }
}

/// What `text` discloses, if anything: pressing first, then the debt, then an amount.
pub fn disclosure(text: &str) -> Option<Disclosure> {
    let norm = normalize::normalize(text);
    let t = norm.text.as_str();
    if let Some(w) = PRESS_WORDS.iter().find(|w| t.contains(*w)) {
        return Some(Disclosure::Presses(w.to_string()));
    }
    if let Some(w) = DEBT_WORDS.iter().find(|w| t.contains(*w)) {
        return Some(Disclosure::Debt(w.to_string()));
    }
    amount(t).map(Disclosure::Amount)
}

/// A run of digits next to a currency unit or sign: `3021.66元`, `¥500`, `2万`.
fn amount(t: &str) -> Option<String> {
    let chars: Vec<char> = t.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || matches!(chars[i], '.' | ',')) {
            i += 1;
        }
        let digits: String = chars[start..i].iter().collect();
        let rest: String = chars[i..].iter().take(3).collect();
        if let Some(u) = UNITS.iter().find(|u| rest.trim_start().starts_with(*u)) {
            return Some(format!("{digits}{u}"));
        }
        if start > 0 && matches!(chars[start - 1], '¥' | '￥' | '$') {
            return Some(format!("{}{digits}", chars[start - 1]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debt_amounts_and_pressing_are_disclosures() {
        assert!(matches!(disclosure("您朋友张三欠款逾期，请转告"), Some(Disclosure::Debt(_))));
        assert!(matches!(disclosure("你同事在我司的借款已經逾期"), Some(Disclosure::Debt(_))));
        assert!(matches!(disclosure("请转告他尽快还钱"), Some(Disclosure::Presses(_))));
        assert!(matches!(disclosure("他还有3021.66元没处理"), Some(Disclosure::Amount(_))));
        assert!(matches!(disclosure("共计￥500"), Some(Disclosure::Amount(_))));
    }

    #[test]
    fn a_callback_request_is_not() {
        for t in [
            "您好，麻烦转告张三给我们回个电话，谢谢",
            "请让李四方便时回电 4008001234",
            "有件事想和他确认一下，请他回电",
        ] {
            assert_eq!(disclosure(t), None, "{t}");
        }
    }
}
