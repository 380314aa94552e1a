use app::model::{CampaignContent, CampaignStatus, Channel};
use sea_orm::entity::prelude::*;
use std::{fmt, str::FromStr};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    pub description: String,
    pub channels: Channels,
    pub status: Status,
    pub scheduled_at: Option<DateTimeUtc>,
    pub content: Content,
    pub created_by: Option<Uuid>,
    /// When the scheduler fanned it out.
    pub started_at: Option<DateTimeUtc>,
    /// When its last delivery became final (or it was cancelled).
    pub completed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

// The typed columns: text in the database, parsed once at its edge.

/// A stored value that does not parse (a bug or a hand edit, never user input).
#[derive(Debug, thiserror::Error)]
#[error("stored campaign {0}")]
pub struct BadColumn(String);

/// `status`: the state's name (`draft`, `scheduled`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, DeriveValueType)]
#[sea_orm(value_type = "String")]
pub struct Status(pub CampaignStatus);

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl FromStr for Status {
    type Err = BadColumn;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse()
            .map(Status)
            .map_err(|e| BadColumn(format!("status: {e}")))
    }
}

/// `channels`: a JSON array of channel names (`["email","sms"]`), so a filter on one
/// channel is a `LIKE '%"sms"%'`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveValueType)]
#[sea_orm(value_type = "String")]
pub struct Channels(pub Vec<Channel>);

impl fmt::Display for Channels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = serde_json::to_string(&self.0).map_err(|_| fmt::Error)?;
        f.write_str(&json)
    }
}

impl FromStr for Channels {
    type Err = BadColumn;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_str(s)
            .map(Channels)
            .map_err(|e| BadColumn(format!("channels: {e}")))
    }
}

impl Channels {
    /// The `LIKE` pattern that finds campaigns sending on `channel`.
    pub fn like(channel: Channel) -> String {
        format!("%\"{}\"%", channel.as_str())
    }
}

/// `content`: the JSON of [`CampaignContent`].
#[derive(Clone, Debug, PartialEq, DeriveValueType)]
#[sea_orm(value_type = "String", column_type = "Text")]
pub struct Content(pub CampaignContent);

impl fmt::Display for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let json = serde_json::to_string(&self.0).map_err(|_| fmt::Error)?;
        f.write_str(&json)
    }
}

impl FromStr for Content {
    type Err = BadColumn;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_str(s)
            .map(Content)
            .map_err(|e| BadColumn(format!("content: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_columns_round_trip_through_their_text() {
        let channels = Channels(vec![Channel::Email, Channel::Sms]);
        assert_eq!(channels.to_string(), r#"["email","sms"]"#);
        assert_eq!(channels.to_string().parse::<Channels>().unwrap(), channels);
        assert!(channels
            .to_string()
            .contains(&Channels::like(Channel::Sms).replace('%', "")));
        assert_eq!(
            "running".parse::<Status>().unwrap(),
            Status(CampaignStatus::Running)
        );
        assert!("sent"
            .parse::<Status>()
            .unwrap_err()
            .to_string()
            .contains("stored campaign status"));
        let content = Content(CampaignContent::default());
        assert_eq!(content.to_string().parse::<Content>().unwrap(), content);
    }
}
