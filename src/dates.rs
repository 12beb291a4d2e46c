//! Calendar dates of scraped posts: timestamps as scrapers write them, to days since the Unix
//! epoch and back to ISO 8601 dates. Pure arithmetic on the proleptic Gregorian calendar (no
//! time zones beyond a timestamp's own offset, no clock: recency is measured against the
//! newest post of the scrape, so the same file gives the same tables on any day).

/// Seconds in a day.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// Earliest and latest years a post may carry (Instagram began in 2010; the bounds only keep
/// a wrong column, such as a follower count read as Unix seconds, from passing as a date).
const YEARS: std::ops::RangeInclusive<i64> = 2000..=2100;

/// Days since 1970-01-01 of year `y`, month `m` (1–12), day `d` (1–31), by Howard Hinnant's
/// `days_from_civil`: years counted from March, so the leap day ends the year.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = (i64::from(m) + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day) of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A day number as ISO 8601, "2026-11-20".
pub fn iso_date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Whether a day number falls in the years a post may carry (2000–2100).
pub fn in_range(day: i64) -> bool {
    YEARS.contains(&civil_from_days(day).0)
}

/// An ISO 8601 date, "2026-11-20", as a day number; `None` unless it is a real date in range.
pub fn parse_iso_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = digits(&s[..4])?;
    let m: u32 = digits(&s[5..7])?;
    let d: u32 = digits(&s[8..10])?;
    if !YEARS.contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// A post's time as scrapers write it, in seconds since the Unix epoch (UTC):
/// - ISO 8601: "2024-05-01T12:34:56.000Z", "2024-05-01T12:34:56+02:00", a space for the
///   `T`, no zone (read as UTC), or a date alone;
/// - Unix time in seconds (instaloader's `taken_at_timestamp`) or milliseconds (from 10¹¹).
///
/// `None` for anything else and for times outside the years 2000–2100.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
        let v: f64 = s.parse().ok()?;
        let secs = if v >= 1e11 { v / 1000.0 } else { v };
        let secs = secs.floor() as i64;
        return in_range(secs.div_euclid(SECONDS_PER_DAY)).then_some(secs);
    }
    let day = parse_iso_date(s.get(..10)?)?;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(day * SECONDS_PER_DAY);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let b = rest.as_bytes();
    if b.len() < 5 || b[2] != b':' {
        return None;
    }
    // Every slice is checked (`get`): a multi-byte character is no digit and no panic.
    let hh: i64 = digits(rest.get(..2)?)?;
    let mm: i64 = digits(rest.get(3..5)?)?;
    let mut i = 5;
    let mut ss = 0;
    if b.get(5) == Some(&b':') {
        ss = digits(rest.get(6..8)?)?;
        i = 8;
        // Fractions of a second are dropped.
        if b.get(8).is_some_and(|&c| c == b'.' || c == b',') {
            i = 9;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
    }
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let zone = rest.get(i..)?;
    let offset = match zone {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let z = zone[1..].replace(':', "");
            if z.len() != 4 {
                return None;
            }
            let (oh, om): (i64, i64) = (digits(z.get(..2)?)?, digits(z.get(2..)?)?);
            if oh > 14 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(day * SECONDS_PER_DAY + hh * 3600 + mm * 60 + ss - offset)
}

fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_through_the_calendar() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(iso_date(days_from_civil(2024, 2, 29)), "2024-02-29");
        // Day by day across leap years and centuries, against a calendar walked by hand.
        let (mut y, mut m, mut d) = (1999, 12, 25);
        for day in days_from_civil(1999, 12, 25)..days_from_civil(2101, 1, 5) {
            assert_eq!(civil_from_days(day), (y, m, d), "day {day}");
            assert_eq!(days_from_civil(y, m, d), day);
            d += 1;
            if d > days_in_month(y, m) {
                (d, m) = (1, m + 1);
                if m > 12 {
                    (m, y) = (1, y + 1);
                }
            }
        }
    }

    #[test]
    fn timestamps_as_scrapers_write_them() {
        let t = days_from_civil(2024, 5, 1) * SECONDS_PER_DAY + 12 * 3600 + 34 * 60 + 56;
        for s in [
            "2024-05-01T12:34:56.000Z",
            "2024-05-01T12:34:56Z",
            "2024-05-01 12:34:56",
            "2024-05-01T14:34:56+02:00",
            "2024-05-01T07:04:56-0530",
            "2024-05-01T12:34:56,5Z",
            &t.to_string(),
            &(t * 1000 + 123).to_string(),
            " 2024-05-01T12:34:56.123456Z ",
        ] {
            assert_eq!(parse_timestamp(s), Some(t), "{s:?}");
        }
        assert_eq!(
            parse_timestamp("2024-05-01"),
            Some(days_from_civil(2024, 5, 1) * SECONDS_PER_DAY)
        );
        for bad in [
            "",
            "yesterday",
            "2024-02-30",
            "2024-13-01",
            "2024-05-01T25:00",
            "2024-05-01T12:34:56+99:00",
            "2024-05-01X",
            "12000",
            "1e9",
            "2024-05-01T12:34:56Zjunk",
            "99999999999999999999999",
            "٢٠٢٤-05-01",
            "2024-05-01T1é:00",
            "2024-05-01T12:0é",
            "2024-05-01T12:00+1é1",
            "2024-05-01T12:00:5€",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
        assert_eq!(
            parse_iso_date("2026-11-20").map(iso_date).as_deref(),
            Some("2026-11-20")
        );
        assert_eq!(parse_iso_date("2026-11-2"), None);
    }
}
