//! Campaign content: template syntax checks, HTML sanitizing, text generated from HTML,
//! and the per-channel rules a campaign must meet before it can be scheduled.

use super::render::{check_allowed, render, sample_contact, Part};
use app::model::{normalize_email, CampaignContent, Channel, EmailContent, FieldErrors};
use minijinja::Environment;

/// Normalizes content on every save: sanitized HTML, a text part when missing, and a
/// syntax check of every template field. Errors are keyed `content.<channel>.<field>`.
pub fn prepare(content: CampaignContent) -> Result<CampaignContent, FieldErrors> {
    let (content, errors) = normalize(content);
    if errors.is_empty() {
        Ok(content)
    } else {
        Err(errors)
    }
}

/// [`prepare`] that always returns the normalized (sanitized) content, with the
/// template errors beside it: previews render while a template is half-typed. Each
/// template is parsed, then rendered for the sample contact: one that is already too
/// expensive for it (see `render`) is refused.
pub fn normalize(mut content: CampaignContent) -> (CampaignContent, FieldErrors) {
    let mut errors = FieldErrors::new();
    if let Some(email) = content.email.as_mut() {
        email.html = sanitize_html(&email.html);
        if email.text.trim().is_empty() && !email.html.trim().is_empty() {
            email.text = html_to_text(&email.html);
        }
    }
    let sample = sample_contact();
    for (part, source) in parts(&content) {
        let checked = syntax_check(source).and_then(|()| match render(part, source, &sample) {
            Err(e) if e.refused_at_save() => Err(e.to_string()),
            _ => Ok(()),
        });
        if let Err(e) = checked {
            errors.insert(part.key().to_owned(), e);
        }
    }
    (content, errors)
}

/// Every template field of `content`, with its part.
pub fn parts(content: &CampaignContent) -> Vec<(Part, &str)> {
    let mut parts = Vec::new();
    if let Some(e) = &content.email {
        parts.extend([
            (Part::EmailSubject, e.subject.as_str()),
            (Part::EmailPreheader, e.preheader.as_str()),
            (Part::EmailHtml, e.html.as_str()),
            (Part::EmailText, e.text.as_str()),
        ]);
    }
    if let Some(s) = &content.sms {
        parts.push((Part::SmsText, s.text.as_str()));
    }
    if let Some(p) = &content.push {
        parts.extend([
            (Part::PushTitle, p.title.as_str()),
            (Part::PushBody, p.body.as_str()),
            (Part::PushUrl, p.url.as_str()),
        ]);
    }
    parts
}

/// What is still missing for each selected channel before sending.
pub fn readiness(content: &CampaignContent, channels: &[Channel]) -> FieldErrors {
    let mut errors = FieldErrors::new();
    let mut require = |channel: &str, field: &str, ok: bool, message: &str| {
        if !ok {
            errors.insert(format!("content.{channel}.{field}"), message.to_owned());
        }
    };
    for channel in channels {
        match channel {
            Channel::Email => {
                let e = content.email.clone().unwrap_or_default();
                email_rules(&e, &mut require);
            }
            Channel::Sms => {
                let s = content.sms.clone().unwrap_or_default();
                require(
                    "sms",
                    "text",
                    !s.text.trim().is_empty(),
                    "an SMS needs a text",
                );
                require(
                    "sms",
                    "sender_id",
                    valid_sender_id(&s.sender_id),
                    "a sender id is 1 to 11 letters or digits, or a phone number",
                );
            }
            Channel::Push => {
                let p = content.push.clone().unwrap_or_default();
                require(
                    "push",
                    "title",
                    !p.title.trim().is_empty(),
                    "a push notification needs a title",
                );
                require(
                    "push",
                    "body",
                    !p.body.trim().is_empty(),
                    "a push notification needs a body",
                );
                let url_ok = p.url.is_empty() || p.url.contains("{{") || is_http_url(&p.url);
                require(
                    "push",
                    "url",
                    url_ok,
                    "the target URL must be an http(s) URL",
                );
                require(
                    "push",
                    "icon",
                    p.icon.is_empty() || is_http_url(&p.icon),
                    "the icon must be an http(s) URL",
                );
            }
        }
    }
    errors
}

fn email_rules(e: &EmailContent, require: &mut impl FnMut(&str, &str, bool, &str)) {
    require(
        "email",
        "subject",
        !e.subject.trim().is_empty(),
        "an email needs a subject",
    );
    require(
        "email",
        "from_email",
        normalize_email(&e.from_email).is_ok(),
        "a valid sender address is required",
    );
    require(
        "email",
        "from_name",
        e.from_name.chars().count() <= 100,
        "a sender name has at most 100 characters",
    );
    require(
        "email",
        "html",
        !e.html.trim().is_empty(),
        "an email needs a body",
    );
}

/// An SMS sender: up to 11 letters, digits and spaces, or a number in E.164 form.
pub fn valid_sender_id(id: &str) -> bool {
    let alphanumeric = (1..=11).contains(&id.chars().count())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ');
    let phone = id.starts_with('+')
        && (8..=16).contains(&id.len())
        && id[1..].chars().all(|c| c.is_ascii_digit());
    alphanumeric || phone
}

pub fn is_http_url(raw: &str) -> bool {
    url::Url::parse(raw).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

/// Parses a template without rendering it; the message gives the line and what is wrong.
/// Then checks that it uses only what campaign templates may (see
/// `render::check_allowed`).
pub fn syntax_check(source: &str) -> Result<(), String> {
    let env = Environment::new();
    let template = env.template_from_str(source).map_err(|e| match e.line() {
        Some(line) => format!(
            "template error on line {line}: {}",
            e.detail().unwrap_or("invalid syntax")
        ),
        None => format!("template error: {}", e.detail().unwrap_or("invalid syntax")),
    })?;
    check_allowed(&template).map_err(|why| format!("template error: {why}"))
}

/// Keeps the markup of an email and drops what could run or track: scripts, event
/// handlers, `javascript:` URLs. Template tags survive as plain text.
pub fn sanitize_html(html: &str) -> String {
    if html.trim().is_empty() {
        return String::new();
    }
    ammonia::Builder::default()
        .add_tags(["style", "center", "font"])
        .rm_clean_content_tags(["style"])
        .add_generic_attributes([
            "style", "align", "valign", "width", "height", "bgcolor", "class",
        ])
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

pub fn html_to_text(html: &str) -> String {
    html2text::from_read(html.as_bytes(), 78)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::{PushContent, SmsContent};

    #[test]
    fn syntax_errors_say_where() {
        let e = syntax_check("Hello\n{{ first_name ").unwrap_err();
        assert!(e.starts_with("template error on line 2"), "{e}");
        assert!(syntax_check("{% if x %}open").is_err());
        assert!(syntax_check("{{ first_name | default('x') }}").is_ok());
    }

    #[test]
    fn a_template_too_expensive_for_the_sample_contact_is_refused() {
        let content = CampaignContent {
            sms: Some(SmsContent {
                text: "{% for a in range(100000) %}{% for b in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}".into(),
                sender_id: "Acme".into(),
            }),
            push: Some(PushContent {
                title: "{% for a in range(2000) %}xxxxxxxxxx{% endfor %}".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let errors = prepare(content).unwrap_err();
        assert!(
            errors["content.sms.text"].starts_with("too expensive to render"),
            "{errors:?}"
        );
        assert!(
            errors["content.push.title"].starts_with("too expensive to render"),
            "{errors:?}"
        );
    }

    #[test]
    fn html_is_sanitized_and_text_generated() {
        let content = CampaignContent {
            email: Some(EmailContent {
                html: r#"<h1 onclick="steal()">Hi {{ first_name }}</h1><script>alert(1)</script><a href="javascript:x()">x</a><p>Promo</p>"#.into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let out = prepare(content).unwrap().email.unwrap();
        assert!(
            !out.html.contains("script")
                && !out.html.contains("onclick")
                && !out.html.contains("javascript:"),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("<h1>Hi {{ first_name }}</h1>"),
            "{}",
            out.html
        );
        assert!(
            out.text.contains("Hi {{ first_name }}") && out.text.contains("Promo"),
            "{}",
            out.text
        );
    }

    #[test]
    fn html_is_sanitized_even_while_a_template_is_broken() {
        let content = CampaignContent {
            email: Some(EmailContent {
                html: "<p>{{ first_name </p><script>steal()</script>".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let (out, errors) = normalize(content);
        assert!(errors.contains_key("content.email.html"));
        assert!(!out.email.unwrap().html.contains("script"));
    }

    #[test]
    fn syntax_errors_name_the_field() {
        let content = CampaignContent {
            sms: Some(SmsContent {
                text: "{{ oops".into(),
                sender_id: "Acme".into(),
            }),
            ..Default::default()
        };
        let errors = prepare(content).unwrap_err();
        assert!(errors["content.sms.text"].starts_with("template error"));
    }

    #[test]
    fn readiness_per_channel() {
        let empty = CampaignContent::default();
        let errors = readiness(&empty, &[Channel::Email, Channel::Sms, Channel::Push]);
        for key in [
            "content.email.subject",
            "content.email.from_email",
            "content.email.html",
            "content.sms.text",
            "content.sms.sender_id",
            "content.push.title",
            "content.push.body",
        ] {
            assert!(errors.contains_key(key), "{key} missing from {errors:?}");
        }
        let ready = CampaignContent {
            email: Some(EmailContent {
                subject: "S".into(),
                from_email: "news@acme.test".into(),
                html: "<p>x</p>".into(),
                ..Default::default()
            }),
            sms: Some(SmsContent {
                text: "x".into(),
                sender_id: "ACME".into(),
            }),
            push: Some(PushContent {
                title: "t".into(),
                body: "b".into(),
                url: "https://acme.test/{{ id }}".into(),
                icon: String::new(),
            }),
        };
        assert!(readiness(&ready, &[Channel::Email, Channel::Sms, Channel::Push]).is_empty());
        assert!(readiness(&empty, &[]).is_empty());
    }
}
