//! Negation words and clause punctuation: one definition for the tokenizer's negation
//! scope and the cue guards, so a word that negates a cue also scopes the features.

/// Words that negate what follows them in the same clause: they open the tokenizer's
/// negation scope ("我们不会联系您的家人" keys 联系 as `n:联系`) and guard a cue just
/// after them.
pub const NEGATORS: [&str; 27] = [
    "不会",
    "绝不",
    "绝不会",
    "决不",
    "从不",
    "从未",
    "不得",
    "严禁",
    "禁止",
    "不准",
    "不允许",
    "不再",
    "不应",
    "杜绝",
    "避免",
    "防止",
    "拒绝",
    "反对",
    "不可能",
    "并未",
    "未曾",
    "不曾",
    "没有",
    "不存在",
    "无权",
    "切勿",
    "请勿",
];

/// Whether `c` ends a sentence: a describing sentence (如受到威胁请投诉) and a gap
/// pattern's gap stop there.
pub fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | '!' | '！' | '?' | '？' | ';' | '；' | '\n')
}

/// Whether `c` ends a clause (every sentence end, commas, colons and the ASCII full stop): a negation
/// reaches no further, in the tokenizer's scope and in the cue guard alike.
pub fn is_clause_end(c: char) -> bool {
    is_sentence_end(c) || matches!(c, ',' | '，' | '、' | ':' | '：' | '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negators_are_distinct_and_short() {
        let mut seen = std::collections::HashSet::new();
        for w in NEGATORS {
            assert!(seen.insert(w), "{w} listed twice");
            assert!((1..=3).contains(&w.chars().count()), "{w}");
        }
    }

    #[test]
    fn every_sentence_end_ends_a_clause() {
        for c in ['。', '!', '！', '?', '？', ';', '；', '\n'] {
            assert!(is_sentence_end(c) && is_clause_end(c), "{c:?}");
        }
        for c in [',', '，', '、', ':', '：', '.'] {
            assert!(is_clause_end(c) && !is_sentence_end(c), "{c:?}");
        }
        assert!(!is_clause_end('还') && !is_clause_end(' '));
    }
}
