//! Every word the UI shows, in Chinese (the default) and English. A page asks for a
//! [`Key`]; the current [`Lang`] lives in a signal so a switch re-renders in place.
use leptos::prelude::*;

use crate::domain::account::Invalid;
use crate::domain::schedule::{AttendanceStatus, SessionFormat};
use crate::domain::{Role, Timestamp};
use crate::error::{AppError, Conflict};

pub const LANG_COOKIE: &str = "ns_lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The `<html lang>` value and the cookie's.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Anything unknown means Chinese, the school's language.
    pub fn from_code(code: &str) -> Lang {
        if code.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

macro_rules! messages {
    ([] $($key:ident => $zh:literal, $en:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $($key),* }

        impl Key {
            /// Every message, in the order written.
            pub const ALL: &'static [Key] = &[$(Key::$key),*];

            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Key::$key, Lang::Zh) => $zh, (Key::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

// Each area keeps its messages in a file of its own; each file's macro adds its lines to
// the list and hands it to the next, and the last, `messages!`, makes the one `Key` enum, so
// every message is a variant the compiler checks wherever it is written.
#[macro_use]
mod base;
#[macro_use]
mod admin;
#[macro_use]
mod common;
#[macro_use]
mod schedule;
#[macro_use]
mod attendance;
#[macro_use]
mod materials;
#[macro_use]
mod progress;
#[macro_use]
mod import;
#[macro_use]
mod rules;
#[macro_use]
mod inbox;

base_messages! {
    [
        admin_messages,
        common_messages,
        schedule_messages,
        attendance_messages,
        materials_messages,
        progress_messages,
        import_messages,
        rules_messages,
        inbox_messages,
        messages
    ]
}

impl Role {
    pub fn label(self) -> Key {
        match self {
            Role::Cadre => Key::RoleCadre,
            Role::Lecturer => Key::RoleLecturer,
            Role::Organiser => Key::RoleOrganiser,
            Role::Admin => Key::RoleAdmin,
        }
    }
}

impl SessionFormat {
    pub fn label(self) -> Key {
        match self {
            SessionFormat::Lecture => Key::FormatLecture,
            SessionFormat::SelfStudy => Key::FormatSelfStudy,
            SessionFormat::Scenario => Key::FormatScenario,
            SessionFormat::Forum => Key::FormatForum,
        }
    }
}

impl AttendanceStatus {
    pub fn label(self) -> Key {
        match self {
            AttendanceStatus::Present => Key::StatusPresent,
            AttendanceStatus::Late => Key::StatusLate,
            AttendanceStatus::Excused => Key::StatusExcused,
            AttendanceStatus::Absent => Key::StatusAbsent,
            AttendanceStatus::MadeUp => Key::StatusMadeUp,
        }
    }
}

/// The message for a reason the system itself writes into the attendance audit trail
/// (`None`: an organiser's own words, shown as typed).
/// The words of a kind of leave.
pub fn leave_kind_key(kind: crate::domain::leave::LeaveKind) -> Key {
    match kind {
        crate::domain::leave::LeaveKind::Personal => Key::LeavePersonal,
        crate::domain::leave::LeaveKind::Sick => Key::LeaveSick,
        crate::domain::leave::LeaveKind::Duty => Key::LeaveDuty,
    }
}

pub fn reason_key(reason: &str) -> Option<Key> {
    match reason {
        "qr" => Some(Key::ReasonQr),
        "code" => Some(Key::ReasonCode),
        "walk_in_confirmed" => Some(Key::ReasonWalkInConfirmed),
        "leave approved" => Some(Key::ReasonLeaveApproved),
        "group excusal" => Some(Key::ReasonGroupExcusal),
        "correction approved" => Some(Key::ReasonCorrectionApproved),
        "correction confirmed" => Some(Key::ReasonCorrectionConfirmed),
        _ => None,
    }
}

impl AppError {
    pub fn label(&self) -> Key {
        match self {
            AppError::Unauthenticated => Key::ErrUnauthenticated,
            AppError::Forbidden => Key::ErrForbidden,
            AppError::NotFound => Key::ErrNotFound,
            AppError::Invalid(Invalid::Username) => Key::ErrUsername,
            AppError::Invalid(Invalid::DisplayName) => Key::ErrDisplayName,
            AppError::Invalid(Invalid::PasswordLength) => Key::ErrPasswordLength,
            AppError::Invalid(Invalid::PasswordMismatch) => Key::ErrPasswordMismatch,
            AppError::Invalid(Invalid::NoRole) => Key::ErrNoRole,
            AppError::Invalid(Invalid::CommonPassword) => Key::ErrCommonPassword,
            AppError::Invalid(Invalid::Date) => Key::ErrAuditFilter,
            AppError::Invalid(Invalid::AlarmTime) => Key::ErrAlarmTime,
            AppError::Invalid(Invalid::Email) => Key::ErrEmail,
            AppError::Invalid(Invalid::Budget) => Key::ErrBudget,
            AppError::Invalid(Invalid::Announcement) => Key::ErrAnnouncement,
            AppError::Invalid(Invalid::Suggestion) => Key::ErrSuggestion,
            AppError::Invalid(Invalid::Answer) => Key::ErrAnswer,
            AppError::Conflict(Conflict::UsernameTaken) => Key::ErrUsernameTaken,
            AppError::Conflict(Conflict::LastAdmin) => Key::ErrLastAdmin,
            AppError::Conflict(Conflict::OwnAccount) => Key::ErrOwnAccount,
            AppError::Conflict(Conflict::SessionCancelled) => Key::ErrSessionCancelled,
            AppError::Conflict(Conflict::ThemeExists) => Key::ErrThemeExists,
            AppError::Conflict(Conflict::NameTaken) => Key::ErrNameTaken,
            AppError::Conflict(Conflict::AlreadyAsked) => Key::ErrAlreadyAsked,
            AppError::Conflict(Conflict::LeaveClosed) => Key::ErrLeaveClosed,
            AppError::Conflict(Conflict::StaleMaterial) => Key::ErrStaleMaterial,
            AppError::Conflict(Conflict::ReflectionClosed) => Key::ErrReflectionClosed,
            AppError::Conflict(Conflict::ReadFirst) => Key::ErrReadFirst,
            AppError::Conflict(Conflict::ImportHasProblems) => Key::ErrImportHasProblems,
            AppError::Conflict(Conflict::AlreadyDecided) => Key::ErrAlreadyDecided,
            AppError::Conflict(Conflict::AlreadyReminded) => Key::ErrAlreadyReminded,
            AppError::Conflict(Conflict::SuggestionClosed) => Key::ErrSuggestionClosed,
            AppError::Conflict(Conflict::SessionNotOver) => Key::ErrSessionNotOver,
            AppError::Conflict(Conflict::CorrectionClosed) => Key::ErrCorrectionClosed,
            AppError::Conflict(Conflict::CorrectionQuotaUsed) => Key::ErrCorrectionQuotaUsed,
            AppError::Conflict(Conflict::AlreadyEvaluated) => Key::ErrAlreadyEvaluated,
            AppError::Conflict(Conflict::EvaluationClosed) => Key::ErrEvaluationClosed,
            AppError::WrongPassword => Key::ErrWrongPassword,
            AppError::WrongCode => Key::ErrWrongCode,
            AppError::TooManyTries(_) => Key::ErrTooManyTries,
            AppError::Busy => Key::ErrBusy,
            AppError::Form(_) => Key::ErrForm,
            AppError::Clashes(_) => Key::ErrClashes,
            AppError::Internal => Key::ErrInternal,
            AppError::Transport(_) => Key::ErrTransport,
        }
    }
}

impl crate::domain::session_draft::Problem {
    pub fn label(self) -> Key {
        use crate::domain::session_draft::Problem::*;
        match self {
            Required => Key::ProbRequired,
            TooLong => Key::ProbTooLong,
            NotADate => Key::ProbNotADate,
            NotATime => Key::ProbNotATime,
            EndNotAfterStart => Key::ProbEndNotAfterStart,
            NotANumber => Key::ProbNotANumber,
            NotALecturer => Key::ProbNotALecturer,
            EmptyAudience => Key::ProbEmptyAudience,
            Recurrence(_) => Key::ProbRecurrence,
            OutOfRange => Key::ProbOutOfRange,
            TooShort => Key::ProbTooShort,
            NotAllowed => Key::ProbNotAllowed,
            NotANetwork => Key::ProbNotANetwork,
        }
    }
}

impl crate::domain::session_draft::FieldProblem {
    /// The problem in words that name the field, for forms that show problems in a list.
    pub fn label(self) -> Key {
        use crate::domain::session_draft::{Field, Problem};
        match (self.field, self.problem) {
            (Field::CheckinOpens, _) => Key::FpCheckinOpens,
            (Field::LateAfter, _) => Key::FpLateAfter,
            (Field::LeaveCap, _) => Key::FpLeaveCap,
            (Field::MakeUpShare, _) => Key::FpMakeUpShare,
            (Field::DateRange, _) => Key::FpDateRange,
            (Field::Status, _) => Key::FpStatus,
            (Field::Reflection, Problem::TooShort) => Key::FpReflectionShort,
            (Field::Reflection, Problem::TooLong) => Key::FpTextLong,
            (Field::Reflection, _) => Key::FpTextRequired,
            (Field::Outlooks, _) => Key::FpOutlooks,
            (Field::Material, _) => Key::FpMaterialLong,
            (Field::Comment, _) => Key::FpComment,
            (Field::Query, _) => Key::FpQuery,
            (Field::TargetCount, _) => Key::FpTargetCount,
            (Field::RequiredHours, _) => Key::FpRequiredHours,
            (Field::AttendanceRate, _) => Key::FpAttendanceRate,
            (Field::ReflectionCount, _) => Key::FpReflectionCount,
            (Field::Teaching, _) => Key::FpTeaching,
            (Field::LateShare, _) => Key::FpLateShare,
            (Field::LecturingShare, _) => Key::FpLecturingShare,
            (Field::Tier, _) => Key::FpTier,
            (Field::ClaimTraining, _) => Key::FpClaimTraining,
            (Field::ClaimOrganiser, _) => Key::FpClaimOrganiser,
            (Field::ClaimDates, Problem::EndNotAfterStart) => Key::FpClaimDatesOrder,
            (Field::ClaimDates, Problem::OutOfRange) => Key::FpClaimDatesAhead,
            (Field::ClaimDates, _) => Key::FpClaimDates,
            (Field::ClaimMode, _) => Key::FpClaimMode,
            (Field::ClaimHours, _) => Key::FpClaimHours,
            (Field::ClaimUnits, _) => Key::FpClaimUnits,
            (Field::ClaimPledge, _) => Key::FpClaimPledge,
            (Field::Elsewhere, _) => Key::FpElsewhere,
            (Field::ConversionName, _) => Key::FpConversionName,
            (Field::ConversionHours, _) => Key::FpConversionHours,
            (Field::LeaveKind, _) => Key::FpLeaveKind,
            (Field::ExcusedCommunity, _) => Key::FpExcusedCommunity,
            (Field::LeaveAfterDays, _) => Key::FpLeaveAfterDays,
            (Field::DutyMakeUpDays, _) => Key::FpDutyMakeUpDays,
            (Field::CorrectionLecturer, _) => Key::FpCorrectionLecturer,
            (Field::CorrectionDays, _) => Key::FpCorrectionDays,
            (Field::CorrectionQuota, _) => Key::FpCorrectionQuota,
            (Field::Indicator, _) => Key::FpIndicator,
            (Field::Wish, _) => Key::FpWish,
            (Field::MinAnswers, _) => Key::FpMinAnswers,
            (Field::Note, _) => Key::FpNote,
            (Field::Theme, Problem::NotAllowed) => Key::FpTheme,
            (_, problem) => problem.label(),
        }
    }
}

pub const ZH_DAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
pub const EN_DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// "11月3日" or "3 Nov": a day in the year, for lists of dates.
pub fn day_of_year(lang: Lang, at: Timestamp) -> String {
    use chrono::Datelike;
    let d = at.local();
    match lang {
        Lang::Zh => format!("{}月{}日", d.month(), d.day()),
        Lang::En => format!("{} {}", d.day(), EN_MONTHS[d.month0() as usize]),
    }
}

/// "5月12日 周二 19:00–21:00" or "Tue 12 May 19:00–21:00".
pub fn session_when(lang: Lang, start: Timestamp, end: Timestamp) -> String {
    use chrono::Datelike;
    let d = start.local();
    let wd = start.weekday_index();
    let times = format!("{}–{}", start.hh_mm(), end.hh_mm());
    match lang {
        Lang::Zh => format!(
            "{}年{}月{}日 {} {}",
            d.year(),
            d.month(),
            d.day(),
            ZH_DAYS[wd],
            times
        ),
        Lang::En => format!(
            "{} {} {} {} {}",
            EN_DAYS[wd],
            d.day(),
            EN_MONTHS[d.month0() as usize],
            d.year(),
            times
        ),
    }
}

/// "2026年5月12日 周二 19:00" or "Tue 12 May 2026 19:00": one moment, such as a start.
pub fn moment(lang: Lang, at: Timestamp) -> String {
    let day = session_when(lang, at, at);
    let cut = day.rfind('–').unwrap_or(day.len());
    day[..cut].to_string()
}

/// A notice in words: its subject line and its text.
pub fn word_notice(notice: &crate::domain::messages::Notice, lang: Lang) -> (String, String) {
    use crate::domain::messages::Notice;
    let when = |at: i64| moment(lang, Timestamp(at));
    match notice {
        Notice::SessionMoved {
            title,
            starts_at,
            ends_at,
            place,
            was_starts_at,
            was_place,
            ..
        } => (
            Key::NoticeMovedSubject.fill(lang, std::slice::from_ref(title)),
            Key::NoticeMovedText.fill(
                lang,
                &[
                    title.clone(),
                    session_when(lang, Timestamp(*starts_at), Timestamp(*ends_at)),
                    place.clone(),
                    when(*was_starts_at),
                    was_place.clone(),
                ],
            ),
        ),
        Notice::SessionCancelled {
            title,
            starts_at,
            reason,
            ..
        } => (
            Key::NoticeCancelledSubject.fill(lang, std::slice::from_ref(title)),
            Key::NoticeCancelledText.fill(lang, &[when(*starts_at), title.clone(), reason.clone()]),
        ),
        Notice::Tomorrow {
            title,
            starts_at,
            ends_at,
            place,
            ..
        } => (
            Key::NoticeTomorrowSubject.fill(lang, std::slice::from_ref(title)),
            Key::NoticeTomorrowText.fill(
                lang,
                &[
                    title.clone(),
                    session_when(lang, Timestamp(*starts_at), Timestamp(*ends_at)),
                    place.clone(),
                ],
            ),
        ),
        Notice::NotCheckedIn {
            title,
            starts_at,
            place,
            ..
        } => (
            Key::NoticeNotCheckedInSubject.fill(lang, std::slice::from_ref(title)),
            Key::NoticeNotCheckedInText.fill(
                lang,
                &[title.clone(), Timestamp(*starts_at).hh_mm(), place.clone()],
            ),
        ),
        Notice::Announcement { title, .. } => (
            Key::NoticeAnnouncementSubject.fill(lang, std::slice::from_ref(title)),
            Key::NoticeAnnouncementText.fill(lang, std::slice::from_ref(title)),
        ),
        Notice::AnnouncementReminder { title, .. } => (
            Key::NoticeAnnouncementReminderSubject.fill(lang, std::slice::from_ref(title)),
            Key::NoticeAnnouncementReminderText.fill(lang, std::slice::from_ref(title)),
        ),
        Notice::LeaveDecided {
            title,
            starts_at,
            approved: true,
            make_up_due: Some(due),
            ..
        } => (
            Key::NoticeLeaveApprovedSubject.fill(lang, std::slice::from_ref(title)),
            Key::NoticeDutyLeaveText.fill(lang, &[when(*starts_at), title.clone(), when(*due)]),
        ),
        Notice::LeaveDecided {
            title,
            starts_at,
            approved,
            ..
        } => {
            let (subject, text) = if *approved {
                (
                    Key::NoticeLeaveApprovedSubject,
                    Key::NoticeLeaveApprovedText,
                )
            } else {
                (
                    Key::NoticeLeaveDeclinedSubject,
                    Key::NoticeLeaveDeclinedText,
                )
            };
            (
                subject.fill(lang, std::slice::from_ref(title)),
                text.fill(lang, &[when(*starts_at), title.clone()]),
            )
        }
        Notice::WishAnswered {
            title,
            starts_at,
            wish,
            ..
        } => (
            Key::NoticeWishAnsweredSubject.fill(lang, std::slice::from_ref(title)),
            Key::NoticeWishAnsweredText
                .fill(lang, &[wish.clone(), when(*starts_at), title.clone()]),
        ),
        Notice::CorrectionDecided {
            title,
            starts_at,
            approved,
            ..
        } => {
            let (subject, text) = if *approved {
                (
                    Key::NoticeCorrectionApprovedSubject,
                    Key::NoticeCorrectionApprovedText,
                )
            } else {
                (
                    Key::NoticeCorrectionDeclinedSubject,
                    Key::NoticeCorrectionDeclinedText,
                )
            };
            (
                subject.fill(lang, std::slice::from_ref(title)),
                text.fill(lang, &[when(*starts_at), title.clone()]),
            )
        }
        Notice::MakeUpDecided {
            title,
            starts_at,
            approved,
            ..
        } => {
            let (subject, text) = if *approved {
                (
                    Key::NoticeMakeUpApprovedSubject,
                    Key::NoticeMakeUpApprovedText,
                )
            } else {
                (
                    Key::NoticeMakeUpDeclinedSubject,
                    Key::NoticeMakeUpDeclinedText,
                )
            };
            (
                subject.fill(lang, std::slice::from_ref(title)),
                text.fill(lang, &[when(*starts_at), title.clone()]),
            )
        }
        Notice::SessionScheduled {
            title,
            starts_at,
            ends_at,
            place,
            more,
            ..
        } => {
            let when = session_when(lang, Timestamp(*starts_at), Timestamp(*ends_at));
            let text = if *more > 0 {
                Key::NoticeScheduledSeriesText.fill(
                    lang,
                    &[title.clone(), when, place.clone(), more.to_string()],
                )
            } else {
                Key::NoticeScheduledText.fill(lang, &[title.clone(), when, place.clone()])
            };
            (
                Key::NoticeScheduledSubject.fill(lang, std::slice::from_ref(title)),
                text,
            )
        }
        Notice::Warned {
            name,
            community,
            warning,
            own,
            ..
        } => {
            use crate::domain::messages::Warning;
            let subject = match (own, warning) {
                (true, Warning::ThreeMissed { .. }) => Key::NoticeMissedOwnSubject.fill(lang, &[]),
                (true, Warning::UnderMinimum { .. }) => Key::NoticeUnderOwnSubject.fill(lang, &[]),
                (false, _) => Key::NoticeWarnedSubject.fill(lang, std::slice::from_ref(name)),
            };
            let text = match warning {
                Warning::ThreeMissed { dates } => {
                    let sep = if lang == Lang::Zh { "、" } else { ", " };
                    let dates = dates
                        .iter()
                        .map(|d| day_of_year(lang, Timestamp(*d)))
                        .collect::<Vec<_>>()
                        .join(sep);
                    if *own {
                        Key::NoticeMissedOwnText.fill(lang, &[dates])
                    } else {
                        Key::NoticeMissedText.fill(lang, &[name.clone(), community.clone(), dates])
                    }
                }
                Warning::UnderMinimum {
                    percent,
                    minimum,
                    on,
                } => {
                    let on = day_of_year(lang, Timestamp(*on));
                    if *own {
                        Key::NoticeUnderOwnText
                            .fill(lang, &[on, percent.to_string(), minimum.to_string()])
                    } else {
                        Key::NoticeUnderText.fill(
                            lang,
                            &[
                                on,
                                name.clone(),
                                community.clone(),
                                percent.to_string(),
                                minimum.to_string(),
                            ],
                        )
                    }
                }
            };
            (subject, text)
        }
        Notice::ClaimDecided {
            training,
            approved,
            reason,
            ..
        } => {
            if *approved {
                (
                    Key::NoticeClaimApprovedSubject.fill(lang, std::slice::from_ref(training)),
                    Key::NoticeClaimApprovedText.fill(lang, std::slice::from_ref(training)),
                )
            } else {
                (
                    Key::NoticeClaimDeclinedSubject.fill(lang, std::slice::from_ref(training)),
                    Key::NoticeClaimDeclinedText.fill(lang, &[training.clone(), reason.clone()]),
                )
            }
        }
        Notice::Certificate {
            serial,
            title,
            programme,
            year,
            revoked,
            reason,
        } => {
            let args = [
                title.clone(),
                programme.clone(),
                year.to_string(),
                serial.clone(),
                reason.clone(),
            ];
            if *revoked {
                (
                    Key::NoticeCertificateRevokedSubject.fill(lang, &args),
                    Key::NoticeCertificateRevokedText.fill(lang, &args),
                )
            } else {
                (
                    Key::NoticeCertificateIssuedSubject.fill(lang, &args),
                    Key::NoticeCertificateIssuedText.fill(lang, &args),
                )
            }
        }
        Notice::SuggestionReply {
            title,
            answered,
            closed,
            ..
        } => {
            let (subject, text) = match (answered, closed) {
                (true, false) => (Key::NoticeReplySubject, Key::NoticeReplyText),
                (true, true) => (Key::NoticeReplySubject, Key::NoticeReplyClosedText),
                (false, _) => (Key::NoticeClosedSubject, Key::NoticeClosedText),
            };
            (
                subject.fill(lang, std::slice::from_ref(title)),
                text.fill(lang, std::slice::from_ref(title)),
            )
        }
    }
}

/// The language signal every component reads.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Lang>);

pub fn provide_i18n(initial: Lang) {
    provide_context(I18n(RwSignal::new(initial)));
}

pub fn use_lang() -> RwSignal<Lang> {
    use_context::<I18n>()
        .map(|i| i.0)
        .unwrap_or_else(|| RwSignal::new(Lang::Zh))
}

impl Key {
    /// The message with each `{}` replaced by the next argument, in order, and each `{n}` by
    /// the n-th (from 0): for sentences whose words go round their values differently in
    /// each language.
    pub fn fill(self, lang: Lang, args: &[String]) -> String {
        Key::fill_text(self.text(lang), args)
    }

    fn fill_text(text: &str, args: &[String]) -> String {
        let mut out = String::new();
        let mut next = 0;
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) if after[..close].bytes().all(|b| b.is_ascii_digit()) => {
                    let index = if close == 0 {
                        next += 1;
                        next - 1
                    } else {
                        after[..close].parse().unwrap_or(usize::MAX)
                    };
                    out.push_str(args.get(index).map_or("", String::as_str));
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// A reactive sentence for `key` with its arguments: `{tf(Key::PromoteTo, [name])}`.
pub fn tf<const N: usize>(
    key: Key,
    args: [String; N],
) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let lang = use_lang();
    move || key.fill(lang.get(), &args)
}

/// A reactive text for `key`: `{t(Key::Login)}` in a view.
pub fn t(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || key.text(lang.get())
}

/// The language of this request: its cookie on the server, the rendered `<html lang>` in
/// the browser (so hydration starts from what the server rendered).
pub fn initial_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|p| {
                p.headers
                    .get_all(http::header::COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find_map(|v| crate::domain::cookie::cookie_in(v, LANG_COOKIE))
                    .map(Lang::from_code)
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .map(|code| Lang::from_code(&code))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes() {
        assert_eq!(Lang::from_code("en"), Lang::En);
        assert_eq!(Lang::from_code("en-GB"), Lang::En);
        assert_eq!(Lang::from_code("zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_code("fr"), Lang::Zh);
        assert_eq!(Lang::Zh.other(), Lang::En);
    }

    #[test]
    fn every_key_has_both_languages() {
        for key in [Key::AppName, Key::Login, Key::ErrBadCredentials, Key::Menu] {
            assert!(!key.text(Lang::Zh).is_empty());
            assert_ne!(key.text(Lang::Zh), key.text(Lang::En));
        }
    }

    /// The arguments a message uses: `{}` takes the next, `{n}` the n-th.
    fn arguments(text: &str) -> std::collections::BTreeSet<usize> {
        let marked: Vec<String> = (0..10).map(|i| format!("<{i}>")).collect();
        let args: Vec<String> = marked.clone();
        let filled = Key::fill_text(text, &args);
        (0..10).filter(|i| filled.contains(&marked[*i])).collect()
    }

    #[test]
    fn every_message_exists_in_both_languages_with_the_same_arguments() {
        for key in Key::ALL {
            let (zh, en) = (key.text(Lang::Zh), key.text(Lang::En));
            assert!(!zh.is_empty() && !en.is_empty(), "{key:?}");
            assert_eq!(
                arguments(zh),
                arguments(en),
                "{key:?} takes the same arguments in both languages"
            );
        }
    }

    #[test]
    fn numbered_arguments_go_where_they_are_numbered() {
        let args = ["5", "12"].map(String::from);
        assert_eq!(
            Key::AuditLatest.fill(Lang::En, &args),
            "The latest 5 of 12 shown; the XLSX download has them all on its “修改记录” (audit trail) sheet."
        );
        assert_eq!(Key::fill_text("{1}-{0}-{}-{}", &args), "12-5-5-12");
        assert_eq!(Key::fill_text("{x} {", &args), "{x} {");
    }

    #[test]
    fn arguments_go_where_each_language_puts_them() {
        let args = ["19:00".to_string()];
        assert_eq!(Key::CheckinOpensAt.fill(Lang::Zh, &args), "19:00 开始签到");
        assert_eq!(
            Key::CheckinOpensAt.fill(Lang::En, &args),
            "Check-in opens at 19:00"
        );
        let three = ["1/7", "3.5", "20"].map(String::from);
        assert_eq!(
            Key::LeaveCapWarning.fill(Lang::Zh, &three),
            "批准后，该学员本年度请假将超过上限 1/7（已请假 3.5 学时，应学 20 学时）"
        );
        // A missing argument leaves a gap, never a panic.
        assert_eq!(Key::PromoteTo.fill(Lang::En, &[]), "Promote to ");
    }

    #[test]
    fn session_times_read_naturally() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 5, 12).unwrap();
        let start = Timestamp::from_local(d, 19, 0).unwrap();
        let end = Timestamp::from_local(d, 21, 0).unwrap();
        assert_eq!(
            session_when(Lang::Zh, start, end),
            "2026年5月12日 周二 19:00–21:00"
        );
        assert_eq!(
            session_when(Lang::En, start, end),
            "Tue 12 May 2026 19:00–21:00"
        );
    }
}
