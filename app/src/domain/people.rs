//! People in the programme and where they serve.
use serde::{Deserialize, Serialize};

/// A person's post. Cadres of the programme are community two-committee members, party
/// secretaries, Youth League branch secretaries and grid workers; lecturers and organisers
/// come from the subdistrict's leadership and offices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Position {
    /// 社区党组织书记
    PartySecretary,
    /// 社区“两委”成员
    TwoCommittee,
    /// 团支部书记
    LeagueSecretary,
    /// 网格员
    GridWorker,
    /// 街道领导班子成员
    SubdistrictLeader,
    /// 街道工作人员（组织办等）
    SubdistrictStaff,
}

impl Position {
    pub const ALL: [Position; 6] = [
        Position::PartySecretary,
        Position::TwoCommittee,
        Position::LeagueSecretary,
        Position::GridWorker,
        Position::SubdistrictLeader,
        Position::SubdistrictStaff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Position::PartySecretary => "party_secretary",
            Position::TwoCommittee => "two_committee",
            Position::LeagueSecretary => "league_secretary",
            Position::GridWorker => "grid_worker",
            Position::SubdistrictLeader => "subdistrict_leader",
            Position::SubdistrictStaff => "subdistrict_staff",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// How a person's tier changed, as the tier history stores it (by its code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TierChangeKind {
    Joined,
    Promoted,
    Moved,
    Left,
}

impl TierChangeKind {
    pub const ALL: [TierChangeKind; 4] = [
        TierChangeKind::Joined,
        TierChangeKind::Promoted,
        TierChangeKind::Moved,
        TierChangeKind::Left,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TierChangeKind::Joined => "joined",
            TierChangeKind::Promoted => "promoted",
            TierChangeKind::Moved => "moved",
            TierChangeKind::Left => "left",
        }
    }

    pub fn parse(code: &str) -> Option<TierChangeKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// A move from the tier of rank `from` (`None`: in no tier) to the tier of rank `to`;
    /// rank 1 is the highest tier (头雁), so a smaller rank is a promotion.
    pub fn between(from: Option<i64>, to: i64) -> TierChangeKind {
        match from {
            None => TierChangeKind::Joined,
            Some(from) if to < from => TierChangeKind::Promoted,
            Some(_) => TierChangeKind::Moved,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for p in Position::ALL {
            assert_eq!(Position::parse(p.as_str()), Some(p));
        }
        assert_eq!(Position::parse("mayor"), None);
    }

    #[test]
    fn tier_changes_by_rank() {
        assert_eq!(TierChangeKind::between(None, 3), TierChangeKind::Joined);
        assert_eq!(
            TierChangeKind::between(Some(3), 1),
            TierChangeKind::Promoted
        );
        assert_eq!(TierChangeKind::between(Some(1), 3), TierChangeKind::Moved);
        assert_eq!(TierChangeKind::between(Some(2), 2), TierChangeKind::Moved);
        for k in TierChangeKind::ALL {
            assert_eq!(TierChangeKind::parse(k.code()), Some(k));
        }
    }
}
