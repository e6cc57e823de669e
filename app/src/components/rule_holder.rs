//! The bar above the settings and tier requirements pages: whose rules are shown (the
//! district's or a subdistrict's own), a plain GET form to show another's, and whether a
//! subdistrict follows the district.
use leptos::prelude::*;

use crate::api::settings::Holders;
use crate::i18n::{Key, t};

#[component]
pub fn HolderBar(holders: Holders, path: &'static str) -> impl IntoView {
    let shown = holders.shown.clone();
    let subdistrict = holders.subdistrict().is_some();
    let picker = (holders.choices.len() > 1).then(|| {
        view! {
            <form method="get" action=path class="row" data-testid="rule-holder">
                <label><span>{t(Key::RulesOf)}</span>
                    <select name="unit">
                        {holders.choices.iter().map(|c| {
                            let label = if c.name.is_empty() {
                                t(Key::RulesDistrict).into_any()
                            } else {
                                c.name.clone().into_any()
                            };
                            view! { <option value=c.token.clone() selected=c.token == shown>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit">{t(Key::RulesShow)}</button>
            </form>
        }
    });
    let hint = match (subdistrict, holders.own) {
        (false, _) => Key::RulesDistrictHint,
        (true, true) => Key::RulesOwn,
        (true, false) => Key::RulesFollowDistrict,
    };
    view! {
        {picker}
        <p class="hint" data-testid="rule-holder-hint">{t(hint)}</p>
    }
}
