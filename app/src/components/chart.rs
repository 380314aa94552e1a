//! A chart: its title, a canvas `public/charts.js` draws into with ECharts, and the
//! table of its figures, which is what a reader without JavaScript (or a screen reader)
//! gets. The canvas stays hidden until it is drawn.

use crate::model::ChartSpec;
use leptos::prelude::*;

#[component]
pub fn Chart(
    /// Read again when it changes: a live page redraws with new figures.
    #[prop(into)]
    spec: Signal<ChartSpec>,
    /// The same figures as a table (none when the page shows them beside the chart).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let key = spec.with_untracked(|s| s.key.clone());
    let title_id = format!("chart-{key}-title");
    view! {
        <figure class="chart" data-testid=format!("chart-{key}") aria-labelledby=title_id.clone()>
            <figcaption id=title_id.clone()>{move || spec.with(|s| s.title.clone())}</figcaption>
            <div class="chart-canvas" aria-hidden="true" data-chart=move || spec.with(|s| s.option.clone())></div>
            {children.map(|c| c())}
        </figure>
    }
}
