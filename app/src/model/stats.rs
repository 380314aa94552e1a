//! Delivery and engagement figures, as `GET /api/campaigns/{id}/stats` and
//! `GET /api/campaigns/{id}/links` give them.

use super::Channel;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One channel of a campaign.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelStats {
    pub channel: Channel,
    /// Taken by the provider (delivered or not yet confirmed).
    pub sent: u64,
    pub delivered: u64,
    pub failed: u64,
    pub skipped: u64,
    /// Deliveries opened by a person (a click counts as an open).
    pub unique_opens: u64,
    pub unique_clicks: u64,
    /// Opens flagged as machines' (privacy proxies, scanners): not in the rates.
    pub machine_opens: u64,
    pub machine_clicks: u64,
    /// Contacts this campaign lost on the channel: a hard bounce, a complaint, its
    /// unsubscribe link.
    pub bounced: u64,
    pub complained: u64,
    pub unsubscribed: u64,
}

/// Fractions from 0 to 1; `null` where the denominator is 0 (nothing sent yet).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    /// delivered / sent.
    pub delivery: Option<f64>,
    /// unique opens / delivered.
    pub open: Option<f64>,
    /// unique clicks / delivered.
    pub click: Option<f64>,
    /// failed / (sent + failed).
    pub failure: Option<f64>,
}

impl Rates {
    /// The rates of these figures.
    pub fn of(s: &ChannelStats) -> Self {
        let ratio = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
        Rates {
            delivery: ratio(s.delivered, s.sent),
            open: ratio(s.unique_opens, s.delivered),
            click: ratio(s.unique_clicks, s.delivered),
            failure: ratio(s.failed, s.sent + s.failed),
        }
    }
}

impl ChannelStats {
    /// Nothing yet.
    pub fn empty(channel: Channel) -> Self {
        ChannelStats {
            channel,
            sent: 0,
            delivered: 0,
            failed: 0,
            skipped: 0,
            unique_opens: 0,
            unique_clicks: 0,
            machine_opens: 0,
            machine_clicks: 0,
            bounced: 0,
            complained: 0,
            unsubscribed: 0,
        }
    }

    /// The channels' figures added up (for the campaign's rates), as one of `channel`.
    pub fn sum<'a>(channel: Channel, all: impl IntoIterator<Item = &'a ChannelStats>) -> Self {
        all.into_iter()
            .fold(ChannelStats::empty(channel), |a, c| ChannelStats {
                channel: a.channel,
                sent: a.sent + c.sent,
                delivered: a.delivered + c.delivered,
                failed: a.failed + c.failed,
                skipped: a.skipped + c.skipped,
                unique_opens: a.unique_opens + c.unique_opens,
                unique_clicks: a.unique_clicks + c.unique_clicks,
                machine_opens: a.machine_opens + c.machine_opens,
                machine_clicks: a.machine_clicks + c.machine_clicks,
                bounced: a.bounced + c.bounced,
                complained: a.complained + c.complained,
                unsubscribed: a.unsubscribed + c.unsubscribed,
            })
    }
}

/// `GET /api/campaigns/{id}/stats`.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignStats {
    pub campaign_id: Uuid,
    pub channels: Vec<ChannelStats>,
    /// Over all the campaign's channels.
    pub rates: Rates,
}

/// One link of a campaign's messages and its clicks (`GET /api/campaigns/{id}/links`).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkStats {
    pub id: Uuid,
    pub url: String,
    /// Clicks by people, repeats included.
    pub clicks: u64,
    /// Deliveries that clicked it.
    pub unique_clicks: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_follow_their_definitions_and_say_nothing_without_a_denominator() {
        let s = ChannelStats {
            sent: 100,
            delivered: 80,
            failed: 25,
            unique_opens: 40,
            unique_clicks: 8,
            ..ChannelStats::empty(Channel::Email)
        };
        let r = Rates::of(&s);
        assert_eq!(r.delivery, Some(0.8));
        assert_eq!(r.open, Some(0.5));
        assert_eq!(r.click, Some(0.1));
        assert_eq!(r.failure, Some(0.2));
        assert_eq!(
            Rates::of(&ChannelStats::empty(Channel::Sms)),
            Rates::default()
        );
        let both = ChannelStats::sum(Channel::Email, [&s, &s]);
        assert_eq!((both.sent, both.unique_opens), (200, 80));
        assert_eq!(Rates::of(&both), r);
    }
}
