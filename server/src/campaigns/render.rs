//! Rendering a campaign's templates for one contact, bounded. Templates are written by
//! users and filled with contact data that came from CSV files, so every render:
//! - runs on [`FUEL`] steps of the template engine at most (loops, filters, calls);
//! - writes at most [`Part::max_output`] bytes (checked while writing);
//! - escapes contact data for HTML in an email's HTML part, then sanitizes the result
//!   (a `| safe` or a tag built by the template is cleaned like saved HTML);
//! - refuses a push URL that does not render to an http(s) URL.
//!
//! Renders are CPU work: async callers run them with [`render_blocking`], off the async
//! threads. A template that is too expensive for the sample contact is refused when the
//! campaign is saved; one that is too expensive only for some contact's data fails that
//! one delivery.

use super::content::{is_http_url, sanitize_html};
use minijinja::{
    machinery::{get_compiled_template, Instruction},
    AutoEscape, Environment, ErrorKind, Template,
};
use serde_json::{json, Value};
use std::io::Write;

/// Template engine steps one render may take: ample for personalization (conditions,
/// defaults, a loop over a few attributes), far from a loop of loops.
pub const FUEL: u64 = 100_000;

/// The filters a campaign template may use: none of them makes a value much larger than
/// its input (`indent`, `replace`, `center` and the like could, in one step).
const FILTERS: &[&str] = &[
    "default",
    "d",
    "upper",
    "lower",
    "title",
    "capitalize",
    "trim",
    "length",
    "count",
    "first",
    "last",
    "join",
    "escape",
    "e",
    "safe",
    "urlencode",
    "int",
    "float",
    "round",
    "abs",
    "string",
    "bool",
    "wordcount",
    "list",
    "sort",
    "unique",
    "reverse",
];

/// Refuses what a campaign template has no need of and could use to make one step cost
/// without bound: arithmetic and concatenation on values (`+`, `*`, `**`, `~`: a string
/// doubled a few times is gigabytes), output captured into a variable (`{% set %}`
/// blocks, `{% filter %}`, macros: the output bound would not see it), function and
/// method calls (but `range`), includes, and filters outside [`FILTERS`].
pub fn check_allowed(template: &Template<'_, '_>) -> Result<(), String> {
    let code = &get_compiled_template(template).instructions;
    for i in 0..code.len() {
        let refused = match code.get(u32::try_from(i).unwrap_or(u32::MAX)) {
            Some(Instruction::Add | Instruction::Mul | Instruction::Pow | Instruction::StringConcat) => {
                Some("`+`, `*`, `**` and `~` are not allowed: write values side by side, `{{ first_name }} {{ last_name }}`".to_owned())
            }
            Some(
                Instruction::BeginCapture(_)
                | Instruction::BuildMacro(..)
                | Instruction::CallBlock(_)
                | Instruction::Include(_)
                | Instruction::LoadBlocks
                | Instruction::FastSuper
                | Instruction::FastRecurse,
            ) => Some("only `if` and `for` tags and `{% set x = ... %}` are allowed".to_owned()),
            // `range` makes at most 100,000 numbers; loops over it run on fuel.
            Some(Instruction::CallFunction(name, _)) if *name == "range" => None,
            Some(
                Instruction::CallFunction(..)
                | Instruction::CallMethod(..)
                | Instruction::CallObject(_),
            ) => Some("function and method calls are not allowed (but `range`)".to_owned()),
            Some(Instruction::ApplyFilter(name, ..)) if !FILTERS.contains(name) => Some(format!(
                "the `{name}` filter is not allowed; use one of: {}",
                FILTERS.join(", ")
            )),
            _ => None,
        };
        if let Some(why) = refused {
            return Err(why);
        }
    }
    Ok(())
}

/// The template fields of a campaign's content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    EmailSubject,
    EmailPreheader,
    EmailHtml,
    EmailText,
    SmsText,
    PushTitle,
    PushBody,
    PushUrl,
}

impl Part {
    /// The field's name in validation errors.
    pub fn key(self) -> &'static str {
        match self {
            Part::EmailSubject => "content.email.subject",
            Part::EmailPreheader => "content.email.preheader",
            Part::EmailHtml => "content.email.html",
            Part::EmailText => "content.email.text",
            Part::SmsText => "content.sms.text",
            Part::PushTitle => "content.push.title",
            Part::PushBody => "content.push.body",
            Part::PushUrl => "content.push.url",
        }
    }

    /// The most a render of this part may write, in bytes (documented in the README).
    pub fn max_output(self) -> usize {
        match self {
            Part::EmailSubject | Part::EmailPreheader | Part::PushTitle => 1024,
            Part::PushUrl => 2048,
            Part::SmsText | Part::PushBody => 4096,
            Part::EmailText => 256 * 1024,
            Part::EmailHtml => 512 * 1024,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("too expensive to render: more than {FUEL} template steps")]
    OutOfFuel,
    #[error("too expensive to render: more than {0} bytes of output")]
    TooLarge(usize),
    #[error("renders to `{0}`, which is not an http(s) URL")]
    NotHttp(String),
    #[error("template error: {0}")]
    Template(String),
}

impl RenderError {
    /// Refused when saving: already too expensive for the sample contact, or a push URL
    /// that is not http(s). (Other render errors may be the sample's data, not the
    /// template's.)
    pub fn refused_at_save(&self) -> bool {
        matches!(
            self,
            RenderError::OutOfFuel | RenderError::TooLarge(_) | RenderError::NotHttp(_)
        )
    }
}

/// Renders `source` as `part` with `vars`. Unknown variables render empty (use
/// `{{ first_name | default("there") }}` for a fallback).
pub fn render(part: Part, source: &str, vars: &Value) -> Result<String, RenderError> {
    Compiled::new(part, source)?.render(vars)
}

/// A template compiled and checked once, to render for many contacts: each render runs
/// on its own [`FUEL`] and output bound.
pub struct Compiled {
    // Boxed: an environment is large, and a message's templates hold several.
    env: Box<Environment<'static>>,
    part: Part,
}

impl Compiled {
    pub fn new(part: Part, source: &str) -> Result<Self, RenderError> {
        let mut env = Environment::new();
        env.set_fuel(Some(FUEL));
        let escape = if part == Part::EmailHtml {
            AutoEscape::Html
        } else {
            AutoEscape::None
        };
        env.set_auto_escape_callback(move |_| escape);
        env.add_template_owned(part.key(), source.to_owned())
            .map_err(|e| RenderError::Template(e.to_string()))?;
        let template = env
            .get_template(part.key())
            .map_err(|e| RenderError::Template(e.to_string()))?;
        check_allowed(&template).map_err(RenderError::Template)?;
        Ok(Compiled {
            env: Box::new(env),
            part,
        })
    }

    /// The template for one contact's variables (a `serde_json::Value`, or a
    /// `minijinja::Value` made once for the several parts of a message).
    pub fn render(&self, vars: &impl serde::Serialize) -> Result<String, RenderError> {
        let part = self.part;
        let template = self
            .env
            .get_template(part.key())
            .map_err(|e| RenderError::Template(e.to_string()))?;
        let mut out = Bounded {
            bytes: Vec::new(),
            max: part.max_output(),
            over: false,
        };
        if let Err(e) = template.render_captured_to(vars, &mut out) {
            return Err(if out.over {
                RenderError::TooLarge(part.max_output())
            } else if e.kind() == ErrorKind::OutOfFuel {
                RenderError::OutOfFuel
            } else {
                RenderError::Template(e.to_string())
            });
        }
        let text =
            String::from_utf8(out.bytes).map_err(|e| RenderError::Template(e.to_string()))?;
        match part {
            Part::EmailHtml => Ok(sanitize_html(&text)),
            Part::PushUrl if !text.trim().is_empty() && !is_http_url(text.trim()) => {
                Err(RenderError::NotHttp(text.chars().take(100).collect()))
            }
            _ => Ok(text),
        }
    }
}

/// [`render`] on a blocking thread, for async callers.
pub async fn render_blocking(
    part: Part,
    source: String,
    vars: Value,
) -> Result<String, RenderError> {
    tokio::task::spawn_blocking(move || render(part, &source, &vars))
        .await
        .unwrap_or_else(|e| Err(RenderError::Template(format!("the render stopped: {e}"))))
}

/// The contact previews and the save-time cost check render for.
pub fn sample_contact() -> Value {
    json!({
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "phone": "+33612345678",
        "locale": "en",
        "unsubscribe_url": "https://example.com/unsubscribe/sample",
        "preferences_url": "https://example.com/pref/sample",
    })
}

/// A writer that refuses to grow past `max` bytes: the render stops there.
struct Bounded {
    bytes: Vec<u8>,
    max: usize,
    over: bool,
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.max {
            self.over = true;
            return Err(std::io::Error::other("output limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Value {
        json!({"first_name": "Ada", "plan": "pro"})
    }

    #[test]
    fn personalizes_with_defaults() {
        assert_eq!(
            render(Part::SmsText, "Hi {{ first_name }} ({{ plan }})", &vars()).unwrap(),
            "Hi Ada (pro)"
        );
        assert_eq!(
            render(
                Part::SmsText,
                "Hi {{ last_name | default(\"friend\") }}",
                &vars()
            )
            .unwrap(),
            "Hi friend"
        );
        assert_eq!(render(Part::SmsText, "{{ missing }}", &vars()).unwrap(), "");
    }

    #[test]
    fn a_loop_of_loops_runs_out_of_fuel() {
        let silent =
            "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}";
        assert_eq!(
            render(Part::SmsText, silent, &vars()),
            Err(RenderError::OutOfFuel)
        );
        // The review's SMS: stopped by whichever bound it meets first.
        let loud = "{% for a in range(100000) %}{% for b in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}";
        for part in [Part::SmsText, Part::EmailHtml] {
            assert!(render(part, loud, &vars()).unwrap_err().refused_at_save());
        }
    }

    #[test]
    fn output_stops_at_the_part_limit() {
        let source =
            "{% for a in first_name %}{% for b in first_name %}xxxxxxxxxx{% endfor %}{% endfor %}";
        let vars = || json!({"first_name": "x".repeat(45)});
        assert_eq!(
            render(Part::SmsText, source, &vars()),
            Err(RenderError::TooLarge(4096))
        );
        assert_eq!(
            render(Part::EmailText, source, &vars()).unwrap().len(),
            45 * 45 * 10
        );
        let big = json!({"first_name": "x".repeat(60_000)});
        let source = "{% for a in 'abcdefghij' %}{{ first_name }}{% endfor %}";
        assert_eq!(
            render(Part::EmailHtml, source, &big),
            Err(RenderError::TooLarge(512 * 1024))
        );
    }

    #[test]
    fn contact_data_is_escaped_in_html_and_the_result_sanitized() {
        let evil = json!({"first_name": "<img src=x onerror=alert(1)>"});
        let html = render(Part::EmailHtml, "<p>Hi {{ first_name }}</p>", &evil).unwrap();
        assert_eq!(html, "<p>Hi &lt;img src=x onerror=alert(1)&gt;</p>");
        let literal = render(
            Part::EmailHtml,
            "<p>{{ \"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\" }}</p>",
            &evil,
        )
        .unwrap();
        assert!(!literal.contains("<script"), "{literal}");
        let unsafe_filter = render(
            Part::EmailHtml,
            "<p>{{ first_name | safe }}</p><a href=\"{{ link }}\">x</a>",
            &json!({"first_name": "<script>x()</script>", "link": "javascript:alert(1)"}),
        )
        .unwrap();
        assert!(
            !unsafe_filter.contains("<script") && !unsafe_filter.contains("javascript:"),
            "{unsafe_filter}"
        );
        // Text parts are not HTML: nothing to escape.
        assert_eq!(
            render(Part::EmailText, "{{ first_name }}", &evil).unwrap(),
            "<img src=x onerror=alert(1)>"
        );
    }

    #[test]
    fn push_urls_must_render_to_http() {
        let url = "{{ link }}";
        assert_eq!(
            render(Part::PushUrl, url, &json!({"link": "https://acme.test/a"})).unwrap(),
            "https://acme.test/a"
        );
        assert!(matches!(
            render(Part::PushUrl, url, &json!({"link": "javascript:alert(1)"})),
            Err(RenderError::NotHttp(_))
        ));
        assert_eq!(render(Part::PushUrl, "", &vars()).unwrap(), "");
    }
}
