//! Reading the start of the chosen file in the browser, for the preview. Only the head
//! travels: the file itself goes with the form, streamed by the browser.

/// What the server's preview reads at most.
#[cfg(feature = "hydrate")]
const HEAD_BYTES: f64 = 256.0 * 1024.0;

/// The first 256 KiB of the input's file as text, cut after the last complete line
/// when the file is longer (a half row would show as a broken one).
#[cfg(feature = "hydrate")]
pub async fn read_head(input: &web_sys::HtmlInputElement) -> Option<String> {
    let file = input.files()?.get(0)?;
    let truncated = file.size() > HEAD_BYTES;
    let blob = file.slice_with_f64_and_f64(0.0, HEAD_BYTES).ok()?;
    let text = wasm_bindgen_futures::JsFuture::from(blob.text())
        .await
        .ok()?
        .as_string()?;
    Some(cut_to_lines(text, truncated))
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn cut_to_lines(mut text: String, truncated: bool) -> String {
    if truncated {
        if let Some(end) = text.rfind('\n') {
            text.truncate(end + 1);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_file_keeps_whole_lines() {
        assert_eq!(cut_to_lines("a,b\n1,2\n3,".into(), true), "a,b\n1,2\n");
        assert_eq!(cut_to_lines("a,b\n1,2".into(), false), "a,b\n1,2");
    }
}
