use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::inbox::{
    InboxItem, InboxRead, SaveMessageBudget, SetMessageSettings, inbox, message_budget,
    message_settings,
};
use crate::components::layout::{ErrorNote, outcome};
use crate::i18n::{Key, moment, t, tf, use_lang, word_notice};

/// The inbox (站内消息): the caller's notices, newest first, unread ones marked; each can be
/// marked read (the read receipt), or all at once. Plain forms, rendered on the server.
#[component]
pub fn InboxPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(0)
            .max(0)
    };
    let read = ServerAction::<InboxRead>::new();
    let lines = Resource::new(move || (page(), read.version().get()), |(p, _)| inbox(p));
    let result = move || outcome(read);
    view! {
        <section class="card stack" data-testid="inbox">
            <div class="row wrap">
                <h1>{t(Key::InboxTitle)}</h1>
                <a href="/account/messages" data-testid="inbox-settings">{t(Key::InboxSettingsLink)}</a>
            </div>
            {move || match result() {
                Some(Ok(())) => Some(Either::Left(view! { <p class="ok" role="status">{t(Key::InboxMarked)}</p> })),
                Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
                None => None,
            }}
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match lines.await {
                        Ok(p) => Either::Left(view! {
                            <div class="row wrap">
                                <p class="muted" data-testid="inbox-count">{tf(Key::InboxUnread, [p.unread.to_string()])}</p>
                                {(p.unread > 0).then(|| view! {
                                    <ActionForm action=read attr:class="inline">
                                        <input type="hidden" name="id" value="" />
                                        <button type="submit" data-testid="inbox-read-all">{t(Key::InboxMarkAllRead)}</button>
                                    </ActionForm>
                                })}
                            </div>
                            {p.items.is_empty().then(|| view! { <p class="muted">{t(Key::InboxEmpty)}</p> })}
                            <ul class="inbox-list">
                                {p.items.into_iter().map(|item| view! { <InboxEntry item read /> }).collect_view()}
                            </ul>
                            {p.more.then(|| {
                                let next = format!("/inbox?page={}", page() + 1);
                                view! { <p><A href=next>{t(Key::InboxMore)}</A></p> }
                            })}
                        }),
                        Err(e) => Either::Right(view! { <ErrorNote error=e /> }),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn InboxEntry(item: InboxItem, read: ServerAction<InboxRead>) -> impl IntoView {
    let lang = use_lang();
    let notice = item.notice.clone();
    let words = move || word_notice(&notice, lang.get());
    let subject = {
        let words = words.clone();
        move || words().0
    };
    let text = move || words().1;
    let at = item.at;
    let link = item.notice.link();
    let id = item.id;
    view! {
        <li class="inbox-item" class:unread=!item.read data-testid="inbox-item" data-read=item.read.to_string()>
            <p class="inbox-subject">
                {(!item.read).then(|| view! { <span class="chip">{t(Key::InboxNew)}</span> " " })}
                <strong>{subject}</strong>
            </p>
            <p>{text}</p>
            <p class="row wrap muted small">
                <time datetime=at.0.to_string()>{move || moment(lang.get(), at)}</time>
                <a href=link>{t(Key::InboxOpenSession)}</a>
                {if item.read {
                    Either::Left(view! { <span data-testid="inbox-read">{t(Key::InboxRead)}</span> })
                } else {
                    Either::Right(view! {
                        <ActionForm action=read attr:class="inline">
                            <input type="hidden" name="id" value=id />
                            <button type="submit" class="link-button" data-testid="inbox-mark-read">{t(Key::InboxMarkRead)}</button>
                        </ActionForm>
                    })
                }}
            </p>
        </li>
    }
}

/// A person's message settings: an e-mail address for notices by mail and the opt-out
/// from everything not mandatory, with the burden budget spelled out. A plain form.
#[component]
pub fn MessageSettingsPage() -> impl IntoView {
    let set = ServerAction::<SetMessageSettings>::new();
    let settings = Resource::new(move || set.version().get(), |_| message_settings());
    let result = move || outcome(set);
    view! {
        <section class="card stack" data-testid="message-settings">
            <h1>{t(Key::PrefsTitle)}</h1>
            {move || match result() {
                Some(Ok(())) => Some(Either::Left(view! { <p class="ok" role="status">{t(Key::PrefsSaved)}</p> })),
                Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
                None => None,
            }}
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => {
                            let b = s.budget;
                            let clock = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
                            let intro = tf(Key::PrefsIntro, [b.per_week.to_string(), b.per_session.to_string(), clock(b.quiet_from), clock(b.quiet_to)]);
                            Either::Left(view! {
                                <p class="hint">{intro}</p>
                                <p class="muted">{if s.phone.is_empty() {
                                    Either::Left(t(Key::PrefsNoPhone))
                                } else {
                                    Either::Right(tf(Key::PrefsPhone, [s.phone.clone()]))
                                }}</p>
                                <ActionForm action=set attr:class="stack">
                                    <label>
                                        <span>{t(Key::PrefsEmail)}</span>
                                        <input type="email" name="email" value=s.email.clone() autocomplete="email" inputmode="email" maxlength="254" data-testid="prefs-email" />
                                    </label>
                                    <label class="check">
                                        <input type="checkbox" name="opted_out" value="1" checked=s.opted_out data-testid="prefs-opt-out" />
                                        <span>{t(Key::PrefsOptOut)}</span>
                                    </label>
                                    <button type="submit" class="primary" data-testid="prefs-save">{t(Key::Save)}</button>
                                </ActionForm>
                                <p class="small"><a href="/privacy">{t(Key::PrivacyLink)}</a></p>
                            })
                        }
                        Err(e) => Either::Right(view! { <ErrorNote error=e /> }),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The burden budget, the star-of-the-month switch and the month's messages per cadre, on
/// the organisers' settings page. A plain form; only organisers of the whole district may
/// save it.
#[component]
pub fn MessageBudgetPanel() -> impl IntoView {
    let save = ServerAction::<SaveMessageBudget>::new();
    let view_data = Resource::new(move || save.version().get(), |_| message_budget());
    let result = move || outcome(save);
    view! {
        <section class="card stack" data-testid="message-budget">
            <h2>{t(Key::BudgetTitle)}</h2>
            <p class="hint">{t(Key::BudgetHint)}</p>
            {move || match result() {
                Some(Ok(())) => Some(Either::Left(view! { <p class="ok" role="status">{t(Key::BudgetSaved)}</p> })),
                Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
                None => None,
            }}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match view_data.await {
                        Ok(v) => {
                            let b = v.budget;
                            let clock = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
                            Either::Left(view! {
                                <h3>{t(Key::BudgetMonths)}</h3>
                                <ul class="plain" data-testid="messages-per-cadre">
                                    {v.months.into_iter().map(|m| {
                                        let per = if m.cadres > 0 { m.pushed as f64 / m.cadres as f64 } else { 0.0 };
                                        view! { <li>{tf(Key::BudgetMonth, [m.year.to_string(), m.month.to_string(), m.pushed.to_string(), format!("{per:.2}"), m.inbox.to_string()])}</li> }
                                    }).collect_view()}
                                </ul>
                                {(!v.may_change).then(|| view! { <p class="muted">{t(Key::BudgetOnlyDistrict)}</p> })}
                                <ActionForm action=save attr:class="stack">
                                    <fieldset class="row wrap" disabled=!v.may_change>
                                        <label><span>{t(Key::BudgetPerWeek)}</span><input name="per_week" type="number" min="1" max="21" inputmode="numeric" value=b.per_week data-testid="budget-week" /></label>
                                        <label><span>{t(Key::BudgetPerSession)}</span><input name="per_session" type="number" min="1" max="5" inputmode="numeric" value=b.per_session /></label>
                                        <label><span>{t(Key::BudgetQuietFrom)}</span><input name="quiet_from" type="time" value=clock(b.quiet_from) /></label>
                                        <label><span>{t(Key::BudgetQuietTo)}</span><input name="quiet_to" type="time" value=clock(b.quiet_to) /></label>
                                        <label class="check">
                                            <input type="checkbox" name="star_of_month" value="1" checked=v.star_of_month data-testid="budget-star" />
                                            <span>{t(Key::BudgetStar)}</span>
                                        </label>
                                    </fieldset>
                                    {v.may_change.then(|| view! { <button type="submit" class="primary" data-testid="budget-save">{t(Key::Save)}</button> })}
                                </ActionForm>
                            })
                        }
                        Err(e) => Either::Right(view! { <ErrorNote error=e /> }),
                    }
                })}
            </Suspense>
        </section>
    }
}
