//! Finding and replacing the links of a rendered HTML email. The HTML has been through
//! the sanitizer's serializer, so attributes are well formed; the scan still reads tag
//! attributes one by one (a `>` inside a quoted value does not end the tag).

use std::ops::Range;

/// Longer URLs are left as they are (not tracked).
pub const MAX_URL: usize = 2048;
/// Links rewritten per message; the rest are left as they are.
pub const MAX_LINKS_PER_MESSAGE: usize = 100;

/// One `href` of an `<a>` tag: where its value sits in the HTML, and the URL it holds.
#[derive(Debug, PartialEq, Eq)]
pub struct Href {
    pub range: Range<usize>,
    pub url: String,
}

/// Whether a click on `url` may be tracked and followed: `http(s)` only.
pub fn trackable(url: &str) -> bool {
    if url.len() > MAX_URL {
        return false;
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The `href`s of the `<a>` tags of `html`, in order (at most [`MAX_LINKS_PER_MESSAGE`]).
pub fn hrefs(html: &str) -> Vec<Href> {
    let bytes = html.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while out.len() < MAX_LINKS_PER_MESSAGE {
        let Some(found) = html[at..].find('<') else {
            break;
        };
        let start = at + found + 1;
        at = start;
        let is_anchor = bytes
            .get(start)
            .is_some_and(|b| b.eq_ignore_ascii_case(&b'a'))
            && bytes.get(start + 1).is_some_and(u8::is_ascii_whitespace);
        if !is_anchor {
            continue;
        }
        let (end, href) = attributes(html, start + 1);
        at = end;
        if let Some(range) = href {
            let url = decode(&html[range.clone()]);
            out.push(Href { range, url });
        }
    }
    out
}

/// Reads the attributes of a tag from `i` to its `>`: where the tag ends, and the value
/// range of its `href`, if any.
fn attributes(html: &str, mut i: usize) -> (usize, Option<Range<usize>>) {
    let b = html.as_bytes();
    let mut href = None;
    loop {
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_whitespace() || *c == b'/')
        {
            i += 1;
        }
        match b.get(i) {
            None => return (i, href),
            Some(b'>') => return (i + 1, href),
            _ => {}
        }
        let name_start = i;
        while b
            .get(i)
            .is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b'=' | b'>' | b'/'))
        {
            i += 1;
        }
        let name = &html[name_start..i];
        if b.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        let value = match b.get(i) {
            Some(q @ (b'"' | b'\'')) => {
                let open = i + 1;
                let close = html[open..]
                    .find(*q as char)
                    .map_or(html.len(), |j| open + j);
                i = (close + 1).min(html.len());
                open..close
            }
            _ => {
                let open = i;
                while b
                    .get(i)
                    .is_some_and(|c| !c.is_ascii_whitespace() && *c != b'>')
                {
                    i += 1;
                }
                open..i
            }
        };
        if name.eq_ignore_ascii_case("href") && href.is_none() {
            href = Some(value);
        }
    }
}

/// An attribute value, its character references decoded (the few named ones a
/// serializer writes, and numeric ones); anything else is kept as written.
fn decode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let n = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => name.strip_prefix('#').and_then(|d| d.parse().ok()),
                    };
                    n.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `html` with each range replaced (ranges in order, not overlapping).
pub fn replace(html: &str, replacements: &[(Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(html.len() + replacements.len() * 64);
    let mut at = 0;
    for (range, with) in replacements {
        out.push_str(&html[at..range.start]);
        out.push_str(with);
        at = range.end;
    }
    out.push_str(&html[at..]);
    out
}

/// `html` with the open pixel before `</body>` (or at the end).
pub fn with_pixel(html: &str, pixel_url: &str) -> String {
    let img = format!(
        "<img src=\"{pixel_url}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;width:1px;height:1px;border:0\">"
    );
    match html.to_ascii_lowercase().rfind("</body>") {
        Some(i) => format!("{}{img}{}", &html[..i], &html[i..]),
        None => format!("{html}{img}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_found_with_their_urls_decoded() {
        let html = r#"<p title="a>b"><a class="x" href="https://acme.test/?a=1&amp;b=2">One</a>
            <abbr href="https://no.test">x</abbr><A HREF='http://two.test'>Two</A>
            <a name=top>no href</a><a href=https://three.test/x>3</a><a href="mailto:x@y">m</a>"#;
        let found: Vec<String> = hrefs(html).into_iter().map(|h| h.url).collect();
        assert_eq!(
            found,
            [
                "https://acme.test/?a=1&b=2",
                "http://two.test",
                "https://three.test/x",
                "mailto:x@y"
            ]
        );
        assert!(trackable(&found[0]) && trackable(&found[1]) && !trackable(&found[3]));
        assert_eq!(
            decode("http:&#47;&#x2F;a.test/?q=&quot;x&quot;&amp;r=1&bogus;&"),
            "http://a.test/?q=\"x\"&r=1&bogus;&"
        );
        assert!(!trackable("javascript:alert(1)") && !trackable("HTTPS:"));
        assert!(trackable("HTTPS://acme.test"));
    }

    #[test]
    fn links_are_replaced_in_place_and_the_pixel_goes_before_the_body_ends() {
        let html = r#"<html><body><a href="https://a.test">A</a> and <a href="https://b.test">B</a></body></html>"#;
        let found = hrefs(html);
        let replaced = replace(
            html,
            &found
                .iter()
                .enumerate()
                .map(|(i, h)| (h.range.clone(), format!("https://t.test/{i}")))
                .collect::<Vec<_>>(),
        );
        assert_eq!(
            replaced,
            r#"<html><body><a href="https://t.test/0">A</a> and <a href="https://t.test/1">B</a></body></html>"#
        );
        let with = with_pixel(&replaced, "https://t.test/o");
        assert!(with.ends_with(r#"border:0"></body></html>"#), "{with}");
        assert!(with_pixel("<p>x</p>", "https://t.test/o").starts_with("<p>x</p><img"));
    }

    #[test]
    fn unterminated_and_huge_input_stays_bounded() {
        assert!(hrefs("<a href=\"https://x.test").len() == 1);
        assert!(hrefs("<a").is_empty() && hrefs("<").is_empty() && hrefs("").is_empty());
        let many = "<a href=\"https://x.test\">x</a>".repeat(1000);
        assert_eq!(hrefs(&many).len(), MAX_LINKS_PER_MESSAGE);
    }
}
