//! Week and month calendars: which days a view shows and where its arrows lead. Weeks run
//! Monday to Sunday, as Chinese calendars print them.
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CalendarView {
    #[default]
    Week,
    Month,
}

impl CalendarView {
    pub fn as_str(self) -> &'static str {
        match self {
            CalendarView::Week => "week",
            CalendarView::Month => "month",
        }
    }

    /// Anything unknown is the week view, the one that reads best on a phone.
    pub fn parse(raw: &str) -> CalendarView {
        if raw == "month" {
            CalendarView::Month
        } else {
            CalendarView::Week
        }
    }
}

/// The days a view shows (whole weeks) and the neighbouring views' anchor dates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarSpan {
    pub view: CalendarView,
    /// The date the view was asked for.
    pub anchor: NaiveDate,
    /// First shown day (a Monday) and the day after the last shown day (a Monday).
    pub first: NaiveDate,
    pub end: NaiveDate,
    pub previous: NaiveDate,
    pub next: NaiveDate,
}

pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

impl CalendarSpan {
    pub fn new(view: CalendarView, anchor: NaiveDate) -> CalendarSpan {
        match view {
            CalendarView::Week => {
                let first = monday_of(anchor);
                CalendarSpan {
                    view,
                    anchor,
                    first,
                    end: first + Days::new(7),
                    previous: first - Days::new(7),
                    next: first + Days::new(7),
                }
            }
            CalendarView::Month => {
                let month = first_of_month(anchor);
                let following = month + Months::new(1);
                let first = monday_of(month);
                // The grid ends with the week that holds the month's last day.
                let end = monday_of(following - Days::new(1)) + Days::new(7);
                CalendarSpan {
                    view,
                    anchor,
                    first,
                    end,
                    previous: month - Months::new(1),
                    next: following,
                }
            }
        }
    }

    /// Every shown day, in order.
    pub fn days(&self) -> Vec<NaiveDate> {
        self.first
            .iter_days()
            .take_while(|d| *d < self.end)
            .collect()
    }

    /// Whether `day` belongs to the month being shown (days of the neighbouring months are
    /// greyed in the month grid).
    pub fn in_focus(&self, day: NaiveDate) -> bool {
        match self.view {
            CalendarView::Week => true,
            CalendarView::Month => {
                day.year() == self.anchor.year() && day.month() == self.anchor.month()
            }
        }
    }
}

/// Reads `YYYY-MM-DD` (or `YYYY-MM` for a month); anything else means `today`.
pub fn parse_anchor(raw: &str, today: NaiveDate) -> NaiveDate {
    let raw = raw.trim();
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d"))
        .ok()
        .filter(|d| (2000..=2100).contains(&d.year()))
        .unwrap_or(today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weeks_run_monday_to_sunday() {
        // 2026-11-26 is a Thursday.
        let span = CalendarSpan::new(CalendarView::Week, d(2026, 11, 26));
        assert_eq!(span.first, d(2026, 11, 23));
        assert_eq!(span.end, d(2026, 11, 30));
        assert_eq!(span.days().len(), 7);
        assert_eq!(
            (span.previous, span.next),
            (d(2026, 11, 16), d(2026, 11, 30))
        );
        // A Sunday belongs to the week that started six days before.
        assert_eq!(monday_of(d(2026, 11, 29)), d(2026, 11, 23));
        assert_eq!(monday_of(d(2026, 11, 23)), d(2026, 11, 23));
    }

    #[test]
    fn month_grids_cover_whole_weeks() {
        let cases = [
            // (anchor, first shown, end, weeks)
            (d(2026, 11, 26), d(2026, 10, 26), d(2026, 12, 7), 6),
            // February 2027 starts on a Monday and ends on a Sunday: exactly four weeks.
            (d(2027, 2, 14), d(2027, 2, 1), d(2027, 3, 1), 4),
            (d(2026, 12, 1), d(2026, 11, 30), d(2027, 1, 4), 5),
        ];
        for (anchor, first, end, weeks) in cases {
            let span = CalendarSpan::new(CalendarView::Month, anchor);
            assert_eq!((span.first, span.end), (first, end), "{anchor}");
            assert_eq!(span.days().len(), weeks * 7, "{anchor}");
        }
        let nov = CalendarSpan::new(CalendarView::Month, d(2026, 11, 26));
        assert_eq!((nov.previous, nov.next), (d(2026, 10, 1), d(2026, 12, 1)));
        assert!(nov.in_focus(d(2026, 11, 1)) && !nov.in_focus(d(2026, 10, 31)));
        let dec = CalendarSpan::new(CalendarView::Month, d(2026, 12, 31));
        assert_eq!(dec.next, d(2027, 1, 1));
    }

    #[test]
    fn anchors_are_read_leniently() {
        let today = d(2026, 11, 26);
        assert_eq!(parse_anchor("2026-12-03", today), d(2026, 12, 3));
        assert_eq!(parse_anchor("2027-02", today), d(2027, 2, 1));
        assert_eq!(parse_anchor("", today), today);
        assert_eq!(parse_anchor("2026-13-01", today), today);
        assert_eq!(parse_anchor("9999-01-01", today), today);
        assert_eq!(CalendarView::parse("month"), CalendarView::Month);
        assert_eq!(CalendarView::parse("year"), CalendarView::Week);
    }
}
