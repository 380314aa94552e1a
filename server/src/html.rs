//! Text put into HTML we write by hand (the plain public pages, the confirmation mail).

/// `s` safe inside an element or a double-quoted attribute.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
