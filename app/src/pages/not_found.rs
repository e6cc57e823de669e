use leptos::prelude::*;

use crate::i18n::{Key, t};

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="card narrow">
            <h1>{t(Key::NotFoundTitle)}</h1>
            <p>{t(Key::NotFoundBody)}</p>
            <a href="/" rel="external">{t(Key::BackHome)}</a>
        </section>
    }
}
