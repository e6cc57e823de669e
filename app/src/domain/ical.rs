//! iCalendar (RFC 5545) for timetables: a feed a phone's calendar app subscribes to, and a
//! single-session download. Times carry TZID=Asia/Shanghai with its VTIMEZONE; each session
//! keeps one UID so an edited or cancelled session replaces the event instead of adding one.
//! Each event that still takes place carries the person's reminder (`VALARM`, two hours
//! before unless they chose otherwise), which the phone's own calendar gives at no cost.
use chrono::Datelike;
use chrono::Timelike;

use super::Timestamp;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarEvent {
    pub session_id: i64,
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub cancelled: bool,
    /// When the session was last changed.
    pub updated_at: Timestamp,
    /// How many times it was changed: calendar apps keep the event with the highest SEQUENCE.
    pub revision: i64,
}

/// How long before a session its calendar event reminds, unless the person chose otherwise.
pub const DEFAULT_ALARM_MINUTES: i64 = 120;

/// The reminders a person may choose, in minutes before the start; 0 is none.
pub const ALARM_CHOICES: [i64; 6] = [0, 30, 60, 120, 240, 1440];

/// A reminder chosen in a form: one of [`ALARM_CHOICES`].
pub fn parse_alarm(raw: &str) -> Result<i64, super::account::Invalid> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|m| ALARM_CHOICES.contains(m))
        .ok_or(super::account::Invalid::AlarmTime)
}

/// The UID of a session's event; `host` keeps UIDs of two installations apart.
pub fn uid(session_id: i64, host: &str) -> String {
    format!("session-{session_id}@{host}")
}

fn local_stamp(ts: Timestamp) -> String {
    let t = ts.local();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn utc_stamp(ts: Timestamp) -> String {
    let t = chrono::DateTime::from_timestamp(ts.0, 0).unwrap_or_default();
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT value escaping (RFC 5545 §3.3.11).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (§3.1).
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

const VTIMEZONE: [&str; 9] = [
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Shanghai",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// A whole VCALENDAR with CRLF line endings. Every event that still takes place reminds
/// `alarm_minutes` before its start (none when 0); a cancelled one never reminds.
pub fn calendar(name: &str, host: &str, events: &[CalendarEvent], alarm_minutes: i64) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Night School//夜校//ZH".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape(name)),
        "X-WR-TIMEZONE:Asia/Shanghai".into(),
    ];
    lines.extend(VTIMEZONE.iter().map(|l| l.to_string()));
    for e in events {
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}", uid(e.session_id, host)));
        lines.push(format!("DTSTAMP:{}", utc_stamp(e.updated_at)));
        lines.push(format!("SEQUENCE:{}", e.revision.max(0)));
        lines.push(format!(
            "DTSTART;TZID=Asia/Shanghai:{}",
            local_stamp(e.starts_at)
        ));
        lines.push(format!(
            "DTEND;TZID=Asia/Shanghai:{}",
            local_stamp(e.ends_at)
        ));
        lines.push(format!("SUMMARY:{}", escape(&e.title)));
        if !e.place.is_empty() {
            lines.push(format!("LOCATION:{}", escape(&e.place)));
        }
        if !e.description.is_empty() {
            lines.push(format!("DESCRIPTION:{}", escape(&e.description)));
        }
        lines.push(format!(
            "STATUS:{}",
            if e.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ));
        if alarm_minutes > 0 && !e.cancelled {
            lines.push("BEGIN:VALARM".into());
            lines.push("ACTION:DISPLAY".into());
            let what = if e.place.is_empty() {
                format!("{} {}", e.starts_at.hh_mm(), e.title)
            } else {
                format!("{} {} · {}", e.starts_at.hh_mm(), e.title, e.place)
            };
            lines.push(format!("DESCRIPTION:{}", escape(&what)));
            lines.push(format!("TRIGGER;RELATED=START:-PT{alarm_minutes}M"));
            lines.push("END:VALARM".into());
        }
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn event(cancelled: bool) -> CalendarEvent {
        let d = NaiveDate::from_ymd_opt(2026, 5, 12).unwrap();
        let start = Timestamp::from_local(d, 19, 0).unwrap();
        CalendarEvent {
            session_id: 42,
            title: "基层社会治理专题（一）：党建引领“三长”制, 第1期; 集中授课".into(),
            description: "第一行\n第二行 \\ 结束".into(),
            place: "街道党群服务中心三楼会议室".into(),
            starts_at: start,
            ends_at: Timestamp(start.0 + 7200),
            cancelled,
            updated_at: Timestamp(1_780_000_000),
            revision: 2,
        }
    }

    fn unfold(text: &str) -> String {
        text.replace("\r\n ", "")
    }

    #[test]
    fn events_carry_shanghai_times_and_a_stable_uid() {
        let ics = calendar("我的课程", "nightschool.example", &[event(false)], 0);
        let plain = unfold(&ics);
        assert!(plain.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(plain.contains("\r\nUID:session-42@nightschool.example\r\n"));
        assert!(plain.contains("\r\nDTSTART;TZID=Asia/Shanghai:20260512T190000\r\n"));
        assert!(plain.contains("\r\nDTEND;TZID=Asia/Shanghai:20260512T210000\r\n"));
        assert!(plain.contains("\r\nTZID:Asia/Shanghai\r\n"));
        assert!(plain.contains("\r\nSTATUS:CONFIRMED\r\n"));
        assert!(plain.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(plain.matches("BEGIN:VEVENT").count(), 1);
        let cancelled = unfold(&calendar(
            "我的课程",
            "nightschool.example",
            &[event(true)],
            0,
        ));
        assert!(cancelled.contains("\r\nSTATUS:CANCELLED\r\n"));
        assert!(
            cancelled.contains("\r\nUID:session-42@nightschool.example\r\n"),
            "same UID replaces the event"
        );
    }

    #[test]
    fn a_session_that_takes_place_reminds_as_long_before_as_chosen() {
        let plain = unfold(&calendar("x", "h", &[event(false)], DEFAULT_ALARM_MINUTES));
        let alarm = plain
            .split("BEGIN:VALARM\r\n")
            .nth(1)
            .and_then(|rest| rest.split("END:VALARM").next())
            .expect("a VALARM inside the event");
        assert!(alarm.contains("ACTION:DISPLAY\r\n"), "{alarm}");
        assert!(
            alarm.contains("TRIGGER;RELATED=START:-PT120M\r\n"),
            "{alarm}"
        );
        assert!(
            alarm.contains("DESCRIPTION:19:00 基层社会治理专题"),
            "says when and what: {alarm}"
        );
        assert!(
            alarm.contains("· 街道党群服务中心三楼会议室\r\n"),
            "{alarm}"
        );
        // Inside the event: after its start, before its end.
        let (event_start, alarm_at, event_end) = (
            plain.find("BEGIN:VEVENT").unwrap(),
            plain.find("BEGIN:VALARM").unwrap(),
            plain.find("END:VEVENT").unwrap(),
        );
        assert!(event_start < alarm_at && alarm_at < event_end);
        let day_before = unfold(&calendar("x", "h", &[event(false)], 1440));
        assert!(day_before.contains("TRIGGER;RELATED=START:-PT1440M\r\n"));
        for (events, minutes, why) in [
            ([event(false)], 0, "no reminder chosen"),
            ([event(true)], 120, "a cancelled session"),
        ] {
            let plain = unfold(&calendar("x", "h", &events, minutes));
            assert!(!plain.contains("VALARM"), "{why}");
        }
    }

    #[test]
    fn only_the_offered_reminders_are_taken() {
        for m in ALARM_CHOICES {
            assert_eq!(parse_alarm(&m.to_string()), Ok(m));
        }
        assert_eq!(parse_alarm(" 60 "), Ok(60));
        for bad in ["", "abc", "-30", "45", "100000", "120.5"] {
            assert_eq!(
                parse_alarm(bad),
                Err(super::super::account::Invalid::AlarmTime),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn text_is_escaped() {
        let plain = unfold(&calendar("x", "h", &[event(false)], 0));
        assert!(
            plain.contains(
                "SUMMARY:基层社会治理专题（一）：党建引领“三长”制\\, 第1期\\; 集中授课\r\n"
            )
        );
        assert!(plain.contains("DESCRIPTION:第一行\\n第二行 \\\\ 结束\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let ics = calendar("x", "h", &[event(false)], DEFAULT_ALARM_MINUTES);
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let long = "讲".repeat(60);
        let folded = fold(&format!("SUMMARY:{long}"));
        assert!(folded.contains("\r\n "));
        assert_eq!(unfold(&folded), format!("SUMMARY:{long}\r\n"));
    }
}
