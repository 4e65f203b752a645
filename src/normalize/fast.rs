//! The one-pass path for plain messages (simplified Han, ASCII, common CJK punctuation):
//! the same result as the stepwise pipeline, checked against it by tests and the fuzzer,
//! without building the intermediate vectors.

use super::*;

/// How [`plain_into`] maps one character: the folded character and whether it is Han, or
/// `None` when the character needs the full pipeline (NFKC tables, traditional forms,
/// emoji, control characters).
pub(super) fn plain_char(c: char, traditional: &[u64]) -> Option<(char, bool)> {
    let mut buf = [0; 4];
    plain_at(c.encode_utf8(&mut buf).as_bytes(), 0, traditional).map(|(m, _, han, _)| (m, han))
}

/// The CJK punctuation most messages use (、。〃〈〉《》「」『』【】 ‘’ “” —), which
/// normalisation leaves as it is: known without a Unicode table lookup.
pub(crate) fn is_common_cjk_punct(c: char) -> bool {
    is_common_cjk_punct_u32(c as u32)
}

#[inline(always)]
pub(super) fn is_common_cjk_punct_u32(c: u32) -> bool {
    matches!(c, 0x3001..=0x3003 | 0x3008..=0x3011 | 0x2018 | 0x2019 | 0x201C | 0x201D | 0x2014)
}

/// One pass for the common message: simplified Han, ASCII, full-width ASCII and common
/// CJK punctuation. It does what the steps would do to such text (separators between Han
/// characters dropped, repeats squeezed) and returns `None` for anything else the steps
/// could change (pinyin annotations, emoji, traditional characters, NFKC forms): then it
/// returns false, leaving `out` to be overwritten.
pub(super) fn plain_into(original: &str, out: &mut Normalized) -> bool {
    let traditional = traditional_set();
    let Normalized { text, chars, spans } = out;
    chars.clear();
    spans.clear();
    chars.reserve(original.len() / 2 + 1);
    spans.reserve(original.len() / 2 + 1);
    text.clear();
    text.reserve(original.len());
    let b = original.as_bytes();
    let (mut p, mut pp, mut p_han) = ('\0', '\0', false);
    // The text is copied from the original in runs of characters that map to themselves.
    let (mut i, mut run) = (0, 0);
    while i < b.len() {
        // A run of simplified Han characters, most of a message, in a loop of its own:
        // they map to themselves and only repeats need a look.
        while i + 2 < b.len() && (0xE4..=0xE9).contains(&b[i]) {
            let n = ((b[i] as u32 & 0x0F) << 12) | ((b[i + 1] as u32 & 0x3F) << 6) | (b[i + 2] as u32 & 0x3F);
            if !is_plain_han(n, traditional) {
                break;
            }
            let Some(c) = char::from_u32(n) else { break };
            if c == p && p == pp {
                // A third repeat: the kept second one stands for it.
                text.push_str(&original[run..i]);
                run = i + 3;
                if let Some(last) = spans.last_mut() {
                    last.1 = run as u32;
                }
            } else {
                chars.push(c);
                spans.push((i as u32, i as u32 + 3));
                (pp, p, p_han) = (p, c, true);
            }
            i += 3;
        }
        if i >= b.len() {
            break;
        }
        let Some((c, len, han, same)) = plain_at(b, i, traditional) else { return false };
        let end = i + len;
        if p_han && !han {
            if is_separator(c) {
                match separators_before_han(original, end, traditional) {
                    None => return false,
                    Some(Some(j)) => {
                        text.push_str(&original[run..i]);
                        (run, i) = (j, j);
                        continue;
                    }
                    Some(None) => {}
                }
            } else if c == '(' && pinyin_follows(original, i, traditional) {
                return false;
            }
        }
        if c == p && p == pp && !c.is_ascii_digit() {
            // A third repeat: the kept second one stands for it.
            text.push_str(&original[run..i]);
            (run, i) = (end, end);
            if let Some(last) = spans.last_mut() {
                last.1 = end as u32;
            }
            continue;
        }
        if !same {
            text.push_str(&original[run..i]);
            text.push(c);
            run = end;
        }
        chars.push(c);
        spans.push((i as u32, end as u32));
        (pp, p, p_han) = (p, c, han);
        i = end;
    }
    text.push_str(&original[run..]);
    true
}

/// [`plain_char`] of the character at byte `i` of `b` (valid UTF-8, a char boundary), with
/// its length and whether it maps to itself: every character it takes is ASCII or three
/// bytes long.
#[inline(always)]
pub(super) fn plain_at(b: &[u8], i: usize, traditional: &[u64]) -> Option<(char, usize, bool, bool)> {
    let x = b[i];
    if x < 0x80 {
        let lower = x.to_ascii_lowercase();
        return (x >= 0x20 && x != 0x7F).then_some((lower as char, 1, false, lower == x));
    }
    if x & 0xF0 != 0xE0 || i + 2 >= b.len() {
        return None;
    }
    let n = ((x as u32 & 0x0F) << 12) | ((b[i + 1] as u32 & 0x3F) << 6) | (b[i + 2] as u32 & 0x3F);
    let (mapped, han, same) = if is_plain_han(n, traditional) {
        (n, true, true)
    } else if (0x4E00..=0x9FFF).contains(&n) {
        return None;
    } else if (0xFF01..=0xFF5E).contains(&n) {
        (((n - 0xFEE0) as u8).to_ascii_lowercase() as u32, false, false)
    } else if is_common_cjk_punct_u32(n) {
        (n, false, true)
    } else {
        return None;
    };
    // A decoded three-byte scalar or ASCII: never a surrogate.
    Some((char::from_u32(mapped)?, 3, han, same))
}

/// A simplified character of the main CJK block that normalisation keeps as it is (`丨`
/// is a separator in disguise).
#[inline(always)]
pub(super) fn is_plain_han(n: u32, traditional: &[u64]) -> bool {
    (0x4E00..=0x9FFF).contains(&n) && n != '丨' as u32 && traditional[n as usize / 64] & (1 << (n % 64)) == 0
}

/// After a separator that follows a Han character (ending at byte `from`): where the run
/// of separators ends if a Han character comes next (the run is dropped), `Some(None)` if
/// something else comes next (the run stays), `None` if the full pipeline must decide.
pub(super) fn separators_before_han(
    original: &str,
    from: usize,
    traditional: &[u64],
) -> Option<Option<usize>> {
    let mut j = from;
    while let Some(d) = original[j..].chars().next() {
        let (m, h) = plain_char(d, traditional)?;
        if h {
            return Some(Some(j));
        }
        if !is_separator(m) {
            break;
        }
        j += d.len_utf8();
    }
    Some(None)
}

/// Whether the `(` at byte `at` may open a pinyin annotation (then the full pipeline
/// decides); text the quick mapping cannot read counts as maybe.
pub(super) fn pinyin_follows(original: &str, at: usize, traditional: &[u64]) -> bool {
    let mut chars = Vec::with_capacity(16);
    for (k, c) in original[at..].char_indices().take(16) {
        match plain_char(c, traditional) {
            Some((m, _)) => chars.push(Ch { c: m, start: k as u32, end: k as u32 }),
            None => return true,
        }
    }
    pinyin_annotation_len(&chars, 0) > 0
}

/// The first three steps (width folding, lowercase, traditional to simplified) for a
/// message whose characters each map to one character without NFKC tables: the
/// characters [`plain_into`] takes, plus control characters (which become spaces) and `丨`.
/// Messages with tabs or a possible pinyin annotation come this way.
pub(super) fn fold_simple(original: &str) -> Option<Vec<Ch>> {
    let traditional = traditional_set();
    let mut out = Vec::with_capacity(original.len() / 2 + 1);
    for (i, c) in original.char_indices() {
        let mapped = match c {
            '丨' => c,
            c if c.is_ascii_control() => ' ',
            c => plain_char(c, traditional)?.0,
        };
        out.push(Ch { c: mapped, start: i as u32, end: (i + c.len_utf8()) as u32 });
    }
    Some(out)
}
