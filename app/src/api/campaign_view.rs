//! What the campaign screens receive: a campaign with its schedule already written in
//! the organization's time zone. The browser has no zone database, and the schedule is
//! typed and shown in that zone, not the visitor's.

use crate::model::{CampaignDto, CampaignPreview, ListOption};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignView {
    pub campaign: CampaignDto,
    /// `YYYY-MM-DDTHH:MM` in `campaign.time_zone`, as `<input type="datetime-local">` takes it.
    pub scheduled_local: Option<String>,
    /// Scheduled to start within a minute (or overdue): the page watches for the start.
    /// Told by the server, whose clock the scheduler follows.
    #[serde(default)]
    pub starts_soon: bool,
}

impl CampaignView {
    /// The local schedule for reading (`2026-02-25 09:00`).
    pub fn scheduled_display(&self) -> Option<String> {
        self.scheduled_local
            .as_ref()
            .map(|s| s.replacen('T', " ", 1))
    }
}

/// Everything the editor needs to render, in one round trip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignEditorData {
    /// None for a new campaign.
    pub campaign: Option<CampaignView>,
    pub lists: Vec<ListOption>,
    /// The organization's zone; unknown for a new campaign in an organization that has
    /// none yet (no port tells it otherwise).
    pub time_zone: Option<String>,
    /// The saved content rendered for the sample contact.
    pub preview: CampaignPreview,
}

#[cfg(feature = "ssr")]
impl CampaignView {
    pub fn new(campaign: CampaignDto) -> Self {
        let scheduled_local = campaign
            .scheduled_at
            .map(|at| local_input(at, &campaign.time_zone));
        let starts_soon = campaign.status == crate::model::CampaignStatus::Scheduled
            && campaign
                .scheduled_at
                .is_some_and(|at| at <= chrono::Utc::now() + chrono::Duration::minutes(1));
        CampaignView {
            campaign,
            scheduled_local,
            starts_soon,
        }
    }
}

/// `at` as a wall-clock time in `zone`. The services only hand out valid zone names;
/// should one ever be unknown, UTC is shown rather than failing the page.
#[cfg(feature = "ssr")]
pub fn local_input(at: chrono::DateTime<chrono::Utc>, zone: &str) -> String {
    const FORMAT: &str = "%Y-%m-%dT%H:%M";
    match zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => at.with_timezone(&tz).format(FORMAT).to_string(),
        Err(_) => {
            tracing::warn!(zone, "unknown time zone; showing UTC");
            at.format(FORMAT).to_string()
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn schedules_are_shown_in_the_zone() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-02-25T08:00:00Z")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap();
        assert_eq!(local_input(at, "Europe/Paris"), "2026-02-25T09:00");
        assert_eq!(local_input(at, "Nowhere/Atlantis"), "2026-02-25T08:00");
    }
}
