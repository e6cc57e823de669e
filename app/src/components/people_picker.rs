use leptos::either::EitherOf3;
use leptos::prelude::*;

use crate::api::schedule::{Choice, PersonChoice, people_search};
use crate::i18n::{Key, t};

/// Names people in an audience: search by name, add, remove. The chosen ids travel with
/// the form as hidden fields named `field` (`person_ids` unless said: the planner reads
/// them; a plain form's server function takes `person_ids[]`).
#[component]
pub fn PeoplePicker(
    initial: Vec<Choice>,
    #[prop(default = "person_ids")] field: &'static str,
) -> impl IntoView {
    let chosen = RwSignal::new(initial);
    let query = RwSignal::new(String::new());
    let search = Action::new(|q: &String| {
        let q = q.clone();
        async move { people_search(q).await }
    });
    let add = move |p: PersonChoice| {
        chosen.update(|list| {
            if !list.iter().any(|c| c.id == p.id) {
                list.push(Choice::new(p.id, p.name.clone(), p.name));
            }
        })
    };
    view! {
        <div class="people-picker" data-testid="people-picker">
            <p class="hint">{t(Key::NamedPeople)}</p>
            <ul class="chosen">
                <For each=move || chosen.get() key=|c| c.id let:c>
                    <li class="chip">
                        <input type="hidden" name=field value=c.id />
                        {c.name_zh.clone()}
                        <button type="button" class="link-button" aria-label=t(Key::RemovePerson)
                            on:click=move |_| chosen.update(|l| l.retain(|x| x.id != c.id))>"×"</button>
                    </li>
                </For>
            </ul>
            <div class="row">
                <input type="search" aria-label=t(Key::SearchPeople) placeholder=t(Key::SearchPeople)
                    data-testid="people-search"
                    prop:value=move || query.get()
                    on:input=move |ev| {
                        let q = event_target_value(&ev);
                        query.set(q.clone());
                        if !q.trim().is_empty() {
                            search.dispatch(q);
                        }
                    } />
            </div>
            {move || search.value().get().map(|found| match found {
                Ok(list) if list.is_empty() => EitherOf3::A(view! { <p class="muted">{t(Key::NoMatches)}</p> }),
                Ok(list) => EitherOf3::B(view! {
                    <ul class="matches">
                        {list.into_iter().map(|p| {
                            let label = format!("{}（{}）", p.name, p.community);
                            view! {
                                <li><button type="button" class="link-button" on:click=move |_| add(p.clone())>
                                    {t(Key::AddPerson)} " " {label}
                                </button></li>
                            }
                        }).collect_view()}
                    </ul>
                }),
                Err(e) => EitherOf3::C(view! { <crate::components::layout::ErrorNote error=e /> }),
            })}
        </div>
    }
}
