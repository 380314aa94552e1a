//! Previous / "page n of m" / next for a paged list: plain links, so paging works
//! without JavaScript and keeps the list's filters in each address.

use super::use_strings;
use leptos::prelude::*;

/// `href(n)` is the address of page `n`.
#[component]
pub fn Pager<F>(current: u64, per_page: u64, total: u64, href: F) -> impl IntoView
where
    F: Fn(u64) -> String + 'static,
{
    let s = use_strings();
    let pages = total.div_ceil(per_page.max(1)).max(1);
    let previous = (current > 1).then(|| href(current - 1));
    let next = (current < pages).then(|| href(current + 1));
    view! {
        <nav class="pager" aria-label=s.pager_label>
            {previous.map(|h| view! { <a href=h rel="prev">{s.pager_previous}</a> })}
            <span aria-current="page">{format!("{} {current} {} {pages}", s.pager_page, s.pager_of)}</span>
            {next.map(|h| view! { <a href=h rel="next">{s.pager_next}</a> })}
        </nav>
    }
}
