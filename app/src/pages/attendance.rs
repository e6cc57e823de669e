use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::attendance::{
    AUDIT_SHOWN, DecideWalkIn, ExcuseGroup, MarkRestAbsent, SaveCheckinRules, SetAttendance,
    SheetData, SheetLine, SheetPart, attendance_sheet,
};
use crate::components::layout::ErrorDetails;
use crate::domain::files::percent_encode;
use crate::domain::schedule::AttendanceStatus;
use crate::error::AppError;
use crate::i18n::{Key, session_when, t, tf, use_lang};

/// A session's sheet for organisers: who came, marking and corrections with reasons, the
/// check-in rules, "the rest are absent", downloads, and the audit trail.
#[component]
pub fn AttendancePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let query = use_query_map();
    let part = move || {
        let q = query.read();
        (
            q.get("c"),
            q.get("q"),
            q.get("page").and_then(|v| v.parse::<i64>().ok()),
        )
    };
    let set = ServerAction::<SetAttendance>::new();
    let rest = ServerAction::<MarkRestAbsent>::new();
    let rules = ServerAction::<SaveCheckinRules>::new();
    let walk_ins = ServerAction::<DecideWalkIn>::new();
    provide_context(walk_ins);
    let excuse = ServerAction::<ExcuseGroup>::new();
    provide_context(excuse);
    let sheet = Resource::new(
        move || {
            (
                id(),
                part(),
                set.version().get(),
                rest.version().get(),
                rules.version().get(),
                walk_ins.version().get(),
                excuse.version().get(),
            )
        },
        |(id, (community, q, page), ..)| async move {
            match id {
                Some(id) => attendance_sheet(id, community, q, page).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let errors = move || {
        [
            set.value().get().and_then(|r| r.err()),
            rest.value().get().and_then(|r| r.err()),
            rules.value().get().and_then(|r| r.err()),
            excuse.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .map(|e| view! { <ErrorDetails error=e /> })
        .collect_view()
    };
    view! {
        {errors}
        <Transition fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match sheet.await {
                    Ok(s) => sheet_view(s, set, rest, rules).into_any(),
                    Err(e) => view! { <h1>{t(Key::AttendanceSheet)}</h1><ErrorDetails error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn sheet_view(
    s: SheetData,
    set: ServerAction<SetAttendance>,
    rest: ServerAction<MarkRestAbsent>,
    rules: ServerAction<SaveCheckinRules>,
) -> impl IntoView {
    let lang = use_lang();
    let parts = parts_view(&s);
    let pager = pager_view(
        s.session.id,
        s.part,
        &s.query,
        s.page,
        s.pages,
        s.total_lines,
    );
    let info = s.session;
    let id = info.id;
    let (a, b) = (info.starts_at, info.ends_at);
    let c = s.counts;
    let rate = c
        .attendance_percent()
        .map(|p| format!("{p}%"))
        .unwrap_or_else(|| "—".into());
    let unmarked = s.unmarked;
    view! {
        <article class="sheet" data-testid="attendance-sheet">
            <p class="muted no-print"><a href=format!("/sessions/{id}")>{t(Key::Details)}</a></p>
            <h1>{t(Key::AttendanceSheet)} " · " {info.title.clone()}</h1>
            <p class="when">{move || session_when(lang.get(), a, b)} {(!info.place.is_empty()).then(|| format!(" · {}", info.place))}</p>
            <p class="chips" data-testid="sheet-counts">
                <span class="chip">{t(Key::Expected)} " " {c.expected}</span>
                <span class="chip">{t(Key::StatusPresent)} " " <span data-testid="count-present">{c.present}</span></span>
                <span class="chip">{t(Key::StatusLate)} " " <span data-testid="count-late">{c.late}</span></span>
                <span class="chip">{t(Key::StatusExcused)} " " {c.excused}</span>
                <span class="chip">{t(Key::StatusAbsent)} " " <span data-testid="count-absent">{c.absent}</span></span>
                <span class="chip">{t(Key::StatusMadeUp)} " " {c.made_up}</span>
                <span class="chip">{t(Key::AttendanceRate)} " " {rate}</span>
            </p>
            <p class="actions no-print">
                <a class="button primary" href=format!("/organiser/sessions/{id}/door") data-testid="open-door">{t(Key::OpenDoor)}</a>
                <a class="button" href=format!("/sessions/{id}/attendance.csv") rel="external" download>"CSV"</a>
                <a class="button" href=format!("/sessions/{id}/attendance.xlsx") rel="external" download>"XLSX"</a>
                <crate::components::layout::PrintButton />
            </p>
            {(s.over && unmarked > 0).then(|| view! {
                <ActionForm action=rest attr:class="row no-print">
                    <input type="hidden" name="session_id" value=id />
                    <button type="submit" class="danger" data-testid="rest-absent">{t(Key::MarkRestAbsent)} " (" {unmarked} ")"</button>
                </ActionForm>
            })}
            <details class="no-print">
                <summary>{t(Key::CheckinRules)}</summary>
                <ActionForm action=rules attr:class="row">
                    <input type="hidden" name="session_id" value=id />
                    <label><span>{t(Key::OpensMinutesBefore)}</span><input name="opens_minutes_before" inputmode="numeric" value=info.rules.opens_minutes_before /></label>
                    <label><span>{t(Key::LateAfterMinutes)}</span><input name="late_after_minutes" inputmode="numeric" value=info.rules.late_after_minutes /></label>
                    <button type="submit">{t(Key::Save)}</button>
                </ActionForm>
            </details>
            {group_excusal(id, &s.groups)}
            {claims_view(id, s.claims)}
            {(s.wrong_codes > 0).then(|| view! { <p class="muted small" data-testid="sheet-wrong-codes">{t(Key::WrongCodes)} " " {s.wrong_codes}</p> })}
            {parts}
            <table class="table sheet-table">
                <thead><tr>
                    <th>{t(Key::Name)}</th><th>{t(Key::Community)}</th><th>{t(Key::Status)}</th><th>{t(Key::CheckedInAt)}</th><th class="no-print">{t(Key::Change)}</th>
                </tr></thead>
                <tbody>
                    {s.lines.into_iter().map(|l| line_view(id, l, set)).collect_view()}
                </tbody>
            </table>
            {pager}
            <section class="audit" data-testid="audit">
                <h2>{t(Key::AuditTrail)}</h2>
                {(s.audit_total > AUDIT_SHOWN).then(|| view! {
                    <p class="muted small">{tf(Key::AuditLatest, [AUDIT_SHOWN.to_string(), s.audit_total.to_string()])}</p>
                })}
                {if s.audit.is_empty() {
                    view! { <p class="muted">{t(Key::NoChanges)}</p> }.into_any()
                } else {
                    view! {
                        <ol class="audit-list">
                            {s.audit.into_iter().rev().map(|e| view! {
                                <li>
                                    <span class="muted">{e.at.local().format("%m-%d %H:%M").to_string()}</span> " "
                                    <strong>{e.person}</strong> " "
                                    {e.from.map(|f| view! { <span>{t(f.label())}</span> " → " })}
                                    <span>{t(e.to.label())}</span>
                                    " · " {e.actor}
                                    {(!e.reason.is_empty()).then(|| view! { " · " <em>{reason_text(&e.reason)}</em> })}
                                </li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
            </section>
        </article>
    }
}

/// "集体请假": one reason for a whole community of the sheet, duty by default.
fn group_excusal(
    session_id: i64,
    groups: &[crate::domain::report::CountRow],
) -> impl IntoView + use<> {
    use crate::domain::leave::LeaveKind;
    let excuse = use_context::<ServerAction<ExcuseGroup>>();
    let query = leptos_router::hooks::use_query_map();
    let done = query.read_untracked().get("excused");
    let communities: Vec<(i64, String)> = groups
        .iter()
        .filter(|g| g.id != 0)
        .map(|g| (g.id, g.name.clone()))
        .collect();
    excuse.filter(|_| !communities.is_empty()).map(|excuse| view! {
        {done.map(|n| view! { <p class="ok" role="status" data-testid="excused">{tf(Key::ExcuseGroupDone, [n])}</p> })}
        <details class="no-print" data-testid="group-excusal">
            <summary>{t(Key::ExcuseGroup)}</summary>
            <p class="muted small">{t(Key::ExcuseGroupHint)}</p>
            <ActionForm action=excuse attr:class="stack">
                <input type="hidden" name="session_id" value=session_id />
                <label><span>{t(Key::ExcuseGroupCommunity)}</span>
                    <select name="community_id">
                        {communities.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </label>
                <label><span>{t(Key::LeaveKindLabel)}</span>
                    <select name="kind">
                        {[LeaveKind::Duty, LeaveKind::Sick, LeaveKind::Personal].into_iter().map(|k| view! {
                            <option value=k.as_str()>{t(crate::i18n::leave_kind_key(k))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label><span>{t(Key::LeaveReason)}</span><input name="reason" required minlength="2" maxlength="200" /></label>
                <button type="submit" class="primary" data-testid="excuse-group">{t(Key::ExcuseGroupSubmit)}</button>
            </ActionForm>
        </details>
    })
}

/// Address of a part of the sheet.
fn sheet_href(id: i64, part: SheetPart, query: &str, page: i64) -> String {
    let mut href = format!("/organiser/sessions/{id}/attendance?c={}", part.param());
    if !query.is_empty() {
        href.push_str(&format!("&q={}", percent_encode(query)));
    }
    if page > 1 {
        href.push_str(&format!("&page={page}"));
    }
    href
}

/// The communities on the sheet with their head-counts, each a link to its lines, and a
/// name search (a plain GET form: works without JavaScript).
fn parts_view(s: &SheetData) -> impl IntoView + use<> {
    let id = s.session.id;
    let current = s.part;
    let query = s.query.clone();
    let all_count = s.counts.checked_in();
    let all_expected = s.counts.expected;
    let chip = move |part: SheetPart, label: AnyView, came: i64, expected: i64| {
        let here = part == current;
        view! {
            <a class="chip" class:selected=here aria-current=here.then_some("page")
                href=sheet_href(id, part, "", 1) data-testid="sheet-part">
                {label} " " {came} "/" {expected}
            </a>
        }
    };
    let groups = s.groups.clone();
    view! {
        <nav class="chips no-print" data-testid="sheet-parts" aria-label=t(Key::Community)>
            {chip(SheetPart::All, view! { {t(Key::SheetAllCommunities)} }.into_any(), all_count, all_expected)}
            {groups.into_iter().map(|g| {
                let name = if g.name.is_empty() { "—".to_string() } else { g.name };
                chip(SheetPart::Community(g.id), name.into_any(), g.counts.checked_in(), g.counts.expected)
            }).collect_view()}
        </nav>
        <form method="get" action=format!("/organiser/sessions/{id}/attendance") class="row no-print" role="search">
            <input type="hidden" name="c" value=if query.is_empty() { current.param() } else { "all".to_string() } />
            <input name="q" type="search" maxlength="50" value=query placeholder=t(Key::SheetFindName) aria-label=t(Key::SheetFindName) />
            <button type="submit">{t(Key::NavSearch)}</button>
        </form>
    }
}

/// Where the lines are in the part, with links to the pages beside.
fn pager_view(
    id: i64,
    part: SheetPart,
    query: &str,
    page: i64,
    pages: i64,
    total: i64,
) -> impl IntoView + use<> {
    let previous = (page > 1).then(|| sheet_href(id, part, query, page - 1));
    let next = (page < pages).then(|| sheet_href(id, part, query, page + 1));
    view! {
        <nav class="pager no-print" data-testid="sheet-pager">
            {if total == 0 {
                view! { <span class="muted">{t(Key::SheetNoLines)}</span> }.into_any()
            } else {
                view! { <span class="muted">{tf(Key::SheetLinesOf, [page.to_string(), pages.to_string(), total.to_string()])}</span> }.into_any()
            }}
            {previous.map(|href| view! { " " <a href=href>{t(Key::PrevPage)}</a> })}
            {next.map(|href| view! { " " <a href=href data-testid="sheet-next">{t(Key::NextPage)}</a> })}
        </nav>
    }
}

fn line_view(session_id: i64, l: SheetLine, set: ServerAction<SetAttendance>) -> impl IntoView {
    let lang = use_lang();
    let (tier_zh, tier_en) = (l.tier_zh, l.tier_en);
    let status = l.status;
    let person = l.person_id;
    view! {
        <tr data-testid="sheet-line" data-person=l.name.clone()>
            <td>
                <a href=format!("/history?person={person}")>{l.name.clone()}</a>
                <span class="muted small">" " {move || lang.get().pick(&tier_zh, &tier_en).to_string()}</span>
                {l.walk_in.then(|| view! { " " <span class="chip">{t(Key::WalkIn)}</span> })}
                {(l.origin.shared_device > 0).then(|| view! { " " <span class="chip warn" data-testid="flag-device">{t(Key::FlagSharedDevice)} " +" {l.origin.shared_device}</span> })}
                {(l.origin.shared_address > 0).then(|| view! { " " <span class="chip warn" data-testid="flag-address">{t(Key::FlagSharedAddress)} " +" {l.origin.shared_address}</span> })}
                {l.origin.outside_venue.then(|| view! { " " <span class="chip warn" data-testid="flag-outside">{t(Key::FlagOutsideVenue)}</span> })}
            </td>
            <td>{l.community}</td>
            <td data-testid="line-status">{match status {
                Some(s) => view! { <span class="chip status" class:late=s == AttendanceStatus::Late>{t(s.label())}</span> }.into_any(),
                None => view! { <span class="muted">{t(Key::NotYetArrived)}</span> }.into_any(),
            }}</td>
            <td>{l.checked_in_at.filter(|_| status.is_some_and(|s| s.attended())).map(|at| at.hh_mm())}</td>
            <td class="no-print">
                <ActionForm action=set attr:class="row compact">
                    <input type="hidden" name="session_id" value=session_id />
                    <input type="hidden" name="person_id" value=person />
                    <select name="status" aria-label=t(Key::Status)>
                        {AttendanceStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=status == Some(s)>{t(s.label())}</option>
                        }).collect_view()}
                    </select>
                    <input name="reason" maxlength="500" placeholder=t(Key::ChangeReason) aria-label=t(Key::ChangeReason) />
                    <button type="submit">{t(Key::Save)}</button>
                </ActionForm>
            </td>
        </tr>
    }
}

/// A reason stored as a code reads as a sentence; one an organiser typed stays as typed.
fn reason_text(reason: &str) -> impl IntoView + use<> {
    let key = crate::i18n::reason_key(reason);
    let typed = reason.to_string();
    let lang = use_lang();
    move || match key {
        Some(k) => k.text(lang.get()).to_string(),
        None => typed.clone(),
    }
}

/// Walk-ins waiting for an organiser: confirm (hours count) or dismiss.
fn claims_view(session_id: i64, claims: Vec<crate::api::attendance::ClaimLine>) -> impl IntoView {
    let decide = use_context::<ServerAction<DecideWalkIn>>();
    (!claims.is_empty()).then(move || {
        view! {
            <section class="card stack no-print" data-testid="walk-in-claims">
                <h2>{t(Key::WalkInClaimsTitle)}</h2>
                <p class="muted small">{t(Key::WalkInClaimsHint)}</p>
                <ul class="plain">
                    {claims.into_iter().map(|c| {
                        let at = c.at;
                        let form = |confirm: bool, label: Key, class: &'static str| decide.map(|decide| view! {
                            <ActionForm action=decide attr:class="inline">
                                <input type="hidden" name="session_id" value=session_id />
                                <input type="hidden" name="person_id" value=c.person_id />
                                <input type="hidden" name="confirm" value=confirm.to_string() />
                                <button type="submit" class=class>{t(label)}</button>
                            </ActionForm>
                        });
                        view! {
                            <li data-testid="walk-in-claim" data-person=c.name.clone()>
                                {c.name.clone()} " " <span class="muted small">{c.community.clone()} " · " {move || at.hh_mm()}</span>
                                " " <span class="chip status">{t(c.status.label())}</span>
                                {form(true, Key::ConfirmWalkIn, "primary")}
                                {form(false, Key::DismissWalkIn, "")}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}
