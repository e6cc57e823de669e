//! Instants are stored as Unix seconds and shown in Asia/Shanghai, which has had no daylight
//! saving since 1991: a fixed +08:00 offset is exact for every date the product handles.
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Timelike};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp(pub i64);

pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

impl Timestamp {
    #[cfg(feature = "ssr")]
    pub fn now() -> Self {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp(since_epoch.as_secs() as i64)
    }

    pub fn local(self) -> DateTime<FixedOffset> {
        // Out-of-range instants (beyond year 262143) fall back to the epoch.
        DateTime::from_timestamp(self.0, 0)
            .unwrap_or_default()
            .with_timezone(&shanghai())
    }

    pub fn local_date(self) -> NaiveDate {
        self.local().date_naive()
    }

    /// The instant of a local wall-clock time in Shanghai.
    pub fn from_local(date: NaiveDate, hour: u32, minute: u32) -> Option<Timestamp> {
        let naive = date.and_hms_opt(hour, minute, 0)?;
        shanghai()
            .from_local_datetime(&naive)
            .single()
            .map(|dt| Timestamp(dt.timestamp()))
    }

    /// Midnight at the start and end of the local day containing this instant.
    pub fn local_day_bounds(self) -> (Timestamp, Timestamp) {
        let date = self.local_date();
        let start = Timestamp::from_local(date, 0, 0).unwrap_or(self);
        (start, Timestamp(start.0 + 24 * 3600))
    }

    pub fn hh_mm(self) -> String {
        let t = self.local();
        format!("{:02}:{:02}", t.hour(), t.minute())
    }

    pub fn weekday_index(self) -> usize {
        self.local().weekday().num_days_from_monday() as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_is_eight_hours_ahead_of_utc() {
        // 2026-05-12 19:00 in Shanghai is 11:00 UTC.
        let d = NaiveDate::from_ymd_opt(2026, 5, 12).unwrap();
        let ts = Timestamp::from_local(d, 19, 0).unwrap();
        assert_eq!(ts.0, 1_778_583_600);
        assert_eq!(ts.hh_mm(), "19:00");
        assert_eq!(ts.local_date(), d);
        assert_eq!(ts.weekday_index(), 1); // Tuesday
    }

    #[test]
    fn local_day_runs_midnight_to_midnight() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let late = Timestamp::from_local(d, 23, 59).unwrap();
        let (start, end) = late.local_day_bounds();
        assert_eq!(start, Timestamp::from_local(d, 0, 0).unwrap());
        assert_eq!(end.local_date(), d.succ_opt().unwrap());
        // 00:30 the next day belongs to the next local day although UTC still says the 26th.
        let after = Timestamp::from_local(d.succ_opt().unwrap(), 0, 30).unwrap();
        assert!(after >= end);
    }
}
