use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::announcements::{
    AnnouncementItem, PostAnnouncement, RemindAnnouncement, announcement, announcement_choices,
    announcements,
};
use crate::api::inbox::InboxRead;
use crate::components::layout::{ErrorNote, outcome};
use crate::i18n::{Key, moment, t, tf, use_lang};

/// 通知公告: the announcements that went to the caller, pinned first; for organisers also
/// those they manage, with how many have read each, and the way to post one.
#[component]
pub fn AnnouncementsPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| announcements());
    view! {
        <section class="card stack" data-testid="announcements">
            <h1>{t(Key::AnnouncementsTitle)}</h1>
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(l) => Either::Left(view! {
                            {l.may_post.then(|| view! { <p><a class="button primary" href="/announcements/new" data-testid="announcement-new">{t(Key::AnnouncementPost)}</a></p> })}
                            {l.mine.is_empty().then(|| view! { <p class="muted">{t(Key::AnnouncementsNone)}</p> })}
                            <ul class="inbox-list">
                                {l.mine.into_iter().map(|a| view! { <AnnouncementLine a /> }).collect_view()}
                            </ul>
                            {(!l.managed.is_empty()).then(|| view! {
                                <h2>{t(Key::AnnouncementsManaged)}</h2>
                                <ul class="inbox-list" data-testid="announcements-managed">
                                    {l.managed.into_iter().map(|a| view! { <AnnouncementLine a /> }).collect_view()}
                                </ul>
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
fn AnnouncementLine(a: AnnouncementItem) -> impl IntoView {
    let lang = use_lang();
    let at = a.posted_at;
    let unread = a.mine_read == Some(false);
    view! {
        <li class="inbox-item" class:unread=unread data-testid="announcement-item">
            <p class="inbox-subject">
                {a.pinned.then(|| view! { <span class="chip">{t(Key::AnnouncementPinned)}</span> " " })}
                {unread.then(|| view! { <span class="chip">{t(Key::InboxNew)}</span> " " })}
                <a href=format!("/announcements/{}", a.id)><strong>{a.title.clone()}</strong></a>
            </p>
            <p class="muted small">
                {a.posted_by.clone()} " · " {move || moment(lang.get(), at)}
                {a.mine_read.is_none().then(|| view! { " · " {tf(Key::AnnouncementReadCount, [a.read.to_string(), a.recipients.to_string()])} })}
            </p>
        </li>
    }
}

/// One announcement: its text; "I have read it" for those it went to; for the organisers
/// who manage it, who has not read it, by community, and the one reminder.
#[component]
pub fn AnnouncementPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let read = ServerAction::<InboxRead>::new();
    let remind = ServerAction::<RemindAnnouncement>::new();
    let view_data = Resource::new(
        move || (id(), read.version().get(), remind.version().get()),
        |(id, _, _)| announcement(id),
    );
    let lang = use_lang();
    let reminded = move || outcome(remind);
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(v) => {
                        let at = v.item.posted_at;
                        let expires = v.item.expires_at;
                        Either::Left(view! {
                            <article class="card stack" data-testid="announcement">
                                <h1>{v.item.title.clone()}</h1>
                                <p class="muted small">
                                    {v.item.posted_by.clone()} " · " {move || moment(lang.get(), at)}
                                    {expires.map(|e| view! { " · " {move || tf(Key::AnnouncementUntil, [moment(lang.get(), e)])()} })}
                                </p>
                                <div class="markdown" inner_html=v.body_html.clone() />
                                {v.notice_id.map(|notice| if v.item.mine_read == Some(true) {
                                    Either::Left(view! { <p class="ok" data-testid="announcement-read">{t(Key::AnnouncementIRead)}</p> })
                                } else {
                                    Either::Right(view! {
                                        <ActionForm action=read attr:class="inline">
                                            <input type="hidden" name="id" value=notice />
                                            <button type="submit" class="primary" data-testid="announcement-confirm">{t(Key::AnnouncementConfirm)}</button>
                                        </ActionForm>
                                    })
                                })}
                            </article>
                            {v.receipts.map(|by| {
                                let unread: usize = by.iter().map(|c| c.unread.len()).sum();
                                view! {
                                    <section class="card stack" data-testid="receipts">
                                        <h2>{tf(Key::AnnouncementReadCount, [v.item.read.to_string(), v.item.recipients.to_string()])}</h2>
                                        <table class="table">
                                            <thead><tr><th>{t(Key::Community)}</th><th>{t(Key::AnnouncementReadOf)}</th><th>{t(Key::AnnouncementUnread)}</th></tr></thead>
                                            <tbody>
                                                {by.into_iter().map(|c| view! {
                                                    <tr data-testid="receipt-row">
                                                        <td>{c.community.clone()}</td>
                                                        <td>{c.total - c.unread.len()} " / " {c.total}</td>
                                                        <td>{c.unread.join("、")}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                        {move || match reminded() {
                                            Some(Ok(())) => Some(Either::Left(view! { <p class="ok" role="status">{t(Key::AnnouncementReminded)}</p> })),
                                            Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
                                            None => None,
                                        }}
                                        {match v.reminded_at {
                                            Some(at) => Either::Left(view! { <p class="muted">{move || tf(Key::AnnouncementRemindedAt, [moment(lang.get(), at)])()}</p> }),
                                            None => Either::Right((unread > 0).then(|| view! {
                                                <ActionForm action=remind attr:class="inline">
                                                    <input type="hidden" name="id" value=v.item.id />
                                                    <button type="submit" data-testid="announcement-remind">{tf(Key::AnnouncementRemind, [unread.to_string()])}</button>
                                                </ActionForm>
                                            })),
                                        }}
                                    </section>
                                }
                            })}
                        })
                    }
                    Err(e) => Either::Right(view! { <h1>{t(Key::AnnouncementsTitle)}</h1><ErrorNote error=e /> }),
                }
            })}
        </Suspense>
    }
}

/// The posting form: a plain form (works without the script).
#[component]
pub fn NewAnnouncementPage() -> impl IntoView {
    let post = ServerAction::<PostAnnouncement>::new();
    let choices = Resource::new(|| (), |_| announcement_choices());
    let lang = use_lang();
    view! {
        <section class="card stack" data-testid="announcement-form">
            <h1>{t(Key::AnnouncementPost)}</h1>
            {move || match outcome(post) {
                Some(Ok(())) => Some(Either::Left(view! {
                    <p class="ok" role="status" data-testid="announcement-posted">
                        {t(Key::AnnouncementPosted)} " " <a href="/announcements">{t(Key::AnnouncementOpen)}</a>
                    </p>
                })),
                Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
                None => None,
            }}
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match choices.await {
                        Ok(c) => Either::Left(view! {
                            <ActionForm action=post attr:class="stack">
                                <label><span>{t(Key::AnnouncementTitleLabel)}</span><input name="title" required maxlength="80" /></label>
                                <label><span>{t(Key::AnnouncementBody)}</span><textarea name="body_md" rows="8" required maxlength="20000"></textarea></label>
                                <label><span>{t(Key::AnnouncementPlace)}</span>
                                    <select name="place">
                                        {c.places.into_iter().map(|(id, name)| {
                                            let value = id.map(|i| i.to_string()).unwrap_or_default();
                                            let district = id.is_none();
                                            view! { <option value=value>{move || if district { Key::AnnouncementDistrict.text(lang.get()).to_string() } else { name.clone() }}</option> }
                                        }).collect_view()}
                                    </select>
                                </label>
                                <fieldset class="row wrap">
                                    <legend>{t(Key::Tiers)}</legend>
                                    {c.tiers.into_iter().enumerate().map(|(i, (id, zh, en))| view! {
                                        <label class="check"><input type="checkbox" name=format!("tier_ids[{i}]") value=id /><span>{move || lang.get().pick(&zh, &en).to_string()}</span></label>
                                    }).collect_view()}
                                </fieldset>
                                <fieldset class="row wrap">
                                    <legend>{t(Key::Communities)}</legend>
                                    {c.communities.into_iter().enumerate().map(|(i, (id, name, _))| view! {
                                        <label class="check"><input type="checkbox" name=format!("community_ids[{i}]") value=id /><span>{name}</span></label>
                                    }).collect_view()}
                                </fieldset>
                                <AnnouncementPeople />
                                <p class="hint">{t(Key::AnnouncementAudienceHint)}</p>
                                <label class="check"><input type="checkbox" name="pinned" value="1" /><span>{t(Key::AnnouncementPinLabel)}</span></label>
                                <label><span>{t(Key::AnnouncementExpires)}</span><input type="date" name="expires" /></label>
                                <button type="submit" class="primary" data-testid="announcement-submit">{t(Key::AnnouncementPost)}</button>
                            </ActionForm>
                        }),
                        Err(e) => Either::Right(view! { <ErrorNote error=e /> }),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The people an announcement names: the planner's people picker, an island of the
/// planner's bundle (the only script the page loads). Without the script the form still
/// posts, to tiers and communities.
#[cfg_attr(any(not(feature = "split"), feature = "bundle-planner"), island)]
#[cfg_attr(all(feature = "split", not(feature = "bundle-planner")), component)]
pub fn AnnouncementPeople() -> impl IntoView {
    view! { <crate::components::people_picker::PeoplePicker initial=Vec::new() field="person_ids[]" /> }
}
