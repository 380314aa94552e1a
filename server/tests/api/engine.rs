//! The engine room: system transitions of campaigns, the audience query, and the
//! background job runner's claims, renewals, shutdown and drain, on both backends.

use crate::{
    both_backends,
    campaigns::{create, list_with, sendable},
    helpers::*,
};
use async_trait::async_trait;
use carillon::{
    campaigns::{audience, transition, By, System},
    db::entities::{campaign_status_change, import},
    jobs::{self, Job, Jobs, Round, Stop},
};
use reqwest::StatusCode;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, Condition, Database, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::{json, Value};
use std::{sync::Arc, time::Duration};
use tokio::sync::{Mutex, Notify};
use uuid::Uuid;

async fn db(app: &TestApp) -> DatabaseConnection {
    Database::connect(&app.database_url).await.expect("connect")
}

/// One transition in a transaction of its own, committed when it succeeds.
async fn in_txn(
    db: &DatabaseConnection,
    by: By<'_>,
    organization_id: Uuid,
    id: Uuid,
    to: app::model::CampaignStatus,
) -> Result<carillon::db::entities::campaign::Model, carillon::error::ServiceError> {
    let txn = db.begin().await.unwrap();
    let moved = transition(&txn, by, organization_id, id, to).await?;
    txn.commit().await.unwrap();
    Ok(moved)
}

async fn organization_id(app: &TestApp) -> Uuid {
    let me = app.me().await;
    me["organization"]["organization_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn status_of(app: &TestApp, id: &str) -> Value {
    let c: Value = app
        .get(&format!("/api/campaigns/{id}"))
        .await
        .json()
        .await
        .unwrap();
    c["status"].clone()
}

both_backends! {
    async fn the_system_moves_campaigns_in_the_callers_transaction_and_is_recorded(app) {
        let me = app.signup("ada@example.org").await;
        let user_id: Uuid = me["user"]["id"].as_str().unwrap().parse().unwrap();
        let org = organization_id(&app).await;
        let customers = list_with(&app, "Customers", &["a@x.org"]).await;
        let c = create(&app, sendable(&[&customers], &[])).await;
        let id_text = c["id"].as_str().unwrap().to_owned();
        let id: Uuid = id_text.parse().unwrap();
        let r = app.client.post(app.url(&format!("/api/campaigns/{id}/schedule"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let db = db(&app).await;

        // A transaction the caller rolls back leaves nothing behind.
        let txn = db.begin().await.unwrap();
        transition(&txn, By::System(System::Scheduler), org, id, app::model::CampaignStatus::Running).await.unwrap();
        txn.rollback().await.unwrap();
        assert_eq!(status_of(&app, &id_text).await, "scheduled");

        // Committed: the campaign runs, and the change says the scheduler made it.
        let txn = db.begin().await.unwrap();
        let row = transition(&txn, By::System(System::Scheduler), org, id, app::model::CampaignStatus::Running).await.unwrap();
        txn.commit().await.unwrap();
        assert_eq!(row.status.0, app::model::CampaignStatus::Running);
        assert_eq!(status_of(&app, &id_text).await, "running");

        // Users cannot complete a campaign; the system can, once; an illegal move is a 409.
        let actor = app::model::Actor { user_id, organization_id: org, role: app::model::Role::Admin, via: app::model::Via::Session };
        let refused = in_txn(&db, By::User(&actor), org, id, app::model::CampaignStatus::Completed).await.unwrap_err();
        assert_eq!(app::error::AppError::from(refused).status(), 409);
        in_txn(&db, By::System(System::Worker), org, id, app::model::CampaignStatus::Completed).await.unwrap();
        let again = in_txn(&db, By::System(System::Worker), org, id, app::model::CampaignStatus::Running).await.unwrap_err();
        assert_eq!(app::error::AppError::from(again).status(), 409);
        // Another organization's campaign is not found, for the system too.
        let elsewhere = in_txn(&db, By::System(System::Scheduler), Uuid::now_v7(), id, app::model::CampaignStatus::Cancelled).await.unwrap_err();
        assert_eq!(app::error::AppError::from(elsewhere).status(), 404);

        let changes = campaign_status_change::Entity::find()
            .filter(campaign_status_change::Column::CampaignId.eq(id))
            .order_by_asc(campaign_status_change::Column::At)
            .order_by_asc(campaign_status_change::Column::Id)
            .all(&db)
            .await
            .unwrap();
        let seen: Vec<(&str, &str, Option<Uuid>, Option<&str>)> = changes
            .iter()
            .map(|c| (c.from_status.0.as_str(), c.to_status.0.as_str(), c.by_user_id, c.by_system.as_deref()))
            .collect();
        assert_eq!(seen, [
            ("draft", "scheduled", Some(user_id), None),
            ("scheduled", "running", None, Some("scheduler")),
            ("running", "completed", None, Some("worker")),
        ]);
    }

    async fn the_audience_is_the_target_lists_minus_the_exclusions_each_contact_once(app) {
        app.signup("ada@example.org").await;
        let org = organization_id(&app).await;
        let customers = list_with(&app, "Customers", &["a@x.org", "b@x.org", "c@x.org"]).await;
        let vip = list_with(&app, "VIP", &["d@x.org"]).await;
        let blocked = list_with(&app, "Blocked", &["e@x.org"]).await;
        // a@ is also a VIP (two target lists: counted once); b@ is also blocked.
        let contacts: Value = app.get("/api/contacts?per_page=100").await.json().await.unwrap();
        let id_of = |email: &str| contacts["items"].as_array().unwrap().iter().find(|c| c["email"] == email).unwrap()["id"].clone();
        for (list, email) in [(&vip, "a@x.org"), (&blocked, "b@x.org")] {
            let r = app.post(&format!("/api/lists/{list}/members"), &json!({"contact_ids": [id_of(email)]})).await;
            assert!(r.status().is_success());
        }
        let c = create(&app, sendable(&[&customers, &vip], &[&blocked])).await;
        let campaign: Uuid = c["id"].as_str().unwrap().parse().unwrap();
        let db = db(&app).await;

        let mut expected: Vec<Uuid> = ["a@x.org", "c@x.org", "d@x.org"].iter().map(|e| id_of(e).as_str().unwrap().parse().unwrap()).collect();
        expected.sort();
        assert_eq!(audience::size(&db, org, campaign).await.unwrap(), 3);
        // Read in pages of two, in id order, without repeats or gaps.
        let first = audience::page(&db, org, campaign, None, 2).await.unwrap();
        let rest = audience::page(&db, org, campaign, first.last().copied(), 2).await.unwrap();
        assert_eq!([first, rest].concat(), expected);

        // Only through the campaign's own organization: a list of another organization
        // slipped into its targets adds no one.
        let other = app.other_user("eve@example.org").await;
        let theirs = list_with(&other, "Theirs", &["z@x.org"]).await;
        use sea_orm::ConnectionTrait;
        let stmt = sea_orm::sea_query::Query::insert()
            .into_table(carillon::db::entities::campaign_list::Entity)
            .columns([
                carillon::db::entities::campaign_list::Column::CampaignId,
                carillon::db::entities::campaign_list::Column::ListId,
                carillon::db::entities::campaign_list::Column::Excluded,
            ])
            .values_panic([campaign.into(), theirs.parse::<Uuid>().unwrap().into(), false.into()])
            .to_owned();
        db.execute(&stmt).await.unwrap();
        assert_eq!(audience::size(&db, org, campaign).await.unwrap(), 3);
        // Nor is another organization's campaign reachable with this organization's id.
        assert_eq!(audience::size(&db, Uuid::now_v7(), campaign).await.unwrap(), 0);
    }

    async fn claims_are_exclusive_and_leases_fence_their_holders(app) {
        app.signup("ada@example.org").await;
        let org = organization_id(&app).await;
        let db = db(&app).await;
        let ids = queue_imports(&db, org, 10).await;

        // Five claimers at once, three rows each at most: every row exactly once.
        let claims = (0..5).map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                claim_queued(&db, 3)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|(row, lease)| {
                        assert_eq!(row.lease_owner, Some(lease.owner));
                        row.id
                    })
                    .collect::<Vec<_>>()
            })
        });
        let mut claimed: Vec<Uuid> = futures_util::future::join_all(claims).await.into_iter().flat_map(Result::unwrap).collect();
        claimed.sort();
        assert_eq!(claimed, ids, "each row claimed once");
        let none = claim_queued(&db, 3).await.unwrap();
        assert!(none.is_empty(), "held rows are not claimed again");

        // A lease that expired is claimed again; its first holder is fenced off.
        let fresh = queue_imports(&db, org, 1).await[0];
        let only_fresh = Condition::all().add(import::Column::Id.eq(fresh));
        let (_, mut first) = jobs::claim::<import::Entity>(&db, only_fresh.clone(), import::Column::CreatedAt, 1, chrono::Duration::seconds(-1), |u| u).await.unwrap().pop().unwrap();
        let (_, mut second) = jobs::claim::<import::Entity>(&db, only_fresh.clone(), import::Column::CreatedAt, 1, chrono::Duration::seconds(60), |u| u).await.unwrap().pop().unwrap();
        assert_ne!(first.owner, second.owner);
        assert!(!first.renew(&db, Condition::all()).await.unwrap(), "the first holder lost it");
        assert!(second.renew(&db, Condition::all()).await.unwrap());
        assert!(!second.renew(&db, Condition::all().add(import::Column::LastLine.eq(99))).await.unwrap(), "renewal also checks the caller's condition");
        assert!(!first.release(&db, Condition::all(), |u| u.col_expr(import::Column::Status, Expr::value("failed"))).await.unwrap());
        assert!(second.release(&db, Condition::all(), |u| u.col_expr(import::Column::Status, Expr::value("completed"))).await.unwrap());
        let row = import::Entity::find_by_id(fresh).one(&db).await.unwrap().unwrap();
        assert_eq!((row.status.as_str(), row.lease_owner, row.lease_until), ("completed", None, None));
    }

    async fn two_processes_draining_one_queue_do_each_row_once(app) {
        app.signup("ada@example.org").await;
        let org = organization_id(&app).await;
        let db = db(&app).await;
        let ids = queue_imports(&db, org, 12).await;
        let done = Arc::new(Mutex::new(Vec::new()));
        let process = || Jobs::new(vec![Arc::new(Finisher { db: db.clone(), done: done.clone() }) as Arc<dyn Job>]);
        let (a, b) = (process(), process());
        let (ra, rb) = tokio::join!(a.drain(), b.drain());
        ra.unwrap();
        rb.unwrap();
        let mut done = done.lock().await.clone();
        done.sort();
        assert_eq!(done, ids, "every row once, none twice");
        let left = import::Entity::find().filter(queued()).all(&db).await.unwrap();
        assert!(left.is_empty());
    }

    async fn a_shutdown_lets_the_round_finish_and_release_its_claim(app) {
        app.signup("ada@example.org").await;
        let org = organization_id(&app).await;
        let db = db(&app).await;
        let id = queue_imports(&db, org, 1).await[0];
        let holder = Arc::new(Holder { db: db.clone(), claimed: Notify::new(), stopped: Notify::new() });
        let jobs = Jobs::new(vec![holder.clone() as Arc<dyn Job>]);
        jobs.start().await;
        holder.claimed.notified().await;
        let held = import::Entity::find_by_id(id).one(&db).await.unwrap().unwrap();
        assert!(held.lease_owner.is_some(), "claimed by the running loop");

        jobs.shutdown(Duration::from_secs(30)).await;
        holder.stopped.notified().await;
        let row = import::Entity::find_by_id(id).one(&db).await.unwrap().unwrap();
        assert_eq!((row.status.as_str(), row.lease_owner, row.lease_until), ("queued", None, None), "released, still to do");
        // The next process picks it up at once, without waiting for a lease to expire.
        let next = claim_queued(&db, 1).await.unwrap();
        assert_eq!(next.len(), 1);
    }
}

/// Claims up to `n` queued imports for a minute.
async fn claim_queued(
    db: &DatabaseConnection,
    n: u64,
) -> Result<Vec<(import::Model, jobs::Lease<import::Entity>)>, sea_orm::DbErr> {
    jobs::claim::<import::Entity>(
        db,
        queued(),
        import::Column::CreatedAt,
        n,
        chrono::Duration::seconds(60),
        |u| u,
    )
    .await
}

fn queued() -> Condition {
    Condition::all().add(import::Column::Status.eq("queued"))
}

/// `n` queued imports of `organization_id`; their ids, sorted.
async fn queue_imports(db: &DatabaseConnection, organization_id: Uuid, n: usize) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let now = chrono::Utc::now();
        let row = import::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(organization_id),
            created_by: Set(None),
            status: Set("queued".into()),
            file_name: Set("x.csv".into()),
            delimiter: Set(",".into()),
            mapping: Set("{}".into()),
            rows_total: Set(0),
            rows_done: Set(0),
            last_line: Set(1),
            created: Set(0),
            updated: Set(0),
            unchanged: Set(0),
            skipped: Set(0),
            no_consent_email: Set(0),
            no_consent_sms: Set(0),
            error: Set(None),
            lease_until: Set(None),
            lease_owner: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            finished_at: Set(None),
        };
        ids.push(row.insert(db).await.unwrap().id);
    }
    ids.sort();
    ids
}

/// Claims one queued row per round and marks it done, like a worker.
struct Finisher {
    db: DatabaseConnection,
    done: Arc<Mutex<Vec<Uuid>>>,
}

#[async_trait]
impl Job for Finisher {
    fn name(&self) -> &'static str {
        "finisher"
    }
    fn every(&self) -> Duration {
        Duration::from_secs(3600)
    }
    async fn round(&self, _stop: &Stop) -> anyhow::Result<Round> {
        let claimed = claim_queued(&self.db, 1).await?;
        let Some((row, lease)) = claimed.into_iter().next() else {
            return Ok(Round::Idle);
        };
        tokio::task::yield_now().await;
        self.done.lock().await.push(row.id);
        assert!(
            lease
                .release(&self.db, Condition::all(), |u| u
                    .col_expr(import::Column::Status, Expr::value("completed")))
                .await?
        );
        Ok(Round::Worked)
    }
}

/// Claims a row and holds it until the process stops, then releases it unchanged.
struct Holder {
    db: DatabaseConnection,
    claimed: Notify,
    stopped: Notify,
}

#[async_trait]
impl Job for Holder {
    fn name(&self) -> &'static str {
        "holder"
    }
    fn every(&self) -> Duration {
        Duration::from_secs(3600)
    }
    async fn round(&self, stop: &Stop) -> anyhow::Result<Round> {
        let claimed = claim_queued(&self.db, 1).await?;
        let Some((_, lease)) = claimed.into_iter().next() else {
            return Ok(Round::Idle);
        };
        self.claimed.notify_one();
        stop.wait().await;
        lease.release(&self.db, Condition::all(), |u| u).await?;
        self.stopped.notify_one();
        Ok(Round::Idle)
    }
}
