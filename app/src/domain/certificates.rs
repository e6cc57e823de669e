//! Verifiable certificates (结业证书、年度学时证明) and annual dossiers (年度学习档案): what
//! earns one, the serial number that names it, and the rules of revoking one. Pure rules;
//! the rows come from `ssr::db`, the PDF from `ssr::pdf`.
//!
//! - A **series** certificate: every session of a series is over, and the cadre attended
//!   (present, late or made up) each one meant for them, except excused ones within the
//!   leave cap (duty leave outside it where the settings say so), and was not withdrawn.
//! - A **tier** certificate: the year's requirements of the tier the cadre holds are met.
//! - A **dossier**: the year's record as the cadre or an organiser printed it; a new serial
//!   when the hours changed since the last one.
//!
//! A serial is `YX-2026-7K3Q-M9XD-4P`: the year, 40 random bits and two check symbols, in
//! Crockford's base 32 (no I, L, O or U, so it reads out loud and types on a phone). The
//! check symbols catch a mistyped or swapped symbol before anything is looked up; the
//! random part makes a forged one that exists practically impossible to guess.
use serde::{Deserialize, Serialize};

use super::hours::StudyHours;
use super::progress::Credits;
use super::schedule::AttendanceStatus;
use super::share::Share;

/// What a certificate certifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificateKind {
    /// A series (专题班, a lecture series) completed.
    Series,
    /// The year's requirements of a tier met.
    Tier,
    /// The annual dossier.
    Dossier,
}

impl CertificateKind {
    pub const ALL: [CertificateKind; 3] = [
        CertificateKind::Series,
        CertificateKind::Tier,
        CertificateKind::Dossier,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CertificateKind::Series => "series",
            CertificateKind::Tier => "tier",
            CertificateKind::Dossier => "dossier",
        }
    }

    pub fn parse(raw: &str) -> Option<CertificateKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// The document's title as printed (the PDF is Chinese, like the paper it replaces).
    pub fn title_zh(self) -> &'static str {
        match self {
            CertificateKind::Series => "结业证书",
            CertificateKind::Tier => "年度学时达标证书",
            CertificateKind::Dossier => "年度学习档案",
        }
    }
}

/// The programme's name as printed on tier certificates.
pub const PROGRAMME_ZH: &str = "“535”雁阵培养计划";

/// The programme line of a tier certificate: the programme and the tier.
pub fn tier_programme(tier_zh: &str) -> String {
    format!("{PROGRAMME_ZH} · {tier_zh}")
}

/// The programme line of a dossier: the tier held, if any.
pub fn dossier_programme(tier_zh: Option<&str>) -> String {
    match tier_zh {
        Some(t) if !t.is_empty() => format!("干部夜校 · {t}"),
        _ => "干部夜校".to_string(),
    }
}

/// Who issues: the subdistrict's night school, or the district's.
pub fn issuer(subdistrict: Option<&str>) -> String {
    match subdistrict {
        Some(s) if !s.trim().is_empty() => format!("{}干部夜校", s.trim()),
        _ => "干部夜校".to_string(),
    }
}

/// Crockford's base 32.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const PREFIX: &str = "YX";
/// The check is the weighted sum of the symbols modulo this prime (two symbols hold it).
const CHECK_MODULUS: u32 = 1021;

/// A certificate's serial number.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Serial(String);

/// Why typed text is not a serial.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SerialProblem {
    /// Not the shape of one.
    Malformed,
    /// The shape, but a symbol is wrong (a typo, or made up).
    CheckFailed,
}

fn symbol_value(c: char) -> Option<u32> {
    // Read as people type: lower case, and the letters that look like digits.
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        c => c,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .map(|p| p as u32)
}

fn check(values: &[u32]) -> [u8; 2] {
    let sum = values
        .iter()
        .enumerate()
        .map(|(i, v)| (i as u32 + 1) * v)
        .sum::<u32>()
        % CHECK_MODULUS;
    [ALPHABET[(sum / 32) as usize], ALPHABET[(sum % 32) as usize]]
}

impl Serial {
    /// A new serial for `year` from 5 random bytes.
    pub fn new(year: i32, random: [u8; 5]) -> Serial {
        let mut bits = random
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let mut body = [0u8; 8];
        for slot in body.iter_mut().rev() {
            *slot = ALPHABET[(bits & 31) as usize];
            bits >>= 5;
        }
        let year = year.clamp(0, 9999);
        let digits = format!("{year:04}");
        let values: Vec<u32> = digits
            .chars()
            .chain(body.iter().map(|b| char::from(*b)))
            .filter_map(symbol_value)
            .collect();
        let [c1, c2] = check(&values);
        let body = String::from_utf8_lossy(&body).to_string();
        Serial(format!(
            "{PREFIX}-{digits}-{}-{}-{}{}",
            &body[..4],
            &body[4..],
            char::from(c1),
            char::from(c2)
        ))
    }

    /// A serial as typed or scanned: spaces, dashes and case do not matter, nor O for 0
    /// or I and L for 1; the prefix may be left out.
    pub fn parse(raw: &str) -> Result<Serial, SerialProblem> {
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\u{3000}' | '_'))
            .collect();
        let upper = compact.to_ascii_uppercase();
        let rest = upper.strip_prefix(PREFIX).unwrap_or(&upper);
        let chars: Vec<char> = rest.chars().collect();
        if chars.len() != 14 || !chars[..4].iter().all(|c| c.is_ascii_digit()) {
            return Err(SerialProblem::Malformed);
        }
        let values: Option<Vec<u32>> = chars.iter().map(|c| symbol_value(*c)).collect();
        let values = values.ok_or(SerialProblem::Malformed)?;
        let (body, checks) = values.split_at(12);
        let expected = check(body);
        let given = [ALPHABET[checks[0] as usize], ALPHABET[checks[1] as usize]];
        if expected != given {
            return Err(SerialProblem::CheckFailed);
        }
        let s: String = values
            .iter()
            .map(|v| char::from(ALPHABET[*v as usize]))
            .collect();
        Ok(Serial(format!(
            "{PREFIX}-{}-{}-{}-{}",
            &s[..4],
            &s[4..8],
            &s[8..12],
            &s[12..]
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The year it was issued for.
    pub fn year(&self) -> i32 {
        self.0[3..7].parse().unwrap_or_default()
    }
}

impl std::fmt::Display for Serial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One session of a finished series meant for a cadre, with the cadre's record there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesSession {
    pub hours: StudyHours,
    pub status: Option<AttendanceStatus>,
    /// Excused for duty leave (公务).
    pub duty: bool,
}

/// The rules a series is judged by: the leave cap and whether duty leave weighs on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesRules {
    pub cap: Share,
    pub duty_outside_cap: bool,
    pub credits: Credits,
}

/// The hours a cadre earned in a finished series when they completed it, `None` when they
/// did not: a session missed (absent or no record, and not made up), leave past the cap,
/// nothing attended, or withdrawn (专题班).
pub fn series_completed(
    sessions: &[SeriesSession],
    rules: &SeriesRules,
    withdrawn: bool,
) -> Option<StudyHours> {
    if withdrawn || sessions.is_empty() {
        return None;
    }
    let mut attended = 0;
    let mut excused = StudyHours(0);
    let mut total = StudyHours(0);
    let mut earned = StudyHours(0);
    for s in sessions {
        total.0 += s.hours.0;
        match s.status? {
            AttendanceStatus::Absent => return None,
            AttendanceStatus::Excused => {
                if !(s.duty && rules.duty_outside_cap) {
                    excused.0 += s.hours.0;
                }
            }
            status => {
                attended += 1;
                earned.0 += rules.credits.for_status(status, s.hours).0;
            }
        }
    }
    (attended > 0 && !rules.cap.exceeded_by(excused, total)).then_some(earned)
}

/// Whether a dossier asked for now can be the last one issued for the year: it says the
/// same hours and was not revoked. Otherwise a new serial is issued.
pub fn reuse_dossier(last: Option<(StudyHours, bool)>, hours: StudyHours) -> bool {
    matches!(last, Some((h, revoked)) if h == hours && !revoked)
}

/// Characters a revocation's reason may have.
pub const REASON_CHARS: std::ops::RangeInclusive<usize> = 2..=200;

/// What the public verification page says about a serial.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// Issued and standing.
    Valid,
    /// Issued, then revoked on that day (Unix seconds).
    Revoked { at: i64 },
    /// No certificate has this serial: mistyped, or forged.
    Unknown,
    /// Not a serial at all.
    Malformed,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_read_back_as_typed_and_catch_typos() {
        let s = Serial::new(2026, [0x3a, 0x91, 0x07, 0xff, 0x42]);
        assert!(s.as_str().starts_with("YX-2026-"), "{s}");
        assert_eq!(s.as_str().len(), "YX-2026-XXXX-XXXX-CC".len());
        assert_eq!(s.year(), 2026);
        assert_eq!(Serial::parse(s.as_str()), Ok(s.clone()));
        // As people type it: lower case, no dashes, spaces, without the prefix.
        let typed = s.as_str().to_lowercase().replace('-', " ");
        assert_eq!(Serial::parse(&typed), Ok(s.clone()));
        assert_eq!(
            Serial::parse(&s.as_str()[3..].replace('-', "")),
            Ok(s.clone())
        );
        // Every single symbol changed is caught, and every swap of two different neighbours.
        let symbols: Vec<char> = s.as_str()[3..].chars().filter(|c| *c != '-').collect();
        for i in 4..symbols.len() {
            for &a in ALPHABET {
                let a = char::from(a);
                if a == symbols[i] {
                    continue;
                }
                let mut changed = symbols.clone();
                changed[i] = a;
                let typed: String = changed.iter().collect();
                assert_eq!(
                    Serial::parse(&typed),
                    Err(SerialProblem::CheckFailed),
                    "{typed}"
                );
            }
            if i + 1 < symbols.len() && symbols[i] != symbols[i + 1] {
                let mut swapped = symbols.clone();
                swapped.swap(i, i + 1);
                let typed: String = swapped.iter().collect();
                assert!(Serial::parse(&typed).is_err(), "{typed}");
            }
        }
    }

    #[test]
    fn what_is_not_a_serial_says_so() {
        for junk in [
            "",
            "YX",
            "YX-2026",
            "YX-20X6-AAAA-BBBB-CC",
            "YX-2026-AAAA-BBBB-C",
            "YX-2026-AAAA-BBBB-CCC",
            "YX-2026-AAAA-BBBB-C!",
            "<script>",
            "YX-2026-ÄAAA-BBBB-CC",
        ] {
            assert_eq!(
                Serial::parse(junk),
                Err(SerialProblem::Malformed),
                "{junk:?}"
            );
        }
        // Right shape, made up: the check symbols give it away (most of the time).
        let made_up = ["YX-2026-AAAA-BBBB-CC", "YX-2026-0000-0000-00"];
        assert!(made_up.iter().any(|m| Serial::parse(m).is_err()));
    }

    #[test]
    fn serials_differ_with_their_random_part() {
        let a = Serial::new(2026, [1, 2, 3, 4, 5]);
        let b = Serial::new(2026, [1, 2, 3, 4, 6]);
        let c = Serial::new(2027, [1, 2, 3, 4, 5]);
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            &a.as_str()[8..17],
            &c.as_str()[8..17],
            "the same random part"
        );
        assert_eq!(c.year(), 2027);
    }

    fn rules() -> SeriesRules {
        SeriesRules {
            cap: Share::LEAVE_CAP,
            duty_outside_cap: true,
            credits: Credits::default(),
        }
    }

    fn at(hours: i64, status: Option<AttendanceStatus>, duty: bool) -> SeriesSession {
        SeriesSession {
            hours: StudyHours(hours),
            status,
            duty,
        }
    }

    #[test]
    fn a_series_is_completed_by_attending_every_session_meant_for_one() {
        use AttendanceStatus::*;
        let r = rules();
        // (sessions, withdrawn, completed with hours)
        let cases: Vec<(Vec<SeriesSession>, bool, Option<i64>)> = vec![
            (vec![], false, None),
            (vec![at(30, Some(Present), false)], false, Some(30)),
            (
                vec![at(30, Some(Present), false), at(30, Some(Late), false)],
                false,
                Some(60),
            ),
            // Made up counts, at the make-up share (half by default).
            (
                vec![at(30, Some(Present), false), at(30, Some(MadeUp), false)],
                false,
                Some(45),
            ),
            // A session with no record, or absent, is missed.
            (
                vec![at(30, Some(Present), false), at(30, None, false)],
                false,
                None,
            ),
            (
                vec![at(30, Some(Present), false), at(30, Some(Absent), false)],
                false,
                None,
            ),
            // Excused within the cap (1 of 7 sessions), not past it (1 of 2).
            (
                {
                    let mut v = vec![at(30, Some(Present), false); 6];
                    v.push(at(30, Some(Excused), false));
                    v
                },
                false,
                Some(180),
            ),
            (
                vec![at(30, Some(Present), false), at(30, Some(Excused), false)],
                false,
                None,
            ),
            // Duty leave stays outside the cap.
            (
                vec![at(30, Some(Present), false), at(30, Some(Excused), true)],
                false,
                Some(30),
            ),
            // Excused from everything: nothing attended.
            (vec![at(30, Some(Excused), true)], false, None),
            // Withdrawn from a special class.
            (vec![at(30, Some(Present), false)], true, None),
        ];
        for (i, (sessions, withdrawn, expected)) in cases.into_iter().enumerate() {
            assert_eq!(
                series_completed(&sessions, &r, withdrawn),
                expected.map(StudyHours),
                "case {i}"
            );
        }
        // Where duty leave weighs on the cap, the same record falls short.
        let strict = SeriesRules {
            duty_outside_cap: false,
            ..r
        };
        assert_eq!(
            series_completed(
                &[at(30, Some(Present), false), at(30, Some(Excused), true)],
                &strict,
                false
            ),
            None
        );
    }

    #[test]
    fn a_dossier_is_issued_again_only_when_its_hours_changed_or_it_was_revoked() {
        let h = StudyHours(125);
        assert!(!reuse_dossier(None, h));
        assert!(reuse_dossier(Some((h, false)), h));
        assert!(!reuse_dossier(Some((StudyHours(120), false)), h));
        assert!(!reuse_dossier(Some((h, true)), h));
    }

    #[test]
    fn kinds_and_programme_lines_read_as_printed() {
        for k in CertificateKind::ALL {
            assert_eq!(CertificateKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(CertificateKind::parse("diploma"), None);
        assert_eq!(tier_programme("头雁"), "“535”雁阵培养计划 · 头雁");
        assert_eq!(dossier_programme(None), "干部夜校");
        assert_eq!(dossier_programme(Some("强雁")), "干部夜校 · 强雁");
        assert_eq!(issuer(Some("观音阁街道")), "观音阁街道干部夜校");
        assert_eq!(issuer(Some(" ")), "干部夜校");
    }
}
