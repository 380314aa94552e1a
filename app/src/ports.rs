//! The services the UI needs, as interfaces (server-only). `server` implements them and
//! provides a [`Ports`] as Leptos context; server functions stay a few lines each:
//! get the ports, get the actor, call one method.

use crate::{error::AppError, model::*};
use async_trait::async_trait;
use std::{net::IpAddr, sync::Arc};
use tower_sessions::Session;
use uuid::Uuid;

/// Facts about the incoming request that services need (throttling, links).
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub client_ip: IpAddr,
    /// `scheme://host[:port]` that the user reached us on, for links we hand out.
    pub base_url: String,
}

#[async_trait]
pub trait AccountsPort: Send + Sync {
    /// Creates a user and an organization with the user as admin, and signs them in.
    async fn signup(
        &self,
        session: &Session,
        ctx: &RequestContext,
        input: SignupInput,
    ) -> Result<Me, AppError>;
    async fn login(
        &self,
        session: &Session,
        ctx: &RequestContext,
        input: LoginInput,
    ) -> Result<Me, AppError>;
    async fn logout(&self, session: &Session) -> Result<(), AppError>;
    async fn me(&self, actor: &Actor) -> Result<Me, AppError>;
    async fn switch_organization(
        &self,
        session: &Session,
        actor: &Actor,
        organization_id: Uuid,
    ) -> Result<Me, AppError>;
    /// The current organization's settings (name, time zone, phone region, tracking).
    async fn organization(&self, actor: &Actor) -> Result<OrganizationDto, AppError>;
    /// Changes the fields given (admins).
    async fn update_organization(
        &self,
        actor: &Actor,
        patch: OrganizationPatch,
    ) -> Result<OrganizationDto, AppError>;
}

#[async_trait]
pub trait MembersPort: Send + Sync {
    async fn list(&self, actor: &Actor) -> Result<Vec<MemberDto>, AppError>;
    async fn change_role(
        &self,
        actor: &Actor,
        member_id: Uuid,
        role: Role,
    ) -> Result<MemberDto, AppError>;
    async fn remove(&self, actor: &Actor, member_id: Uuid) -> Result<(), AppError>;
    async fn invite(
        &self,
        actor: &Actor,
        ctx: &RequestContext,
        input: InvitationInput,
    ) -> Result<InvitationCreated, AppError>;
    async fn pending_invitations(&self, actor: &Actor) -> Result<Vec<InvitationDto>, AppError>;
    async fn revoke_invitation(&self, actor: &Actor, invitation_id: Uuid) -> Result<(), AppError>;
    /// No actor: anyone holding the link may look at it.
    async fn preview_invitation(&self, token: &str) -> Result<InvitationPreview, AppError>;
    /// Joins the organization (creating the account if the address has none) and signs in.
    async fn accept_invitation(
        &self,
        session: &Session,
        ctx: &RequestContext,
        input: AcceptInvitationInput,
    ) -> Result<Me, AppError>;
}

#[async_trait]
pub trait TokensPort: Send + Sync {
    /// The actor's own tokens; an admin acting with `all` sees every member's.
    async fn list(&self, actor: &Actor, all: bool) -> Result<Vec<TokenDto>, AppError>;
    async fn create(&self, actor: &Actor, input: NewTokenInput) -> Result<CreatedToken, AppError>;
    async fn revoke(&self, actor: &Actor, token_id: Uuid) -> Result<(), AppError>;
}

#[async_trait]
pub trait CampaignsPort: Send + Sync {
    async fn list(
        &self,
        actor: &Actor,
        query: CampaignQuery,
    ) -> Result<Page<CampaignDto>, AppError>;
    async fn get(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError>;
    async fn create(&self, actor: &Actor, input: NewCampaign) -> Result<CampaignDto, AppError>;
    async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: CampaignPatch,
    ) -> Result<CampaignDto, AppError>;
    async fn delete(&self, actor: &Actor, id: Uuid) -> Result<(), AppError>;
    /// `at` as typed (local time in the organization's zone, or RFC 3339); none keeps the
    /// campaign's time, or sends now.
    async fn schedule(
        &self,
        actor: &Actor,
        id: Uuid,
        at: Option<String>,
    ) -> Result<CampaignDto, AppError>;
    async fn unschedule(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError>;
    async fn cancel(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError>;
    async fn duplicate(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError>;
    /// Renders `content` for a sample contact (sanitized, as it would be saved).
    async fn preview(
        &self,
        actor: &Actor,
        content: CampaignContent,
    ) -> Result<CampaignPreview, AppError>;
    /// The organization's lists, for the recipient pickers.
    async fn list_options(&self, actor: &Actor) -> Result<Vec<ListOption>, AppError>;
}

#[async_trait]
pub trait ContactsPort: Send + Sync {
    async fn list(&self, actor: &Actor, query: SearchQuery) -> Result<Page<ContactDto>, AppError>;
    async fn get(&self, actor: &Actor, id: Uuid) -> Result<ContactDto, AppError>;
    async fn create(&self, actor: &Actor, input: ContactInput) -> Result<ContactDto, AppError>;
    async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: ContactPatch,
    ) -> Result<ContactDto, AppError>;
    async fn consent_history(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<ConsentRecordDto>, AppError>;
}

#[async_trait]
pub trait ListsPort: Send + Sync {
    async fn list(&self, actor: &Actor, query: SearchQuery) -> Result<Page<ListDto>, AppError>;
    async fn get(&self, actor: &Actor, id: Uuid) -> Result<ListDto, AppError>;
    async fn create(&self, actor: &Actor, input: ListInput) -> Result<ListDto, AppError>;
    async fn update(&self, actor: &Actor, id: Uuid, patch: ListPatch) -> Result<ListDto, AppError>;
    async fn delete(&self, actor: &Actor, id: Uuid) -> Result<(), AppError>;
    async fn add_members(
        &self,
        actor: &Actor,
        id: Uuid,
        contact_ids: Vec<Uuid>,
    ) -> Result<ListMembersChanged, AppError>;
    async fn remove_members(
        &self,
        actor: &Actor,
        id: Uuid,
        contact_ids: Vec<Uuid>,
    ) -> Result<ListMembersChanged, AppError>;
}

/// CSV imports as the UI sees them. The upload itself is a plain form post to
/// `POST /contacts/import` (multipart: `file`, optional `mapping` JSON — without it the
/// suggested mapping is used), answered with a redirect to `/contacts/imports/{id}`, or
/// back to `/contacts/import?error=...`.
#[async_trait]
pub trait ImportsPort: Send + Sync {
    /// Delimiter, header, first rows and a suggested mapping from the start of a file
    /// (the browser reads the first bytes of the chosen file).
    async fn preview(&self, actor: &Actor, head: String) -> Result<ImportPreview, AppError>;
    async fn get(&self, actor: &Actor, id: Uuid) -> Result<ImportDto, AppError>;
}

/// Sending a campaign and following it.
#[async_trait]
pub trait SendingPort: Send + Sync {
    async fn send(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError>;
    async fn pause(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError>;
    async fn resume(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError>;
    async fn progress(&self, actor: &Actor, id: Uuid) -> Result<ProgressDto, AppError>;
    async fn deliveries(
        &self,
        actor: &Actor,
        id: Uuid,
        query: DeliveryQuery,
    ) -> Result<Page<DeliveryDto>, AppError>;
    async fn test(
        &self,
        actor: &Actor,
        id: Uuid,
        input: CampaignTestInput,
    ) -> Result<Vec<CampaignTestResult>, AppError>;
}

/// Settings → Channels.
#[async_trait]
pub trait ChannelsPort: Send + Sync {
    /// Every channel's settings, and the providers with their forms.
    async fn view(&self, actor: &Actor) -> Result<ChannelsView, AppError>;
    /// Saves a channel from its form's inputs (by setting key).
    async fn save_form(
        &self,
        actor: &Actor,
        channel: &str,
        provider: &str,
        form: std::collections::BTreeMap<String, String>,
    ) -> Result<ChannelSettingsDto, AppError>;
    async fn test(&self, actor: &Actor, channel: &str, to: &str) -> Result<SendResult, AppError>;
}

#[async_trait]
pub trait AuditPort: Send + Sync {
    async fn list(&self, actor: &Actor, query: AuditQuery)
        -> Result<Page<AuditEntryDto>, AppError>;
}

#[async_trait]
pub trait SuppressionsPort: Send + Sync {
    async fn list(
        &self,
        actor: &Actor,
        query: SuppressionQuery,
    ) -> Result<Page<SuppressionDto>, AppError>;
    async fn add(&self, actor: &Actor, input: SuppressionInput)
        -> Result<SuppressionDto, AppError>;
    async fn remove(&self, actor: &Actor, id: Uuid) -> Result<(), AppError>;
}

#[async_trait]
pub trait PrivacyPort: Send + Sync {
    /// Erasure by crypto-shredding: the contact and its data key are destroyed.
    async fn erase(&self, actor: &Actor, contact_id: Uuid) -> Result<(), AppError>;
}

#[async_trait]
pub trait StatsPort: Send + Sync {
    /// The organization's figures over `[from, to)` (days or RFC 3339; default the last
    /// 7 days), for one channel or all.
    async fn organization(
        &self,
        actor: &Actor,
        from: Option<String>,
        to: Option<String>,
        channel: Option<String>,
    ) -> Result<OrganizationStats, AppError>;
    /// A campaign's figures per channel, with its rates.
    async fn campaign(&self, actor: &Actor, id: Uuid) -> Result<CampaignStats, AppError>;
    /// A campaign's links and their clicks, the most clicked first.
    async fn links(&self, actor: &Actor, id: Uuid) -> Result<Vec<LinkStats>, AppError>;
    /// Why a campaign's deliveries failed, the most frequent reason first.
    async fn failures(&self, actor: &Actor, id: Uuid) -> Result<Vec<FailureReason>, AppError>;
}

#[async_trait]
pub trait RetentionPort: Send + Sync {
    async fn view(&self, actor: &Actor) -> Result<RetentionView, AppError>;
    async fn set(&self, actor: &Actor, policy: RetentionPolicy) -> Result<RetentionView, AppError>;
}

#[async_trait]
pub trait WebhooksPort: Send + Sync {
    async fn list(&self, actor: &Actor) -> Result<Vec<WebhookDto>, AppError>;
    async fn show(&self, actor: &Actor, id: Uuid) -> Result<WebhookDto, AppError>;
    async fn create(&self, actor: &Actor, input: WebhookInput) -> Result<CreatedWebhook, AppError>;
    async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: WebhookPatch,
    ) -> Result<WebhookDto, AppError>;
    async fn delete(&self, actor: &Actor, id: Uuid) -> Result<(), AppError>;
    async fn attempts(
        &self,
        actor: &Actor,
        id: Uuid,
        query: AttemptsQuery,
    ) -> Result<Page<WebhookAttemptDto>, AppError>;
    async fn replay(&self, actor: &Actor, id: Uuid, attempt_id: Uuid) -> Result<(), AppError>;
}

#[derive(Clone)]
pub struct Ports {
    pub accounts: Arc<dyn AccountsPort>,
    pub members: Arc<dyn MembersPort>,
    pub tokens: Arc<dyn TokensPort>,
    pub campaigns: Arc<dyn CampaignsPort>,
    pub contacts: Arc<dyn ContactsPort>,
    pub lists: Arc<dyn ListsPort>,
    pub imports: Arc<dyn ImportsPort>,
    pub sending: Arc<dyn SendingPort>,
    pub channels: Arc<dyn ChannelsPort>,
    pub audit: Arc<dyn AuditPort>,
    pub suppressions: Arc<dyn SuppressionsPort>,
    pub privacy: Arc<dyn PrivacyPort>,
    pub retention: Arc<dyn RetentionPort>,
    pub stats: Arc<dyn StatsPort>,
    pub webhooks: Arc<dyn WebhooksPort>,
}

/// The services, as provided by the server.
pub fn ports() -> Result<Ports, AppError> {
    leptos::prelude::use_context::<Ports>().ok_or_else(|| {
        tracing::error!("Ports missing from the Leptos context");
        AppError::Internal
    })
}

/// The authenticated actor of this request, put there by the auth middleware.
pub fn actor() -> Result<Actor, AppError> {
    current_actor().ok_or_else(|| AppError::Unauthorized("please sign in".into()))
}

/// Like [`actor`], for pages that render differently when nobody is signed in.
pub fn current_actor() -> Option<Actor> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Actor>().cloned())
}

pub fn session() -> Result<Session, AppError> {
    extension::<Session>("session")
}

pub fn request_context() -> Result<RequestContext, AppError> {
    extension::<RequestContext>("request context")
}

fn extension<T: Clone + Send + Sync + 'static>(what: &str) -> Result<T, AppError> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<T>().cloned())
        .ok_or_else(|| {
            tracing::error!("{what} missing from the request extensions");
            AppError::Internal
        })
}
