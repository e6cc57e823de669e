//! 课程评估: after a session, those who attended fill a one-minute card — a few indicators
//! the organisers edit, each on four levels, and one free text, "what I want to learn next".
//! Answers are anonymous: who answered is kept apart from what they answered, so nobody can
//! join the two. Means are shown only once enough answers are in, so no single answer can
//! be read off them. Pure rules; the rows come from `ssr::db`.
use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::schedule::AttendanceStatus;
use super::session_draft::{Field, FieldProblem, Problem, text_between};

/// The levels of an indicator: 1 (poor) to 4 (very good).
pub const LEVELS: std::ops::RangeInclusive<i64> = 1..=4;
/// Days after a session its card stays open.
pub const OPEN_DAYS: i64 = 14;
/// The settings key of the fewest answers before means are shown, and its range.
pub const MIN_ANSWERS_KEY: &str = "evaluation.min_answers";
pub const MIN_ANSWERS: std::ops::RangeInclusive<i64> = 3..=30;
pub const DEFAULT_MIN_ANSWERS: i64 = 5;
/// The longest wish ("what I want to learn next"), in characters.
pub const WISH_CHARS: usize = 200;
/// The longest indicator name.
pub const INDICATOR_CHARS: usize = 30;

const DAY: i64 = 86_400;

/// One indicator of the card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default)]
    pub retired: bool,
}

/// The indicators a new install starts with.
pub fn default_indicators() -> [(&'static str, &'static str); 4] {
    [
        ("内容针对性", "Relevance"),
        ("内容充实", "Content"),
        ("方法得当", "Method"),
        ("讲授效果", "Delivery"),
    ]
}

/// Whether the person may fill the session's card now: they attended (present or late),
/// the session is over and ended no more than [`OPEN_DAYS`] ago, and they have not answered.
pub fn may_evaluate(
    status: Option<AttendanceStatus>,
    answered: bool,
    now: Timestamp,
    ends_at: Timestamp,
) -> bool {
    !answered
        && matches!(
            status,
            Some(AttendanceStatus::Present | AttendanceStatus::Late)
        )
        && now.0 >= ends_at.0
        && now.0 <= ends_at.0 + OPEN_DAYS * DAY
}

/// A card as it is stored: a level per active indicator, and the wish (may be empty).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub scores: Vec<(i64, i64)>,
    pub wish: String,
}

/// Checks a card against the active indicators: each needs a level 1–4 (all problems at
/// once); the wish is optional, up to [`WISH_CHARS`].
pub fn check_card(
    indicators: &[Indicator],
    given: &[(i64, String)],
    wish: &str,
) -> Result<Card, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut scores = Vec::new();
    for indicator in indicators.iter().filter(|i| !i.retired) {
        let level = given
            .iter()
            .find(|(id, _)| *id == indicator.id)
            .and_then(|(_, v)| v.trim().parse::<i64>().ok());
        match level {
            Some(l) if LEVELS.contains(&l) => scores.push((indicator.id, l)),
            _ => problems.push(FieldProblem {
                field: Field::Indicator,
                problem: Problem::Required,
            }),
        }
    }
    problems.dedup();
    let wish = if wish.trim().is_empty() {
        String::new()
    } else {
        match text_between(wish, 1, WISH_CHARS, Field::Wish) {
            Ok(w) => w,
            Err(p) => {
                problems.push(p);
                String::new()
            }
        }
    };
    if problems.is_empty() {
        Ok(Card { scores, wish })
    } else {
        Err(problems)
    }
}

/// The means of a session's answers per indicator, in tenths (a mean of 3.25 is 33), or
/// nothing while fewer than `min_answers` are in.
pub fn means(answers: i64, sums: &[(i64, i64, i64)], min_answers: i64) -> Option<Vec<(i64, i64)>> {
    (answers >= min_answers && answers > 0).then(|| {
        sums.iter()
            .filter(|(_, _, n)| *n > 0)
            .map(|(id, sum, n)| (*id, (sum * 10 + n / 2) / n))
            .collect()
    })
}

/// Answers over those who could answer, as a whole percent.
pub fn response_percent(answers: i64, attended: i64) -> Option<i64> {
    (attended > 0).then(|| (answers * 100 + attended / 2) / attended)
}

/// The mean over all indicators, in tenths, once `min_answers` are in.
pub fn overall(answers: i64, sums: &[(i64, i64, i64)], min_answers: i64) -> Option<i64> {
    let (sum, n) = sums
        .iter()
        .fold((0, 0), |(s, c), (_, sum, n)| (s + sum, c + n));
    (answers >= min_answers && n > 0).then(|| (sum * 10 + n / 2) / n)
}

/// An indicator as an organiser typed it: names of 1–30 characters, the English one
/// optional (the Chinese stands in).
pub fn check_indicator(
    id: i64,
    name_zh: &str,
    name_en: &str,
    retired: bool,
) -> Result<Indicator, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let zh = text_between(name_zh, 1, INDICATOR_CHARS, Field::Indicator)
        .map_err(|p| problems.push(p))
        .ok();
    let en = if name_en.trim().is_empty() {
        zh.clone()
    } else {
        text_between(name_en, 1, INDICATOR_CHARS, Field::Indicator)
            .map_err(|p| problems.push(p))
            .ok()
    };
    match (zh, en) {
        (Some(name_zh), Some(name_en)) if problems.is_empty() => Ok(Indicator {
            id,
            name_zh,
            name_en,
            retired,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttendanceStatus::*;

    fn indicators() -> Vec<Indicator> {
        default_indicators()
            .into_iter()
            .enumerate()
            .map(|(i, (zh, en))| Indicator {
                id: i as i64 + 1,
                name_zh: zh.into(),
                name_en: en.into(),
                retired: i == 3,
            })
            .collect()
    }

    #[test]
    fn only_those_who_attended_evaluate_once_within_two_weeks() {
        let end = Timestamp(1_000_000);
        let cases = [
            (Some(Present), false, end, true),
            (Some(Late), false, Timestamp(end.0 + OPEN_DAYS * DAY), true),
            (
                Some(Present),
                false,
                Timestamp(end.0 + OPEN_DAYS * DAY + 1),
                false,
            ),
            (Some(Present), false, Timestamp(end.0 - 1), false),
            (Some(Present), true, end, false),
            (Some(Excused), false, end, false),
            (Some(Absent), false, end, false),
            (Some(MadeUp), false, end, false),
            (None, false, end, false),
        ];
        for (status, answered, now, want) in cases {
            assert_eq!(
                may_evaluate(status, answered, now, end),
                want,
                "{status:?} answered={answered} at {now:?}"
            );
        }
    }

    #[test]
    fn a_card_needs_a_level_for_every_active_indicator() {
        let table = indicators();
        let given = |levels: &[(i64, &str)]| -> Vec<(i64, String)> {
            levels.iter().map(|(i, l)| (*i, l.to_string())).collect()
        };
        let card = check_card(
            &table,
            &given(&[(1, "4"), (2, "3"), (3, "1")]),
            " 想学信访积案化解 ",
        )
        .unwrap();
        assert_eq!(
            card.scores,
            vec![(1, 4), (2, 3), (3, 1)],
            "the retired one is not asked"
        );
        assert_eq!(card.wish, "想学信访积案化解");
        let cases: &[(&[(i64, &str)], &str)] = &[
            (&[(1, "4"), (2, "3")], ""),
            (&[(1, "4"), (2, "3"), (3, "5")], ""),
            (&[(1, "4"), (2, "3"), (3, "0")], ""),
            (&[(1, "4"), (2, "3"), (3, "好")], ""),
        ];
        for (levels, wish) in cases {
            let problems = check_card(&table, &given(levels), wish).unwrap_err();
            assert_eq!(
                problems,
                vec![FieldProblem {
                    field: Field::Indicator,
                    problem: Problem::Required
                }],
                "{levels:?}"
            );
        }
        let long = "学".repeat(WISH_CHARS + 1);
        let problems =
            check_card(&table, &given(&[(1, "4"), (2, "3"), (3, "2")]), &long).unwrap_err();
        assert_eq!(problems[0].field, Field::Wish);
    }

    #[test]
    fn means_show_only_past_the_threshold() {
        let sums = [(1, 13, 4), (2, 10, 4)];
        assert_eq!(means(4, &sums, 5), None, "four answers, five needed");
        assert_eq!(overall(4, &sums, 5), None);
        assert_eq!(
            means(5, &[(1, 17, 5), (2, 12, 5)], 5),
            Some(vec![(1, 34), (2, 24)])
        );
        assert_eq!(overall(5, &[(1, 17, 5), (2, 12, 5)], 5), Some(29));
        assert_eq!(means(0, &[], 3), None);
        assert_eq!(response_percent(3, 7), Some(43));
        assert_eq!(response_percent(0, 0), None);
    }

    #[test]
    fn indicators_are_named() {
        assert_eq!(
            check_indicator(0, "联系实际", "", false).unwrap().name_en,
            "联系实际"
        );
        assert!(check_indicator(0, " ", "", false).is_err());
        assert!(check_indicator(0, &"长".repeat(31), "", false).is_err());
    }
}
