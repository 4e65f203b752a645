//! Telling the encoding of a sample by evidence: a BOM; UTF-16 without one by where its
//! NUL bytes fall; binary data; UTF-8 by its well-formed wide sequences against its
//! damaged spots; GB18030 by how much of the sample reads as common Chinese characters.

use encoding_rs::{Encoding as EncodingRs, GB18030, UTF_8, UTF_16BE, UTF_16LE};

/// What a sample is: text in an encoding, or not text (and what it seems to be).
pub(super) fn sniff(sample: &[u8], complete: bool) -> Result<&'static EncodingRs, &'static str> {
    if let Some((e, _)) = EncodingRs::for_bom(sample) {
        return Ok(e);
    }
    if let Some(kind) = signature(sample) {
        return Err(kind);
    }
    if let Some(e) = utf16_without_bom(sample) {
        return Ok(e);
    }
    let valid_utf8 = simdutf8::basic::from_utf8(sample).is_ok();
    if !valid_utf8
        && let Some(e) = utf16_by_high_bytes(sample)
        && reads_as_chinese(e, sample)
    {
        return Ok(e);
    }
    // A stray NUL in a line is kept as text; a sample of some size that is one part in
    // twenty NUL is not text.
    let nuls = memchr::memchr_iter(0, sample).count();
    if sample.len() >= 64 && nuls * 20 >= sample.len() {
        return Err("binary data (NUL bytes)");
    }
    if valid_utf8 {
        return Ok(UTF_8);
    }
    let utf8 = Utf8Evidence::of(sample, complete);
    if utf8.wide >= 3 * utf8.spots {
        return Ok(UTF_8);
    }
    // Damage outweighs the UTF-8 evidence (a short input): the reading with more common
    // Chinese characters wins; UTF-8 on a tie if any wide sequence is well formed.
    let (_, as_gb) = gb_common(sample);
    let (_, as_utf8) = common_when_read_as(UTF_8, sample);
    if as_utf8 > as_gb || (as_utf8 == as_gb && utf8.wide > 0) { Ok(UTF_8) } else { Ok(GB18030) }
}

/// A known file signature.
fn signature(sample: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "a ZIP archive (an .xlsx or .ods workbook? `score` reads those)"),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an OLE file (an .xls workbook? `score` reads those)"),
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"\x1F\x8B", "a gzip file"),
    ];
    SIGNATURES.iter().find(|(sig, _)| sample.starts_with(sig)).map(|&(_, kind)| kind)
}

/// UTF-16 without a BOM (or with a damaged one): the high bytes of ASCII characters are
/// NUL, so three in four NULs or more fall on one side of the code units (the other side
/// has those of CJK characters such as 一 U+4E00); there are enough of them (one byte in
/// 256: line breaks alone give more) and a line break is among them. Text with a few
/// stray NULs, and binary data, has them on both sides or too few.
fn utf16_without_bom(sample: &[u8]) -> Option<&'static EncodingRs> {
    let units = sample.len() / 2;
    let (mut even, mut odd, mut lf_le, mut lf_be) = (0usize, 0usize, 0usize, 0usize);
    for pair in sample[..units * 2].chunks_exact(2) {
        match pair {
            [0, 0] => {}
            [b, 0] => {
                odd += 1;
                lf_le += usize::from(*b == b'\n');
            }
            [0, b] => {
                even += 1;
                lf_be += usize::from(*b == b'\n');
            }
            _ => {}
        }
    }
    let enough = |n: usize| n >= 2 && n * 256 >= sample.len();
    if lf_le > 0 && enough(odd) && odd >= 3 * even {
        return Some(UTF_16LE);
    }
    if lf_be > 0 && enough(even) && even >= 3 * odd {
        return Some(UTF_16BE);
    }
    None
}

/// UTF-16 Chinese text without a BOM and with few NULs: the high bytes of its code units
/// are those of CJK characters (4E–9F), their punctuation (20, 30, FF), surrogates
/// (D8–DF) or NUL in at least 85% of the units, and at most 70% on the other side (on the
/// corpus, one message in 10,000 in GB18030 or UTF-8 does this). Asked only of a sample
/// that is not valid UTF-8.
fn utf16_by_high_bytes(sample: &[u8]) -> Option<&'static EncodingRs> {
    let units = sample.len() / 2;
    if units < 8 {
        return None;
    }
    let high = |b: u8| matches!(b, 0x00 | 0x20 | 0x30 | 0x4E..=0x9F | 0xD8..=0xDF | 0xFF);
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample[..units * 2].chunks_exact(2) {
        even += usize::from(high(pair[0]));
        odd += usize::from(high(pair[1]));
    }
    let (likely, unlikely) = (|n: usize| n * 100 >= units * 85, |n: usize| n * 100 <= units * 70);
    if likely(odd) && unlikely(even) {
        Some(UTF_16LE)
    } else if likely(even) && unlikely(odd) {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// What a sample says about UTF-8: its damaged spots (runs of bytes that are not UTF-8)
/// and its well-formed sequences of three and four bytes (CJK and emoji). GBK and GB18030
/// text forms such sequences only by chance (under one character in fifty) and breaks
/// UTF-8 at nearly every character.
struct Utf8Evidence {
    spots: usize,
    wide: usize,
}

impl Utf8Evidence {
    fn of(sample: &[u8], complete: bool) -> Self {
        let mut rest = sample;
        let (mut spots, mut wide) = (0usize, 0usize);
        let mut last_bad_end: Option<usize> = None;
        let wide_chars = |s: &str| s.chars().filter(|c| c.len_utf8() >= 3).count();
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    wide += wide_chars(s);
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    wide += std::str::from_utf8(good).map_or(0, wide_chars);
                    let at = sample.len() - bad.len();
                    // Adjacent bad bytes are one damaged spot.
                    let new_spot = !(good.is_empty() && last_bad_end == Some(at));
                    match e.error_len() {
                        Some(n) => {
                            spots += usize::from(new_spot);
                            last_bad_end = Some(at + n);
                            rest = &bad[n..];
                        }
                        // A sequence cut at the end of the sample is not an error.
                        None => {
                            if complete {
                                spots += usize::from(new_spot);
                            }
                            break;
                        }
                    }
                }
            }
        }
        Utf8Evidence { spots, wide }
    }
}

/// The sample read as GB18030: its two- and four-byte characters, and how many of them
/// are common Chinese (GB2312 level 1, rows B0–D7) or its punctuation (rows A1 and A3).
/// Chinese text in GBK is nearly all common characters (on the corpus: median 100%, 99%
/// of messages at least two thirds); UTF-8 read as GB18030 is mostly rare ones (median
/// 11%, 99% of messages under 27%).
fn gb_common(sample: &[u8]) -> (usize, usize) {
    let (mut chars, mut common, mut i) = (0usize, 0usize, 0usize);
    while i < sample.len() {
        let lead = sample[i];
        let next = |k: usize| sample.get(i + k).copied().unwrap_or(0);
        if !(0x81..=0xFE).contains(&lead) {
            i += 1;
        } else if (0x30..=0x39).contains(&next(1))
            && (0x81..=0xFE).contains(&next(2))
            && (0x30..=0x39).contains(&next(3))
        {
            chars += 1;
            i += 4;
        } else if matches!(next(1), 0x40..=0x7E | 0x80..=0xFE) {
            chars += 1;
            let level1 = (0xB0..=0xD7).contains(&lead) || lead == 0xA1 || lead == 0xA3;
            common += usize::from(level1 && next(1) >= 0xA1);
            i += 2;
        } else {
            i += 1;
        }
    }
    (chars, common)
}

/// The characters of `sample` read as `encoding`, and how many are common Chinese, as
/// [`gb_common`] counts them (by their GB18030 bytes).
fn common_when_read_as(encoding: &'static EncodingRs, sample: &[u8]) -> (usize, usize) {
    let (text, _) = encoding.decode_without_bom_handling(sample);
    let (gb, _, _) = GB18030.encode(&text);
    gb_common(&gb)
}

/// Whether `sample` read as `encoding` is mostly common Chinese characters.
fn reads_as_chinese(encoding: &'static EncodingRs, sample: &[u8]) -> bool {
    let (chars, common) = common_when_read_as(encoding, sample);
    common * 2 >= chars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_without_a_bom_by_its_nuls() {
        let text = "还钱 ok\n请尽快处理。\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(sniff(&le, true), Ok(UTF_16LE));
        assert_eq!(sniff(&be, true), Ok(UTF_16BE));
        // NULs on one side but no line break: not taken for text.
        assert!(sniff(&b"a\0b\0c\0".repeat(20), true).is_err());
        // A few stray NULs in UTF-8 are kept as text.
        assert_eq!(sniff(b"abc\0def\n\0\n", true), Ok(UTF_8));
    }

    #[test]
    fn short_damaged_utf8_is_utf8_and_short_gbk_is_gbk() {
        let mut b = "好的\n".as_bytes().to_vec();
        b.extend_from_slice(b"\xFF\xFE\x80\n");
        assert_eq!(sniff(&b, true), Ok(UTF_8));
        for t in ["还钱", "您好", "好的", "再不还钱我们就去你单位闹"] {
            let mut g = GB18030.encode(t).0.into_owned();
            assert_eq!(sniff(&g, true), Ok(GB18030), "{t}");
            g.push(0xFF);
            assert_eq!(sniff(&g, true), Ok(GB18030), "{t} damaged");
        }
    }
}
