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
}
