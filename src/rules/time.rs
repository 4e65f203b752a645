//! Times as exports write them, read to seconds since the Unix epoch (UTC), and the civil
//! calendar arithmetic the rules need (local day, clock time, dates), with no time-zone
//! database: a zone is a fixed offset, as `--tz` gives it.

use std::fmt;
use std::str::FromStr;

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// A fixed offset from UTC, in seconds (`+08:00` is 28,800).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tz(pub i32);

impl Tz {
    /// China Standard Time, `+08:00`.
    pub const CHINA: Tz = Tz(8 * 3600);
    /// US Eastern Standard Time, `-05:00`.
    pub const US_EASTERN: Tz = Tz(-5 * 3600);

    /// Local seconds since the epoch for the UTC time `t`.
    pub fn local(self, t: i64) -> i64 {
        t + i64::from(self.0)
    }

    /// The local day number (days since 1970-01-01) of the UTC time `t`.
    pub fn day(self, t: i64) -> i64 {
        self.local(t).div_euclid(DAY)
    }

    /// Seconds since local midnight of the UTC time `t`.
    pub fn second_of_day(self, t: i64) -> u32 {
        self.local(t).rem_euclid(DAY) as u32
    }
}

impl fmt::Display for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { '-' } else { '+' };
        let m = self.0.unsigned_abs() / 60;
        write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
    }
}

/// A time zone that is not `Z`, `UTC` or an offset such as `+08:00`, `-0500` or `+8`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone {0:?}: give an offset such as +08:00 or -05:00, or UTC")]
pub struct TzError(pub String);

impl FromStr for Tz {
    type Err = TzError;
    fn from_str(s: &str) -> Result<Tz, TzError> {
        let t = s.trim();
        if ["z", "utc", "gmt"].contains(&t.to_ascii_lowercase().as_str()) {
            return Ok(Tz(0));
        }
        let t = t.strip_prefix("UTC").or_else(|| t.strip_prefix("GMT")).unwrap_or(t);
        parse_offset(t.as_bytes()).map(Tz).ok_or_else(|| TzError(s.to_string()))
    }
}

/// `+08:00`, `+0800`, `+08`, `+8`, `-05:00` as seconds.
fn parse_offset(b: &[u8]) -> Option<i32> {
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = std::str::from_utf8(&b[1..]).ok()?;
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) if (1..=2).contains(&h.len()) && m.len() == 2 => {
            (num(h.as_bytes())?, num(m.as_bytes())?)
        }
        Some(_) => return None,
        None if (1..=2).contains(&rest.len()) => (num(rest.as_bytes())?, 0),
        None if rest.len() == 4 => (num(&rest.as_bytes()[..2])?, num(&rest.as_bytes()[2..])?),
        None => return None,
    };
    (h <= 14 && m < 60).then(|| sign * (h as i32 * 3600 + m as i32 * 60))
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |n, &c| n * 10 + u32::from(c - b'0')))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, m, d)
}

/// A day number as `2026-11-03`.
pub fn date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Seconds since midnight as `23:14`.
pub fn clock(second_of_day: u32) -> String {
    format!("{:02}:{:02}", second_of_day / 3600, second_of_day / 60 % 60)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Excel's day 0 (1899-12-30, so that serial 60 is Excel's phantom 1900-02-29 and every
/// later serial is right) as a day number.
const EXCEL_EPOCH_DAY: i64 = -25_569;

/// Reads a time as exports write it, to UTC seconds; `tz` is the zone of times that name
/// none (Excel serials included). `None` when it is not a time.
///
/// Accepted: `2026-11-03 23:14:05`, `2026/11/3 23:14`, `2026年11月3日 23:14`, ISO 8601
/// (`2026-11-03T23:14:05`, with fractional seconds, `Z` or an offset), epoch seconds (10
/// digits) or milliseconds (13 digits), and Excel serial numbers (`46329.968`).
pub fn parse_time(s: &str, tz: Tz) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    if b.iter().all(u8::is_ascii_digit) {
        return match b.len() {
            10 => s.parse().ok(),
            13 => Some(s.parse::<i64>().ok()? / 1000),
            1..=6 => excel(s, tz),
            _ => None,
        };
    }
    if b.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
        return excel(s, tz);
    }
    calendar(s, tz)
}

/// An Excel serial date-time (days since 1899-12-30, the fraction the time of day), read
/// in `tz`; serials from 1 (1900) to 2,958,465 (9999-12-31).
fn excel(s: &str, tz: Tz) -> Option<i64> {
    let v: f64 = s.parse().ok()?;
    if !(1.0..2_958_466.0).contains(&v) {
        return None;
    }
    let days = v.floor() as i64;
    let secs = ((v - v.floor()) * DAY as f64).round() as i64;
    Some((EXCEL_EPOCH_DAY + days) * DAY + secs - i64::from(tz.0))
}

/// `Y-M-D[ T]h:m[:s[.f]][zone]`, with `-`, `/`, `.` or 年月日 between the date's parts.
fn calendar(s: &str, tz: Tz) -> Option<i64> {
    let mut c = Cursor { s: s.as_bytes(), at: 0 };
    let y = c.number(4, 4)?;
    let sep = c.date_sep()?;
    let m = c.number(1, 2)?;
    if c.date_sep()? != sep && sep != DateSep::Han {
        return None;
    }
    let d = c.number(1, 2)?;
    if sep == DateSep::Han {
        c.eat("日");
    }
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(i64::from(y), m) {
        return None;
    }
    // The time: after `T`, spaces, or directly after 日.
    if !(c.eat("T") || c.eat("t")) {
        let before = c.at;
        while c.eat(" ") {}
        if c.at == before && sep != DateSep::Han {
            return None;
        }
    }
    let h = c.number(1, 2)?;
    if !(c.eat(":") || c.eat("时") || c.eat("點") || c.eat("点")) {
        return None;
    }
    let mi = c.number(2, 2)?;
    let mut sec = 0;
    if c.eat(":") {
        sec = c.number(2, 2)?;
        if c.eat(".") || c.eat(",") {
            c.number(1, 9)?;
        }
    } else {
        c.eat("分");
    }
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    while c.eat(" ") {}
    let offset = match c.rest() {
        b"" => tz.0,
        b"Z" | b"z" => 0,
        rest => parse_offset(rest)?,
    };
    let day = days_from_civil(i64::from(y), m, d);
    Some(day * DAY + i64::from(h * 3600 + mi * 60 + sec.min(59)) - i64::from(offset))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DateSep {
    Dash,
    Slash,
    Dot,
    Han,
}

struct Cursor<'a> {
    s: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    /// A run of `min..=max` ASCII digits.
    fn number(&mut self, min: usize, max: usize) -> Option<u32> {
        let run = self.s[self.at..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run < min || run > max {
            return None;
        }
        let n = num(&self.s[self.at..self.at + run])?;
        self.at += run;
        Some(n)
    }

    fn eat(&mut self, t: &str) -> bool {
        let ok = self.s[self.at..].starts_with(t.as_bytes());
        if ok {
            self.at += t.len();
        }
        ok
    }

    fn date_sep(&mut self) -> Option<DateSep> {
        for (t, sep) in [
            ("-", DateSep::Dash),
            ("/", DateSep::Slash),
            (".", DateSep::Dot),
            ("年", DateSep::Han),
            ("月", DateSep::Han),
        ] {
            if self.eat(t) {
                return Some(sep);
            }
        }
        None
    }

    fn rest(&self) -> &[u8] {
        &self.s[self.at..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CN: Tz = Tz::CHINA;

    fn utc(y: i64, m: u32, d: u32, h: i64, mi: i64, s: i64) -> i64 {
        days_from_civil(y, m, d) * DAY + h * 3600 + mi * 60 + s
    }

    #[test]
    fn civil_days_round_trip() {
        for z in (-800_000..800_000).step_by(37) {
            let (y, m, d) = civil_from_days(z);
            assert!(d >= 1 && d <= days_in_month(y, m));
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(date(days_from_civil(2024, 2, 29)), "2024-02-29");
    }

    #[test]
    fn export_formats_read_to_the_same_instant() {
        let want = utc(2026, 11, 3, 15, 14, 5); // 23:14:05 in China
        for s in [
            "2026-11-03 23:14:05",
            "2026/11/3 23:14:05",
            "2026年11月3日 23:14:05",
            "2026年11月3日23:14:05",
            "2026.11.03 23:14:05",
            "2026-11-03T23:14:05",
            "2026-11-03T23:14:05.250",
            "2026-11-03T15:14:05Z",
            "2026-11-03T23:14:05+08:00",
            "2026-11-03T10:14:05-05:00",
            "2026-11-03 23:14:05 +0800",
            "1793718845",
            "1793718845123",
        ] {
            assert_eq!(parse_time(s, CN), Some(want), "{s}");
        }
        assert_eq!(parse_time("2026/11/3 23:14", CN), Some(want - 5));
        // Excel: 2026-11-03 is serial 46329; 23:14:05 is 83,645 seconds into the day.
        let serial = format!("{}", 46329.0 + 83_645.0 / 86_400.0);
        assert_eq!(parse_time(&serial, CN), Some(want));
        assert_eq!(parse_time("46329", CN), Some(want - 83_645));
    }

    #[test]
    fn not_times() {
        for s in [
            "",
            "abc",
            "2026-13-01 10:00",
            "2026-02-30 10:00",
            "2026-11-03",
            "2026-11-03 25:00",
            "12345678",
            "明天下午",
            "2026-11/03 10:00",
            "0",
            "2026-11-03 10:00 +99:00",
        ] {
            assert_eq!(parse_time(s, CN), None, "{s}");
        }
    }

    #[test]
    fn zones_parse_and_print() {
        for (s, secs) in [
            ("+08:00", 28_800),
            ("+0800", 28_800),
            ("+8", 28_800),
            ("-05:00", -18_000),
            ("UTC", 0),
            ("Z", 0),
            ("UTC+5:30", 19_800),
        ] {
            let tz: Tz = s.parse().unwrap();
            assert_eq!(tz.0, secs, "{s}");
        }
        assert_eq!(Tz::US_EASTERN.to_string(), "-05:00");
        assert!("Asia/Shanghai".parse::<Tz>().is_err());
        let t = utc(2026, 11, 3, 15, 14, 5);
        assert_eq!(clock(CN.second_of_day(t)), "23:14");
        assert_eq!(date(CN.day(t)), "2026-11-03");
        assert_eq!(date(CN.day(t + 3600)), "2026-11-04");
    }
}
