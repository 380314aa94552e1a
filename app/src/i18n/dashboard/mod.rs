//! The dashboard's text, and how its figures are written in each language. Reached
//! through `Strings::dashboard`.

mod en;
mod fr;

pub use en::EN;
pub use fr::FR;

pub struct DashboardStrings {
    pub intro: &'static str,
    pub period: &'static str,
    pub last_7: &'static str,
    pub last_30: &'static str,
    pub last_90: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub show: &'static str,
    pub sent: &'static str,
    pub delivered: &'static str,
    pub failed: &'static str,
    pub success_rate: &'static str,
    pub failure_rate: &'static str,
    pub opens: &'static str,
    pub clicks: &'static str,
    pub machine_note: fn(u64) -> String,
    pub by_channel: &'static str,
    pub channel: &'static str,
    pub campaigns: &'static str,
    pub col_campaign: &'static str,
    pub col_status: &'static str,
    pub col_sent: &'static str,
    pub col_opened: &'static str,
    pub col_failure: &'static str,
    pub no_campaigns: &'static str,
    pub engagement: &'static str,
    pub open_rate: &'static str,
    pub click_rate: &'static str,
    pub top_links: &'static str,
    pub col_link: &'static str,
    pub col_clicks: &'static str,
    pub col_unique_clicks: &'static str,
    pub chart_by_channel: &'static str,
    pub chart_over_time: &'static str,
    pub chart_mix: &'static str,
    pub chart_funnel: &'static str,
    pub audience: &'static str,
    pub as_table: &'static str,
    pub share: &'static str,
    pub when: &'static str,
    pub failures_title: &'static str,
    pub col_reason: &'static str,
    pub col_count: &'static str,
    pub no_reason: &'static str,
    pub export_csv: &'static str,
    /// chrono formats of a series' days and hours.
    pub day_format: &'static str,
    pub hour_format: &'static str,
    /// Thousands separator and the space before `%`.
    pub thousands: char,
    pub percent_space: &'static str,
}

impl DashboardStrings {
    /// `1,200` / `1 200`.
    pub fn number(&self, n: u64) -> String {
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(self.thousands);
            }
            out.push(c);
        }
        out
    }

    /// `75%` / `75 %`, one decimal under 10 %; `–` for a rate that does not exist yet.
    pub fn percent(&self, rate: Option<f64>) -> String {
        match rate {
            None => "–".to_owned(),
            Some(r) => {
                let p = r * 100.0;
                let shown = if p > 0.0 && p < 10.0 {
                    format!("{p:.1}")
                } else {
                    format!("{p:.0}")
                };
                let shown = if self.thousands == ',' {
                    shown
                } else {
                    shown.replace('.', ",")
                };
                format!("{shown}{}%", self.percent_space)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_each_language_writes_them() {
        assert_eq!(EN.number(1_200), "1,200");
        assert_eq!(EN.number(12), "12");
        assert_eq!(FR.number(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(EN.percent(Some(0.75)), "75%");
        assert_eq!(FR.percent(Some(0.75)), "75\u{202f}%");
        assert_eq!(EN.percent(Some(0.031)), "3.1%");
        assert_eq!(FR.percent(Some(0.031)), "3,1\u{202f}%");
        assert_eq!(EN.percent(Some(0.0)), "0%");
        assert_eq!(EN.percent(None), "–");
    }
}
