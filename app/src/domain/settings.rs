//! Whose rules apply: the district sets every rule once, and a subdistrict may set its own
//! over it (the study-hours rule, the leave cap, the credit shares, the door's networks,
//! its tiers' targets and requirements). What a subdistrict has not set follows the
//! district. Pure: the rows come from `ssr::db`, and a caller asks with the subdistrict of
//! the cadre or session concerned.
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::hours::HoursRule;
use super::progress::Credits;
use super::share::Share;

/// Whose rules a page shows and a form changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RuleHolder {
    /// The district's rules: every subdistrict's unless it sets its own.
    District,
    Subdistrict(i64),
}

impl RuleHolder {
    /// The spelling in addresses and forms: `district` or `subdistrict:3`.
    pub fn token(self) -> String {
        match self {
            RuleHolder::District => "district".into(),
            RuleHolder::Subdistrict(id) => format!("subdistrict:{id}"),
        }
    }

    pub fn parse_token(s: &str) -> Option<RuleHolder> {
        match super::org::Unit::parse_token(s)? {
            super::org::Unit::District => Some(RuleHolder::District),
            super::org::Unit::Subdistrict(id) => Some(RuleHolder::Subdistrict(id)),
            super::org::Unit::Community(_) => None,
        }
    }

    /// The subdistrict, when it is one.
    pub fn subdistrict(self) -> Option<i64> {
        match self {
            RuleHolder::District => None,
            RuleHolder::Subdistrict(id) => Some(id),
        }
    }
}

/// The settings keys of the credit shares.
/// The key of the organiser-editable study-hours rule (minutes per 学时).
pub const HOURS_RULE_KEY: &str = "hours.minutes_per_hour";
pub const LATE_SHARE_KEY: &str = "progress.late_share";
pub const LECTURING_SHARE_KEY: &str = "progress.lecturing_share";
pub const LEAVE_CAP_KEY: &str = "attendance.leave_cap";
pub const MAKE_UP_KEY: &str = "attendance.make_up_share";
/// Addresses of the venue's networks (one per line).
pub const VENUE_NETWORKS_SETTING: &str = "door.venue_networks";
/// `0` lets walk-ins earn hours without an organiser's confirmation.
pub const CONFIRM_WALK_INS_SETTING: &str = "door.confirm_walk_ins";
/// The salt of a renewed door key (random; the key is derived from the install's secret).
pub const DOOR_SALT_SETTING: &str = "door.key_salt";

/// Every setting, the district's and each subdistrict's own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SettingBook {
    district: HashMap<String, String>,
    own: HashMap<i64, HashMap<String, String>>,
}

impl SettingBook {
    /// From `(subdistrict, key, value)` rows; `None` is the district's.
    pub fn from_rows(rows: impl IntoIterator<Item = (Option<i64>, String, String)>) -> Self {
        let mut book = SettingBook::default();
        for (holder, key, value) in rows {
            match holder {
                None => book.district.insert(key, value),
                Some(id) => book.own.entry(id).or_default().insert(key, value),
            };
        }
        book
    }

    /// The value in force for a subdistrict (`None`: the district, or a district session).
    pub fn get(&self, subdistrict: Option<i64>, key: &str) -> Option<&str> {
        subdistrict
            .and_then(|id| self.own.get(&id))
            .and_then(|own| own.get(key))
            .or_else(|| self.district.get(key))
            .map(String::as_str)
    }

    /// The value the holder set itself (the district's for the district).
    pub fn set_by(&self, holder: RuleHolder, key: &str) -> Option<&str> {
        match holder {
            RuleHolder::District => self.district.get(key),
            RuleHolder::Subdistrict(id) => self.own.get(&id).and_then(|own| own.get(key)),
        }
        .map(String::as_str)
    }

    /// Whether the subdistrict set any of `keys` itself.
    pub fn sets_any(&self, subdistrict: i64, keys: &[&str]) -> bool {
        self.own
            .get(&subdistrict)
            .is_some_and(|own| keys.iter().any(|k| own.contains_key(*k)))
    }

    /// A share in force, or `default` when unset or unreadable.
    pub fn share(&self, subdistrict: Option<i64>, key: &str, default: Share) -> Share {
        self.get(subdistrict, key)
            .and_then(Share::parse)
            .unwrap_or(default)
    }

    /// The share of a cadre's scheduled hours their approved leave may reach.
    pub fn leave_cap(&self, subdistrict: Option<i64>) -> Share {
        self.share(subdistrict, LEAVE_CAP_KEY, Share::LEAVE_CAP)
    }

    /// How many minutes make one study hour for sessions the subdistrict (or the district,
    /// `None`) holds; the default when unset or unreadable.
    pub fn hours_rule(&self, subdistrict: Option<i64>) -> HoursRule {
        HoursRule::from_setting(self.get(subdistrict, HOURS_RULE_KEY))
    }

    /// The credit shares in force for a cadre of the subdistrict.
    pub fn credits(&self, subdistrict: Option<i64>) -> Credits {
        let full = Share { num: 1, den: 1 };
        Credits {
            late: self.share(subdistrict, LATE_SHARE_KEY, full),
            make_up: self.share(subdistrict, MAKE_UP_KEY, Share::MAKE_UP),
            lecturing: self.share(subdistrict, LECTURING_SHARE_KEY, full),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> SettingBook {
        SettingBook::from_rows([
            (None, LEAVE_CAP_KEY.to_string(), "1/7".to_string()),
            (None, MAKE_UP_KEY.to_string(), "50%".to_string()),
            (Some(2), LEAVE_CAP_KEY.to_string(), "1/5".to_string()),
            (Some(2), LATE_SHARE_KEY.to_string(), "不是分数".to_string()),
            (Some(3), "door.venue_networks".to_string(), "".to_string()),
        ])
    }

    #[test]
    fn a_subdistrict_follows_the_district_until_it_sets_its_own() {
        let b = book();
        assert_eq!(b.leave_cap(None), Share { num: 1, den: 7 });
        assert_eq!(b.leave_cap(Some(1)), Share { num: 1, den: 7 });
        assert_eq!(b.leave_cap(Some(2)), Share { num: 1, den: 5 });
        assert_eq!(b.credits(Some(2)).make_up, Share { num: 1, den: 2 });
        // Unreadable values fall back to the default, not to nonsense.
        assert_eq!(b.credits(Some(2)).late, Share { num: 1, den: 1 });
        // An empty value set by the subdistrict is still its own.
        assert_eq!(b.get(Some(3), "door.venue_networks"), Some(""));
        assert_eq!(b.get(None, "door.venue_networks"), None);
    }

    #[test]
    fn the_hours_rule_in_force_is_the_holders_own_or_the_districts() {
        let b = SettingBook::from_rows([
            (None, HOURS_RULE_KEY.to_string(), "45".to_string()),
            (Some(2), HOURS_RULE_KEY.to_string(), "30".to_string()),
            (Some(3), HOURS_RULE_KEY.to_string(), "一小时".to_string()),
            (Some(4), HOURS_RULE_KEY.to_string(), "500".to_string()),
        ]);
        assert_eq!(b.hours_rule(None).minutes_per_hour, 45);
        assert_eq!(b.hours_rule(Some(1)).minutes_per_hour, 45);
        assert_eq!(b.hours_rule(Some(2)).minutes_per_hour, 30);
        // A value that is not a rule falls back to the default, not to the district's.
        let default = HoursRule::default().minutes_per_hour;
        assert_eq!(b.hours_rule(Some(3)).minutes_per_hour, default);
        assert_eq!(b.hours_rule(Some(4)).minutes_per_hour, default);
        assert_eq!(
            SettingBook::default().hours_rule(None).minutes_per_hour,
            default
        );
    }

    #[test]
    fn what_a_holder_set_itself_is_told_apart() {
        let b = book();
        assert_eq!(b.set_by(RuleHolder::District, LEAVE_CAP_KEY), Some("1/7"));
        assert_eq!(b.set_by(RuleHolder::Subdistrict(1), LEAVE_CAP_KEY), None);
        assert_eq!(
            b.set_by(RuleHolder::Subdistrict(2), LEAVE_CAP_KEY),
            Some("1/5")
        );
        assert!(b.sets_any(2, &[MAKE_UP_KEY, LEAVE_CAP_KEY]));
        assert!(!b.sets_any(2, &[MAKE_UP_KEY]));
        assert!(!b.sets_any(9, &[LEAVE_CAP_KEY]));
    }

    #[test]
    fn holders_round_trip_as_tokens() {
        for h in [RuleHolder::District, RuleHolder::Subdistrict(4)] {
            assert_eq!(RuleHolder::parse_token(&h.token()), Some(h));
        }
        assert_eq!(RuleHolder::parse_token("community:3"), None);
        assert_eq!(RuleHolder::parse_token("subdistrict:0"), None);
        assert_eq!(RuleHolder::parse_token(""), None);
    }
}
