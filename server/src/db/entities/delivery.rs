//! One message to one contact on one channel, for one campaign.

use sea_orm::entity::prelude::*;
use std::{fmt, str::FromStr};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub campaign_id: Uuid,
    pub contact_id: Uuid,
    pub channel: String,
    pub status: DeliveryStatus,
    /// `no_consent`, `no_address` or `unsubscribed` when skipped.
    pub skip_reason: Option<String>,
    /// Sends started (counted at claim, so a crash mid-send counts too).
    pub attempts: i32,
    /// A pending delivery is not claimed before this (retries wait here).
    pub next_attempt_at: DateTimeUtc,
    pub claimed_until: Option<DateTimeUtc>,
    pub lease_owner: Option<Uuid>,
    pub provider: Option<String>,
    pub provider_message_id: Option<String>,
    pub error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    /// The first open by a person (see `tracking`); machine opens leave it unset.
    pub opened_at: Option<DateTimeUtc>,
    pub clicked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Where a delivery stands. Only `pending` is not final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, DeriveValueType)]
#[sea_orm(value_type = "String")]
pub enum DeliveryStatus {
    Pending,
    /// Accepted by the provider.
    Sent,
    /// Confirmed by the provider (or the simulator).
    Delivered,
    Failed,
    Skipped,
    Cancelled,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 6] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Sent,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
        DeliveryStatus::Skipped,
        DeliveryStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Skipped => "skipped",
            DeliveryStatus::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown delivery status `{0}`: expected pending, sent, delivered, failed, skipped or cancelled")]
pub struct UnknownStatus(pub String);

impl FromStr for DeliveryStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DeliveryStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

/// `column = 'value'` with the value written into the SQL rather than bound: a partial
/// index (`WHERE status = 'sent' AND …`) is used only for a query that states its
/// predicate's literals. `value` is one of our own names, never user input.
pub fn literal(column: Column, value: &'static str) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::ExprTrait;
    debug_assert!(value.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    Expr::col((Entity, column)).eq(Expr::cust(format!("'{value}'")))
}
