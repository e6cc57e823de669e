//! The district's view: every subdistrict's figures side by side, for organisers whose
//! grants cover whole subdistricts (all of them for the district's organisers).
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::district::Figures;
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubdistrictLine {
    pub id: i64,
    pub name: String,
    pub figures: Figures,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistrictData {
    pub year: i32,
    pub lines: Vec<SubdistrictLine>,
    pub total: Figures,
}

/// Head-counts, on-track / at-risk / behind, hours and attendance per subdistrict.
#[server(endpoint = "district_overview")]
pub async fn district_overview(year: Option<i32>) -> Result<DistrictData, AppError> {
    use crate::domain::Timestamp;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let state = state()?;
            let held = organiser.holds(state.repo.as_ref()).await?;
            let now = Timestamp::now();
            let year = year.unwrap_or_else(|| crate::ssr::progress::this_year(now));
            let (lines, total) = crate::ssr::district::figures(&state, year, &held, now).await?;
            Ok(DistrictData {
                year,
                lines: held
                    .into_iter()
                    .zip(lines)
                    .map(|(s, figures)| SubdistrictLine {
                        id: s.id,
                        name: s.name,
                        figures,
                    })
                    .collect(),
                total,
            })
        }
        .await,
    )
}
