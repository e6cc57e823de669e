//! Lecture materials and reflections: who may read a material when, the three outlooks a
//! reflection is tagged with, and what make-up study needs.
use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::session_draft::{Field, FieldProblem, Problem, text_between};

/// When a material reaches the audience. Lecturers and organisers always see it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Publication {
    /// Only the session's lecturers and organisers see it.
    #[default]
    Draft,
    /// The audience sees it now, before the session (to prepare).
    Published,
    /// The audience sees it once the session is over.
    AfterSession,
}

impl Publication {
    pub const ALL: [Publication; 3] = [
        Publication::Draft,
        Publication::Published,
        Publication::AfterSession,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Publication::Draft => "draft",
            Publication::Published => "published",
            Publication::AfterSession => "after_session",
        }
    }

    pub fn parse(s: &str) -> Option<Publication> {
        Publication::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether the session's audience may read the material at `now`.
    pub fn reaches_audience(self, now: Timestamp, ends_at: Timestamp) -> bool {
        match self {
            Publication::Draft => false,
            Publication::Published => true,
            Publication::AfterSession => now.0 >= ends_at.0,
        }
    }
}

/// The three outlooks (三个格局) of the 535 programme a reflection speaks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outlook {
    /// 思想格局
    Thinking,
    /// 工作格局
    Work,
    /// 能力格局
    Ability,
}

impl Outlook {
    pub const ALL: [Outlook; 3] = [Outlook::Thinking, Outlook::Work, Outlook::Ability];

    pub fn as_str(self) -> &'static str {
        match self {
            Outlook::Thinking => "thinking",
            Outlook::Work => "work",
            Outlook::Ability => "ability",
        }
    }

    pub fn parse(s: &str) -> Option<Outlook> {
        Outlook::ALL.into_iter().find(|o| o.as_str() == s)
    }

    fn bit(self) -> u8 {
        match self {
            Outlook::Thinking => 1,
            Outlook::Work => 2,
            Outlook::Ability => 4,
        }
    }
}

/// A set of outlooks, stored as a comma-separated list in a fixed order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outlooks(u8);

impl Outlooks {
    pub fn new(list: impl IntoIterator<Item = Outlook>) -> Outlooks {
        Outlooks(list.into_iter().fold(0, |bits, o| bits | o.bit()))
    }

    pub fn has(self, o: Outlook) -> bool {
        self.0 & o.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Outlook> {
        Outlook::ALL.into_iter().filter(move |o| self.has(*o))
    }

    /// `thinking,ability`: what the database keeps.
    pub fn to_list(self) -> String {
        self.iter()
            .map(Outlook::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads a stored or submitted list; unknown names are an error.
    pub fn parse_list<'a>(items: impl IntoIterator<Item = &'a str>) -> Option<Outlooks> {
        items
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Outlook::parse)
            .collect::<Option<Vec<_>>>()
            .map(Outlooks::new)
    }
}

/// Shortest reflection accepted, in characters (as for a make-up).
pub const REFLECTION_MIN_CHARS: usize = super::attendance::REFLECTION_MIN_CHARS;
/// Longest reflection kept, in characters.
pub const REFLECTION_MAX_CHARS: usize = super::attendance::TEXT_MAX_CHARS;
/// Longest comment on a reflection, in characters.
pub const COMMENT_MAX_CHARS: usize = 2000;
/// Longest material, in characters (a long lecture script is ~30,000).
pub const MATERIAL_MAX_CHARS: usize = 200_000;

/// A reflection as handed in: at least one outlook, a text of sensible length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reflection {
    pub text: String,
    pub outlooks: Outlooks,
}

impl Reflection {
    pub fn parse(text: &str, outlooks: Option<Outlooks>) -> Result<Reflection, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let text = text_between(
            text,
            REFLECTION_MIN_CHARS,
            REFLECTION_MAX_CHARS,
            Field::Reflection,
        )
        .map_err(|p| problems.push(p))
        .unwrap_or_default();
        let outlooks = match outlooks {
            None => {
                problems.push(FieldProblem {
                    field: Field::Outlooks,
                    problem: Problem::NotAllowed,
                });
                Outlooks::default()
            }
            Some(o) if o.is_empty() => {
                problems.push(FieldProblem {
                    field: Field::Outlooks,
                    problem: Problem::Required,
                });
                o
            }
            Some(o) => o,
        };
        if problems.is_empty() {
            Ok(Reflection { text, outlooks })
        } else {
            Err(problems)
        }
    }
}

/// Whether a cadre may write (or rewrite) a reflection: once the session has started, and
/// not after an organiser accepted it.
pub fn may_reflect(now: Timestamp, starts_at: Timestamp, accepted: bool) -> bool {
    now.0 >= starts_at.0 && !accepted
}

/// What a make-up still needs before it counts: reading the material, then a reflection
/// an organiser accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MakeUpStep {
    Read,
    Reflect,
    AwaitAcceptance,
    Done,
}

pub fn make_up_step(read: bool, reflected: bool, accepted: bool) -> MakeUpStep {
    match (read, reflected, accepted) {
        (_, _, true) => MakeUpStep::Done,
        (false, _, _) => MakeUpStep::Read,
        (true, false, _) => MakeUpStep::Reflect,
        (true, true, false) => MakeUpStep::AwaitAcceptance,
    }
}

/// A material's text checked before it is saved.
pub fn check_material(body: &str) -> Result<(), FieldProblem> {
    if body.chars().count() > MATERIAL_MAX_CHARS {
        Err(FieldProblem {
            field: Field::Material,
            problem: Problem::TooLong,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const END: Timestamp = Timestamp(1_000);

    #[test]
    fn who_reads_when() {
        assert!(!Publication::Draft.reaches_audience(Timestamp(5_000), END));
        assert!(Publication::Published.reaches_audience(Timestamp(0), END));
        assert!(!Publication::AfterSession.reaches_audience(Timestamp(999), END));
        assert!(Publication::AfterSession.reaches_audience(END, END));
        for p in Publication::ALL {
            assert_eq!(Publication::parse(p.as_str()), Some(p));
        }
        assert_eq!(Publication::parse("public"), None);
    }

    #[test]
    fn outlooks_round_trip() {
        let set = Outlooks::new([Outlook::Ability, Outlook::Thinking]);
        assert_eq!(set.to_list(), "thinking,ability");
        assert_eq!(Outlooks::parse_list(set.to_list().split(',')), Some(set));
        assert_eq!(Outlooks::parse_list([""]), Some(Outlooks::default()));
        assert_eq!(Outlooks::parse_list(["work", "hacking"]), None);
        assert!(!set.has(Outlook::Work));
    }

    #[test]
    fn reflections_need_text_and_an_outlook() {
        let long = "学习了信访工作条例，对依法分类处理信访诉求有了更清楚的认识，回去就用。";
        assert!(long.chars().count() >= REFLECTION_MIN_CHARS);
        let ok = Reflection::parse(long, Some(Outlooks::new([Outlook::Work]))).unwrap();
        assert_eq!(ok.text, long);
        let problems = Reflection::parse("  很好  ", Some(Outlooks::default())).unwrap_err();
        assert_eq!(
            problems,
            vec![
                FieldProblem {
                    field: Field::Reflection,
                    problem: Problem::TooShort
                },
                FieldProblem {
                    field: Field::Outlooks,
                    problem: Problem::Required
                },
            ]
        );
        let unknown = Reflection::parse(long, None).unwrap_err();
        assert_eq!(unknown[0].field, Field::Outlooks);
        let too_long = "字".repeat(REFLECTION_MAX_CHARS + 1);
        let problems = Reflection::parse(&too_long, Some(Outlooks::new([Outlook::Work])));
        assert_eq!(problems.unwrap_err()[0].problem, Problem::TooLong);
    }

    #[test]
    fn reflecting_opens_at_the_start_and_closes_on_acceptance() {
        assert!(!may_reflect(Timestamp(99), Timestamp(100), false));
        assert!(may_reflect(Timestamp(100), Timestamp(100), false));
        assert!(!may_reflect(Timestamp(500), Timestamp(100), true));
    }

    #[test]
    fn make_up_goes_read_reflect_accept() {
        assert_eq!(make_up_step(false, false, false), MakeUpStep::Read);
        assert_eq!(make_up_step(false, true, false), MakeUpStep::Read);
        assert_eq!(make_up_step(true, false, false), MakeUpStep::Reflect);
        assert_eq!(make_up_step(true, true, false), MakeUpStep::AwaitAcceptance);
        assert_eq!(make_up_step(true, true, true), MakeUpStep::Done);
    }

    #[test]
    fn materials_have_a_ceiling() {
        assert!(check_material("# 讲稿").is_ok());
        let huge = "字".repeat(MATERIAL_MAX_CHARS + 1);
        assert_eq!(check_material(&huge).unwrap_err().problem, Problem::TooLong);
    }
}
