//! The services, behind the interfaces `app` declares for its server functions.
//! Each method only converts the error: internal causes are logged here, once.

use crate::{
    accounts::Accounts, audit::Audit, campaigns::Campaigns, channels::Channels, contacts::Contacts,
    delivery::Sending, imports::Imports, lists::Lists, members::Members,
    outbound_webhooks::OutboundWebhooks, privacy::Privacy, retention::Retention, stats::Stats,
    suppressions::Suppressions, tokens::Tokens,
};
use app::{error::AppError, model::*, ports::*};
use async_trait::async_trait;
use tower_sessions::Session;
use uuid::Uuid;

#[async_trait]
impl AccountsPort for Accounts {
    async fn signup(
        &self,
        session: &Session,
        ctx: &RequestContext,
        input: SignupInput,
    ) -> Result<Me, AppError> {
        Ok(Accounts::signup(self, session, ctx, input).await?)
    }
    async fn login(
        &self,
        session: &Session,
        ctx: &RequestContext,
        input: LoginInput,
    ) -> Result<Me, AppError> {
        Ok(Accounts::login(self, session, ctx, input).await?)
    }
    async fn logout(&self, session: &Session) -> Result<(), AppError> {
        Ok(Accounts::logout(self, session).await?)
    }
    async fn me(&self, actor: &Actor) -> Result<Me, AppError> {
        Ok(Accounts::me(self, actor).await?)
    }
    async fn switch_organization(
        &self,
        session: &Session,
        actor: &Actor,
        organization_id: Uuid,
    ) -> Result<Me, AppError> {
        Ok(Accounts::switch_organization(self, session, actor, organization_id).await?)
    }
    async fn organization(&self, actor: &Actor) -> Result<OrganizationDto, AppError> {
        Ok(Accounts::organization(self, actor).await?)
    }
    async fn update_organization(
        &self,
        actor: &Actor,
        patch: OrganizationPatch,
    ) -> Result<OrganizationDto, AppError> {
        Ok(Accounts::update_organization(self, actor, patch).await?)
    }
}

#[async_trait]
impl MembersPort for Members {
    async fn list(&self, actor: &Actor) -> Result<Vec<MemberDto>, AppError> {
        Ok(Members::list(self, actor).await?)
    }
    async fn change_role(
        &self,
        actor: &Actor,
        member_id: Uuid,
        role: Role,
    ) -> Result<MemberDto, AppError> {
        Ok(Members::change_role(self, actor, member_id, role).await?)
    }
    async fn remove(&self, actor: &Actor, member_id: Uuid) -> Result<(), AppError> {
        Ok(Members::remove(self, actor, member_id).await?)
    }
    async fn invite(
        &self,
        actor: &Actor,
        ctx: &RequestContext,
        input: InvitationInput,
    ) -> Result<InvitationCreated, AppError> {
        Ok(Members::invite(self, actor, ctx, input).await?)
    }
    async fn pending_invitations(&self, actor: &Actor) -> Result<Vec<InvitationDto>, AppError> {
        Ok(Members::pending_invitations(self, actor).await?)
    }
    async fn revoke_invitation(&self, actor: &Actor, invitation_id: Uuid) -> Result<(), AppError> {
        Ok(Members::revoke_invitation(self, actor, invitation_id).await?)
    }
    async fn preview_invitation(&self, token: &str) -> Result<InvitationPreview, AppError> {
        Ok(Members::preview_invitation(self, token).await?)
    }
    async fn accept_invitation(
        &self,
        session: &Session,
        ctx: &RequestContext,
        input: AcceptInvitationInput,
    ) -> Result<Me, AppError> {
        Ok(Members::accept_invitation(self, session, ctx, input).await?)
    }
}

#[async_trait]
impl TokensPort for Tokens {
    async fn list(&self, actor: &Actor, all: bool) -> Result<Vec<TokenDto>, AppError> {
        Ok(Tokens::list(self, actor, all).await?)
    }
    async fn create(&self, actor: &Actor, input: NewTokenInput) -> Result<CreatedToken, AppError> {
        Ok(Tokens::create(self, actor, input).await?)
    }
    async fn revoke(&self, actor: &Actor, token_id: Uuid) -> Result<(), AppError> {
        Ok(Tokens::revoke(self, actor, token_id).await?)
    }
}

#[async_trait]
impl CampaignsPort for Campaigns {
    async fn list(&self, actor: &Actor, q: CampaignQuery) -> Result<Page<CampaignDto>, AppError> {
        Ok(Campaigns::list(self, actor, q).await?)
    }
    async fn get(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError> {
        Ok(Campaigns::get(self, actor, id).await?)
    }
    async fn create(&self, actor: &Actor, input: NewCampaign) -> Result<CampaignDto, AppError> {
        Ok(Campaigns::create(self, actor, input).await?)
    }
    async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: CampaignPatch,
    ) -> Result<CampaignDto, AppError> {
        Ok(Campaigns::update(self, actor, id, patch).await?)
    }
    async fn delete(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        Ok(Campaigns::delete(self, actor, id).await?)
    }
    async fn schedule(
        &self,
        actor: &Actor,
        id: Uuid,
        at: Option<String>,
    ) -> Result<CampaignDto, AppError> {
        Ok(Campaigns::schedule(self, actor, id, at).await?)
    }
    async fn unschedule(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError> {
        Ok(Campaigns::unschedule(self, actor, id).await?)
    }
    async fn cancel(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError> {
        Ok(Campaigns::cancel(self, actor, id).await?)
    }
    async fn duplicate(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError> {
        Ok(Campaigns::duplicate(self, actor, id).await?)
    }
    async fn preview(
        &self,
        actor: &Actor,
        content: CampaignContent,
    ) -> Result<CampaignPreview, AppError> {
        Ok(Campaigns::preview(self, actor, content).await?)
    }
    async fn list_options(&self, actor: &Actor) -> Result<Vec<ListOption>, AppError> {
        Ok(Campaigns::list_options(self, actor).await?)
    }
}

#[async_trait]
impl ContactsPort for Contacts {
    async fn list(&self, actor: &Actor, q: SearchQuery) -> Result<Page<ContactDto>, AppError> {
        Ok(Contacts::list(self, actor, q).await?)
    }
    async fn get(&self, actor: &Actor, id: Uuid) -> Result<ContactDto, AppError> {
        Ok(Contacts::get(self, actor, id).await?)
    }
    async fn create(&self, actor: &Actor, input: ContactInput) -> Result<ContactDto, AppError> {
        Ok(Contacts::create(self, actor, input).await?)
    }
    async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: ContactPatch,
    ) -> Result<ContactDto, AppError> {
        Ok(Contacts::update(self, actor, id, patch).await?)
    }
    async fn consent_history(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<Vec<ConsentRecordDto>, AppError> {
        Ok(Contacts::consent_history(self, actor, id).await?)
    }
}

#[async_trait]
impl ListsPort for Lists {
    async fn list(&self, actor: &Actor, q: SearchQuery) -> Result<Page<ListDto>, AppError> {
        Ok(Lists::list(self, actor, q).await?)
    }
    async fn get(&self, actor: &Actor, id: Uuid) -> Result<ListDto, AppError> {
        Ok(Lists::get(self, actor, id).await?)
    }
    async fn create(&self, actor: &Actor, input: ListInput) -> Result<ListDto, AppError> {
        Ok(Lists::create(self, actor, input).await?)
    }
    async fn update(&self, actor: &Actor, id: Uuid, patch: ListPatch) -> Result<ListDto, AppError> {
        Ok(Lists::update(self, actor, id, patch).await?)
    }
    async fn delete(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        Ok(Lists::delete(self, actor, id).await?)
    }
    async fn add_members(
        &self,
        actor: &Actor,
        id: Uuid,
        contact_ids: Vec<Uuid>,
    ) -> Result<ListMembersChanged, AppError> {
        Ok(Lists::add_members(self, actor, id, contact_ids).await?)
    }
    async fn remove_members(
        &self,
        actor: &Actor,
        id: Uuid,
        contact_ids: Vec<Uuid>,
    ) -> Result<ListMembersChanged, AppError> {
        Ok(Lists::remove_members(self, actor, id, contact_ids).await?)
    }
}

#[async_trait]
impl ImportsPort for Imports {
    async fn preview(&self, actor: &Actor, head: String) -> Result<ImportPreview, AppError> {
        let truncated = head.len() >= crate::imports::PREVIEW_BYTES;
        Ok(Imports::preview(self, actor, head.as_bytes(), truncated).await?)
    }
    async fn get(&self, actor: &Actor, id: Uuid) -> Result<ImportDto, AppError> {
        Ok(Imports::get(self, actor, id).await?)
    }
}

#[async_trait]
impl SendingPort for Sending {
    async fn send(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError> {
        Ok(Sending::send(self, actor, id).await?)
    }
    async fn pause(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError> {
        Ok(Sending::pause(self, actor, id).await?)
    }
    async fn resume(&self, actor: &Actor, id: Uuid) -> Result<CampaignDto, AppError> {
        Ok(Sending::resume(self, actor, id).await?)
    }
    async fn progress(&self, actor: &Actor, id: Uuid) -> Result<ProgressDto, AppError> {
        Ok(Sending::progress(self, actor, id).await?)
    }
    async fn deliveries(
        &self,
        actor: &Actor,
        id: Uuid,
        query: DeliveryQuery,
    ) -> Result<Page<DeliveryDto>, AppError> {
        Ok(Sending::deliveries(self, actor, id, query).await?)
    }
    async fn test(
        &self,
        actor: &Actor,
        id: Uuid,
        input: CampaignTestInput,
    ) -> Result<Vec<CampaignTestResult>, AppError> {
        Ok(Sending::test(self, actor, id, input).await?)
    }
}

#[async_trait]
impl ChannelsPort for Channels {
    async fn view(&self, actor: &Actor) -> Result<ChannelsView, AppError> {
        Ok(Channels::view(self, actor).await?)
    }
    async fn save_form(
        &self,
        actor: &Actor,
        channel: &str,
        provider: &str,
        form: std::collections::BTreeMap<String, String>,
    ) -> Result<ChannelSettingsDto, AppError> {
        Ok(Channels::save_form(self, actor, channel, provider, form).await?)
    }
    async fn test(&self, actor: &Actor, channel: &str, to: &str) -> Result<SendResult, AppError> {
        Ok(Channels::test(self, actor, channel, to).await?)
    }
}

#[async_trait]
impl AuditPort for Audit {
    async fn list(
        &self,
        actor: &Actor,
        query: AuditQuery,
    ) -> Result<Page<AuditEntryDto>, AppError> {
        Ok(Audit::list(self, actor, query).await?)
    }
}

#[async_trait]
impl SuppressionsPort for Suppressions {
    async fn list(
        &self,
        actor: &Actor,
        query: SuppressionQuery,
    ) -> Result<Page<SuppressionDto>, AppError> {
        Ok(Suppressions::list(self, actor, query).await?)
    }
    async fn add(
        &self,
        actor: &Actor,
        input: SuppressionInput,
    ) -> Result<SuppressionDto, AppError> {
        Ok(Suppressions::add(self, actor, input).await?)
    }
    async fn remove(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        Ok(Suppressions::remove(self, actor, id).await?)
    }
}

#[async_trait]
impl WebhooksPort for OutboundWebhooks {
    async fn list(&self, actor: &Actor) -> Result<Vec<WebhookDto>, AppError> {
        Ok(OutboundWebhooks::list(self, actor).await?)
    }
    async fn show(&self, actor: &Actor, id: Uuid) -> Result<WebhookDto, AppError> {
        Ok(OutboundWebhooks::show(self, actor, id).await?)
    }
    async fn create(&self, actor: &Actor, input: WebhookInput) -> Result<CreatedWebhook, AppError> {
        Ok(OutboundWebhooks::create(self, actor, input).await?)
    }
    async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: WebhookPatch,
    ) -> Result<WebhookDto, AppError> {
        Ok(OutboundWebhooks::update(self, actor, id, patch).await?)
    }
    async fn delete(&self, actor: &Actor, id: Uuid) -> Result<(), AppError> {
        Ok(OutboundWebhooks::delete(self, actor, id).await?)
    }
    async fn attempts(
        &self,
        actor: &Actor,
        id: Uuid,
        query: AttemptsQuery,
    ) -> Result<Page<WebhookAttemptDto>, AppError> {
        Ok(OutboundWebhooks::attempts(self, actor, id, query).await?)
    }
    async fn replay(&self, actor: &Actor, id: Uuid, attempt_id: Uuid) -> Result<(), AppError> {
        Ok(OutboundWebhooks::replay(self, actor, id, attempt_id).await?)
    }
}

#[async_trait]
impl PrivacyPort for Privacy {
    async fn erase(&self, actor: &Actor, contact_id: Uuid) -> Result<(), AppError> {
        Ok(Privacy::erase(self, actor, contact_id).await?)
    }
}

#[async_trait]
impl RetentionPort for Retention {
    async fn view(&self, actor: &Actor) -> Result<RetentionView, AppError> {
        Ok(Retention::view(self, actor).await?)
    }
    async fn set(&self, actor: &Actor, policy: RetentionPolicy) -> Result<RetentionView, AppError> {
        Ok(Retention::set(self, actor, policy).await?)
    }
}

#[async_trait]
impl StatsPort for Stats {
    async fn organization(
        &self,
        actor: &Actor,
        from: Option<String>,
        to: Option<String>,
        channel: Option<String>,
    ) -> Result<OrganizationStats, AppError> {
        Ok(Stats::organization(
            self,
            actor,
            from.as_deref(),
            to.as_deref(),
            channel.as_deref(),
        )
        .await?)
    }
    async fn campaign(&self, actor: &Actor, id: Uuid) -> Result<CampaignStats, AppError> {
        Ok(Stats::campaign(self, actor, id).await?)
    }
    async fn links(&self, actor: &Actor, id: Uuid) -> Result<Vec<LinkStats>, AppError> {
        Ok(Stats::links(self, actor, id).await?)
    }
    async fn failures(&self, actor: &Actor, id: Uuid) -> Result<Vec<FailureReason>, AppError> {
        Ok(Stats::failures(self, actor, id).await?)
    }
}
