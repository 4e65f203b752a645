//! Disguise-proof normalisation with an offset map back to the original text.
//!
//! The pipeline is a chain of small steps over `Ch` (a character plus the byte range of
//! the original text it came from). Each step is a plain function, testable alone; the
//! map survives every step, so a span found on the normalised text points back at the
//! exact original characters.

mod fast;

pub(crate) use fast::is_common_cjk_punct;
use fast::*;
use std::ops::Range;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// One normalised character and the original byte range it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ch {
    /// The normalised character.
    pub c: char,
    /// First original byte.
    pub start: u32,
    /// End of the original bytes.
    pub end: u32,
}

/// A stretch of the original text: `start..end` in characters, `byte_start..byte_end` in
/// bytes, end exclusive; `text` is the original's slice at that span.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    /// The original text of the span.
    pub text: String,
    /// First character.
    pub start: usize,
    /// End character (exclusive).
    pub end: usize,
    /// First byte.
    pub byte_start: usize,
    /// End byte (exclusive).
    pub byte_end: usize,
}

impl Span {
    /// The span moved by `chars` characters and `bytes` bytes: from a part of a text to
    /// the whole.
    pub(crate) fn shift(&mut self, chars: usize, bytes: usize) {
        self.start += chars;
        self.end += chars;
        self.byte_start += bytes;
        self.byte_end += bytes;
    }
}

/// The text the tokenizer and the cue matcher see, and where each of its characters
/// came from in the original.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    /// The normalised text.
    pub text: String,
    /// The characters of `text`, decoded once for the stages that walk them.
    chars: Vec<char>,
    spans: Vec<(u32, u32)>,
}

impl Normalized {
    /// The characters of the normalised text; char indices elsewhere index this.
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// Number of characters in the normalised text.
    pub fn len_chars(&self) -> usize {
        self.spans.len()
    }

    /// True when the normalised text is empty.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The original text covered by normalised characters `chars` (char indices).
    pub fn span(&self, original: &str, chars: Range<usize>) -> Span {
        let bytes = self.original_bytes(chars.start, chars.end);
        let text = original.get(bytes.clone()).unwrap_or_default().to_string();
        let start = original[..bytes.start].chars().count();
        Span { end: start + text.chars().count(), text, start, byte_start: bytes.start, byte_end: bytes.end }
    }

    /// Blanks the characters in `ranges` (char indices) with spaces, each keeping its place
    /// in the original, so that the stages after see nothing there.
    pub(crate) fn mask(&mut self, ranges: &[(usize, usize)]) {
        let n = self.chars.len();
        for &(s, e) in ranges {
            self.chars[s.min(n)..e.min(n)].iter_mut().for_each(|c| *c = ' ');
        }
        self.text.clear();
        self.text.extend(self.chars.iter());
    }

    /// Original byte range covered by normalised characters `start..end` (char indices).
    pub fn original_bytes(&self, start: usize, end: usize) -> Range<usize> {
        let slice = &self.spans[start.min(self.spans.len())..end.min(self.spans.len())];
        let lo = slice.iter().map(|s| s.0).min().unwrap_or(0);
        let hi = slice.iter().map(|s| s.1).max().unwrap_or(lo);
        lo as usize..hi as usize
    }
}

/// Runs every step in order: width folding (NFKC) and lowercase, traditional to
/// simplified, pinyin annotations out, separators between Han characters out (emoji moved
/// to the end), repeated characters squeezed.
pub fn normalize(original: &str) -> Normalized {
    let mut out = Normalized::default();
    normalize_into(original, &mut out);
    out
}

/// [`normalize`] into `out`, reusing its buffers.
pub(crate) fn normalize_into(original: &str, out: &mut Normalized) {
    if !plain_into(original, out) {
        *out = normalize_general(original);
    }
}

/// The messages [`plain_into`] cannot take (about one in twenty): kept out of line, so the
/// one-pass path stays small.
#[inline(never)]
fn normalize_general(original: &str) -> Normalized {
    let chars = fold_simple(original).unwrap_or_else(|| to_simplified(lowercase_ascii(fold_width(original))));
    remove_noise(chars)
}

/// The step-by-step pipeline; [`normalize`] takes shortcuts when it can.
#[cfg(any(test, feature = "testing"))]
pub fn normalize_stepwise(original: &str) -> Normalized {
    let chars = fold_width(original);
    let chars = lowercase_ascii(chars);
    let chars = to_simplified(chars);
    remove_noise(chars)
}

/// The steps that drop or squeeze characters, then the result.
fn remove_noise(chars: Vec<Ch>) -> Normalized {
    let chars = strip_pinyin(chars);
    let chars = drop_separators(chars);
    let chars = squeeze_repeats(chars);
    let mut text = String::with_capacity(chars.len() * 3);
    let spans = chars.iter().map(|ch| (ch.start, ch.end)).collect();
    let chars: Vec<char> = chars.iter().map(|ch| ch.c).collect();
    text.extend(&chars);
    Normalized { text, chars, spans }
}

#[inline]
pub(crate) fn is_han(c: char) -> bool {
    // The main block first: nearly every Han character of a message is in it.
    (0x4E00..=0x9FFF).contains(&(c as u32))
        || matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F)
}

/// Pictographs and symbols that senders use as words (🔪, ⚠) or as noise.
pub(crate) fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x203C | 0x2049 | 0x2190..=0x21FF
        | 0x2300..=0x23FF | 0x25A0..=0x25FF | 0x3030 | 0x303D | 0x3297 | 0x3299)
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{FE0E}' | '\u{FE0F}' | '\u{034F}'
    )
}

/// Circled and negative-circled digits that NFKC leaves alone.
fn fold_digit(c: char) -> Option<char> {
    let n = c as u32;
    let d = match n {
        0x2776..=0x277E => n - 0x2776 + 1, // ❶..❾
        0x2780..=0x2788 => n - 0x2780 + 1, // ➀..➈
        0x278A..=0x2792 => n - 0x278A + 1, // ➊..➒
        0x24F5..=0x24FD => n - 0x24F5 + 1, // ⓵..⓽
        0x24FF => 0,
        _ => return None,
    };
    char::from_digit(d, 10)
}

/// NFKC per grapheme-ish cluster (a base character and its combining marks), so width
/// forms, circled digits and compatibility characters fold; invisible characters go and
/// control characters become spaces. Emoji are kept as they are.
pub(crate) fn fold_width(original: &str) -> Vec<Ch> {
    let mut out = Vec::with_capacity(original.len() / 2 + 1);
    let mut iter = original.char_indices().peekable();
    let mut cluster = String::new();
    while let Some((start, c)) = iter.next() {
        let mut end = start + c.len_utf8();
        if is_invisible(c) {
            continue;
        }
        if c.is_control() {
            out.push(Ch { c: ' ', start: start as u32, end: end as u32 });
            continue;
        }
        let n = c as u32;
        let next_combines = iter.peek().is_some_and(|&(_, m)| {
            // Most neighbours are ASCII, Han or full-width forms: none combine.
            let m32 = m as u32;
            !(m.is_ascii() || (0x4E00..=0x9FFF).contains(&m32) || (0xFF00..=0xFFEF).contains(&m32))
                && is_combining_mark(m)
        });
        // Fast paths: ASCII, CJK unified ideographs and full-width ASCII need no NFKC.
        if c.is_ascii() || ((0x4E00..=0x9FFF).contains(&n) && !next_combines) {
            out.push(Ch { c, start: start as u32, end: end as u32 });
            continue;
        }
        if (0xFF01..=0xFF5E).contains(&n) && !next_combines {
            let folded = char::from_u32(n - 0xFEE0).unwrap_or(c);
            out.push(Ch { c: folded, start: start as u32, end: end as u32 });
            continue;
        }
        if let Some(d) = fold_digit(c) {
            out.push(Ch { c: d, start: start as u32, end: end as u32 });
            continue;
        }
        if is_emoji(c) {
            out.push(Ch { c, start: start as u32, end: end as u32 });
            continue;
        }
        cluster.clear();
        cluster.push(c);
        while let Some(&(i, m)) = iter.peek() {
            if is_combining_mark(m) {
                cluster.push(m);
                end = i + m.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        for n in cluster.nfkc() {
            if is_invisible(n) {
                continue;
            }
            let n = if n.is_control() { ' ' } else { n };
            out.push(Ch { c: n, start: start as u32, end: end as u32 });
        }
    }
    out
}

pub(crate) fn lowercase_ascii(mut chars: Vec<Ch>) -> Vec<Ch> {
    for ch in &mut chars {
        ch.c = ch.c.to_ascii_lowercase();
    }
    chars
}

/// Traditional to simplified with fast2s, which maps one character to one character
/// (looking at its neighbours), so the offset map is untouched.
pub(crate) fn to_simplified(mut chars: Vec<Ch>) -> Vec<Ch> {
    if !chars.iter().any(|ch| may_be_traditional(ch.c)) {
        return chars;
    }
    let s: String = chars.iter().map(|ch| ch.c).collect();
    let converted = fast2s::convert(&s);
    if converted.chars().count() == chars.len() {
        for (ch, c) in chars.iter_mut().zip(converted.chars()) {
            ch.c = c;
        }
    }
    chars
}

/// Whether fast2s could change `c`. Most messages are already simplified and skip the
/// conversion. The set is fast2s's table (every BMP character it converts on its own) plus
/// the few it converts only next to certain neighbours; a unit test checks it against
/// fast2s itself.
pub(crate) fn may_be_traditional(c: char) -> bool {
    let n = c as usize;
    n < 0x10000 && traditional_set()[n / 64] & (1 << (n % 64)) != 0
}

/// [`may_be_traditional`] as a bit set over the BMP.
fn traditional_set() -> &'static [u64] {
    static SET: OnceLock<Vec<u64>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut bits = vec![0u64; 1024];
        for c in TRADITIONAL.chars() {
            bits[c as usize / 64] |= 1 << (c as usize % 64);
        }
        bits
    })
}

/// The characters fast2s may convert (see [`may_be_traditional`]).
const TRADITIONAL: &str = include_str!("traditional.txt");

fn is_tone_vowel(c: char) -> bool {
    "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ".contains(c)
}

/// Length of a pinyin annotation `(mén)` starting at `i` (at the `(`), or 0.
fn pinyin_annotation_len(chars: &[Ch], i: usize) -> usize {
    if chars.get(i).map(|c| c.c) != Some('(') {
        return 0;
    }
    let mut j = i + 1;
    let mut letters = 0;
    let mut toned = false;
    let mut vowel = false;
    while j < chars.len() && j - i <= 14 {
        let c = chars[j].c;
        if c == ')' {
            let plain_ok = letters > 0 && letters <= 6 && vowel;
            return if toned || plain_ok { j - i + 1 } else { 0 };
        }
        if is_tone_vowel(c) {
            toned = true;
            vowel = true;
            letters += 1;
        } else if c.is_ascii_lowercase() {
            vowel |= "aeiouv".contains(c);
            letters += 1;
        } else if !(c == ' ' || c == '\'' || ('1'..='5').contains(&c)) {
            return 0;
        }
        j += 1;
    }
    0
}

/// Removes pinyin annotations that follow a Han character, as scraped pages carry them:
/// `上門(mén)` becomes `上門`.
pub(crate) fn strip_pinyin(mut chars: Vec<Ch>) -> Vec<Ch> {
    if !chars.iter().any(|ch| ch.c == '(') {
        return chars;
    }
    let mut w = 0;
    let mut i = 0;
    while i < chars.len() {
        if w > 0 && is_han(chars[w - 1].c) {
            let n = pinyin_annotation_len(&chars, i);
            if n > 0 {
                i += n;
                continue;
            }
        }
        chars[w] = chars[i];
        w += 1;
        i += 1;
    }
    chars.truncate(w);
    chars
}

fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '*' | '.'
                | '_'
                | '-'
                | '~'
                | '|'
                | '丨'
                | '·'
                | '•'
                | '・'
                | '`'
                | '\''
                | '"'
                | '^'
                | '+'
                | '='
                | '#'
                | '/'
                | '\\'
                | '@'
                | '$'
                | '%'
                | '&'
                | '∙'
                | '⋅'
                | '°'
                | '¦'
                | '‖'
                | '＿'
        )
}

/// Drops runs of separators and emoji that sit between two Han characters (`老 赖`,
/// `还*钱`, `朋👉友`). Emoji in such runs are moved to the end of the text, after a
/// space, so they still count as tokens and their spans still point at the original.
pub(crate) fn drop_separators(mut chars: Vec<Ch>) -> Vec<Ch> {
    let mut moved: Vec<Ch> = Vec::new();
    let mut w = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].c;
        let maybe_noise = c == '丨' || (!is_han(c) && (is_separator(c) || is_emoji(c)));
        if maybe_noise && w > 0 && is_han(chars[w - 1].c) && chars[w - 1].c != '丨' {
            let mut j = i;
            while j < chars.len() && (is_separator(chars[j].c) || is_emoji(chars[j].c)) {
                j += 1;
            }
            if j < chars.len() && is_han(chars[j].c) && chars[j].c != '丨' {
                moved.extend(chars[i..j].iter().filter(|ch| is_emoji(ch.c)));
                i = j;
                continue;
            }
        }
        chars[w] = chars[i];
        w += 1;
        i += 1;
    }
    chars.truncate(w);
    if !moved.is_empty() {
        let at = chars.last().map_or(0, |c| c.end);
        chars.push(Ch { c: ' ', start: at, end: at });
        chars.extend(moved);
    }
    chars
}

/// Squeezes a run of three or more of the same character to two (`滚滚滚滚` → `滚滚`).
/// Digits are never squeezed: amounts must stay as they are.
pub(crate) fn squeeze_repeats(mut chars: Vec<Ch>) -> Vec<Ch> {
    let mut w = 0;
    for i in 0..chars.len() {
        let ch = chars[i];
        if w >= 2 && !ch.c.is_ascii_digit() && chars[w - 1].c == ch.c && chars[w - 2].c == ch.c {
            chars[w - 1].end = ch.end;
            continue;
        }
        chars[w] = ch;
        w += 1;
    }
    chars.truncate(w);
    chars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(original: &str) -> Option<Normalized> {
        let mut n = Normalized::default();
        plain_into(original, &mut n).then_some(n)
    }

    fn text(chars: &[Ch]) -> String {
        chars.iter().map(|c| c.c).collect()
    }

    #[test]
    fn width_folding_and_digits() {
        assert_eq!(text(&fold_width("ＡＰＰ１２３，")), "APP123,");
        assert_eq!(text(&fold_width("①②❸")), "123");
        assert_eq!(text(&fold_width("a\u{200B}b\u{0}c")), "ab c");
    }

    #[test]
    fn emoji_kept_through_folding() {
        assert_eq!(text(&fold_width("🔪‼")), "🔪‼");
    }

    #[test]
    fn lowercase_only_ascii() {
        assert_eq!(text(&lowercase_ascii(fold_width("NMSL ÄB"))), "nmsl Äb");
    }

    #[test]
    fn traditional_to_simplified() {
        assert_eq!(text(&to_simplified(fold_width("還錢老賴"))), "还钱老赖");
        assert_eq!(text(&to_simplified(fold_width("abc"))), "abc");
    }

    /// Every BMP character fast2s converts on its own, plus the context-only ones.
    fn fast2s_changes() -> String {
        let candidates: Vec<char> = (0x80u32..=0xFFFF).filter_map(char::from_u32).collect();
        let spaced: String = candidates.iter().flat_map(|&c| [c, ' ']).collect();
        let converted = fast2s::convert(&spaced);
        let mut set: Vec<char> = candidates
            .iter()
            .zip(converted.chars().step_by(2))
            .filter(|(c, d)| c != &d)
            .map(|(c, _)| *c)
            .collect();
        set.extend(['藉', '著', '苧', '闔', '鍾', '讎', '畫']);
        set.sort();
        set.dedup();
        set.into_iter().collect()
    }

    #[test]
    fn traditional_set_matches_fast2s() {
        let mut listed: Vec<char> = TRADITIONAL.chars().filter(|c| !c.is_whitespace()).collect();
        listed.sort();
        listed.dedup();
        assert_eq!(
            listed.into_iter().collect::<String>(),
            fast2s_changes(),
            "regenerate src/traditional.txt"
        );
    }

    #[test]
    fn traditional_set_covers_the_table_and_context_cases() {
        for c in ['還', '錢', '賴', '門', '著', '藉', '乾'] {
            assert!(may_be_traditional(c), "{c}");
        }
        for c in ['还', '钱', '你', 'a', '，', '🔪'] {
            assert!(!may_be_traditional(c), "{c}");
        }
        assert_eq!(text(&to_simplified(fold_width("看著"))), "看着");
    }

    #[test]
    fn pinyin_annotations_removed_only_after_han() {
        assert_eq!(text(&strip_pinyin(fold_width("上門(mén)催收"))), "上門催收");
        assert_eq!(text(&strip_pinyin(fold_width("已(yi3)到"))), "已到");
        assert_eq!(text(&strip_pinyin(fold_width("APP(mén)"))), "APP(mén)");
        assert_eq!(text(&strip_pinyin(fold_width("金额(3000元)"))), "金额(3000元)");
    }

    #[test]
    fn separators_between_han_removed() {
        assert_eq!(text(&drop_separators(fold_width("老 赖 还*钱 老_赖"))), "老赖还钱老赖");
        assert_eq!(text(&drop_separators(fold_width("你丨在"))), "你在");
        // Between non-Han characters separators stay.
        assert_eq!(text(&drop_separators(fold_width("3-2-1108 a b"))), "3-2-1108 a b");
    }

    #[test]
    fn emoji_between_han_moved_to_end() {
        let chars = drop_separators(fold_width("朋👉友圈"));
        assert_eq!(text(&chars), "朋友圈 👉");
        assert_eq!((chars[4].start, chars[4].end), (3, 7));
    }

    #[test]
    fn repeats_squeezed_but_not_digits() {
        assert_eq!(text(&squeeze_repeats(fold_width("滚滚滚滚！！！10000"))), "滚滚!!10000");
        assert_eq!(text(&squeeze_repeats(fold_width("谢谢"))), "谢谢");
    }

    #[test]
    fn shortcut_equals_the_stepwise_pipeline() {
        for s in [
            "您本期账单3021.66元，最后还款日12月5日。",
            "【有钱花】APP内查看“我的账单”",
            "ＡＰＰ内查看",
            "你好 我是",
            "还还还钱",
            "老 赖",
            "上門(mén)",
            "3-2-1108",
            "",
            "执行号(2024)粤0106执1523号",
            "小周 照片都准备好了,就看你\t还要不要脸面！！！",
            "已读不回是吧。。。。我继续 ~ 刷屏~~~",
            "还 钱(huán qián)ＡＢ\u{1}",
            "还 (huan)钱 ( men )",
            "滚 滚 滚 滚！！！ ok...",
            "号(2024)和(men)还 ",
            " 老 赖 ",
            "赖 😊 赖",
            "赖 丨赖 還",
        ] {
            assert_eq!(normalize(s), normalize_stepwise(s), "{s}");
        }
        assert!(plain("您本期账单已出，请按时还款。").is_some());
        assert!(plain("你好 我是").is_some() && plain("你好\t我是").is_none());
        assert!(fold_simple("你好 我是\t(2024)！！！").is_some());
        assert!(fold_simple("還錢").is_none() && fold_simple("你好😊").is_none());
        assert!(plain("還錢").is_none());
        assert_eq!(plain("老 * 赖赖赖赖").map(|n| n.text), Some("老赖赖".to_string()));
        assert!(plain("上门(mén)").is_none() && plain("上门(men)").is_none() && plain("号(2024)").is_some());
    }

    #[test]
    fn full_pipeline_on_annotated_traditional() {
        assert_eq!(normalize("上門(mén)催收嚴(yán)重嗎").text, "上门催收严重吗");
        assert_eq!(normalize("還 錢").text, "还钱");
    }

    #[test]
    fn offsets_point_into_original() {
        let original = "還 錢ＡＢ";
        let n = normalize(original);
        assert_eq!(n.text, "还钱ab");
        assert_eq!(&original[n.original_bytes(0, 2)], "還 錢");
        assert_eq!(&original[n.original_bytes(2, 4)], "ＡＢ");
    }
}
