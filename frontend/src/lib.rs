//! The WASM entry point: hydrate the server-rendered page, once the chunk of its route
//! has loaded (see `app::pages::routes`).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_lazy(app::App);
}
