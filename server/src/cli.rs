//! The `carillon` command line: `serve` (default), `worker`, `migrate`, `create-admin`,
//! `rekey`.

use crate::{config::Config, db, startup};
use anyhow::Context;
use app::model::SignupInput;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "carillon", version, about = "Omnichannel campaign platform")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Migrate the database, then serve the web app and the API (the default).
    Serve,
    /// Send campaigns, without serving HTTP: the scheduler and the delivery workers only.
    /// Run several beside `serve` (with CARILLON_WORKERS=0 there, if you like) against
    /// one PostgreSQL database.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a user who is the admin of a new organization.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        organization: String,
        /// Read from CARILLON_ADMIN_PASSWORD, else asked for on the terminal.
        #[arg(long, env = "CARILLON_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Re-encrypt everything sealed under an older master key with CARILLON_MASTER_KEY
    /// (the older keys in CARILLON_PREVIOUS_MASTER_KEYS, newest first). Safe to stop at
    /// any point and run again: it resumes where it stopped.
    Rekey {
        /// Rows re-encrypted per transaction (at most 10000).
        #[arg(long, default_value_t = crate::keys::rekey::DEFAULT_BATCH)]
        batch: u64,
    },
}

pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Rekey { batch } => rekey(config, batch).await,
        Command::Worker => worker(config).await,
        Command::Migrate => {
            let conn = db::connect(&config.database_url).await?;
            db::migrate(&conn).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::CreateAdmin {
            email,
            organization,
            password,
        } => {
            let password = match password {
                Some(p) => p,
                None => rpassword::prompt_password("Password for the new admin: ")
                    .context("Failed to read the password (set CARILLON_ADMIN_PASSWORD when not on a terminal)")?,
            };
            let conn = db::connect(&config.database_url).await?;
            db::migrate(&conn).await?;
            let cipher = crate::keys::open(&config, &conn).await?;
            let state =
                crate::state::AppState::build(config, conn, cipher, crate::leptos_options()?)?;
            let (user_id, org_id) = state
                .accounts
                .register(SignupInput {
                    email: email.clone(),
                    password,
                    organization,
                })
                .await
                .map_err(|e| anyhow::anyhow!("{}", app::error::AppError::from(e)))?;
            println!("Created admin {email} (user {user_id}) of organization {org_id}.");
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let options = crate::leptos_options()?;
    let app = startup::Application::build(config, options).await?;
    let addr = app.local_addr()?;
    tracing::info!("Carillon is listening on http://{addr}");
    println!("\n  Carillon is running: open http://{addr} and sign up (the first account creates your organization).\n");
    app.run_until_stopped().await
}

async fn rekey(config: Config, batch: u64) -> anyhow::Result<()> {
    let conn = db::connect(&config.database_url).await?;
    db::migrate(&conn).await?;
    let cipher = crate::keys::open(&config, &conn).await?;
    eprintln!(
        "Re-encrypting under master key {} (Ctrl-C stops it safely; run again to resume).",
        cipher.key_id()
    );
    let report = crate::keys::rekey::run(
        &conn,
        &cipher,
        batch,
        &mut crate::keys::progress::Bar::stderr(),
    )
    .await?;
    eprintln!(
        "Done: {} values re-encrypted; everything readable is now under master key {}.",
        report.resealed(),
        cipher.key_id()
    );
    if report.unreadable() > 0 {
        anyhow::bail!(
            "{} values could not be read with any configured key (tampered with or damaged): they were left as they are",
            report.unreadable()
        );
    }
    Ok(())
}

async fn worker(config: Config) -> anyhow::Result<()> {
    if config.workers == 0 {
        anyhow::bail!("CARILLON_WORKERS=0: a worker process without workers would do nothing");
    }
    let conn = db::connect(&config.database_url).await?;
    db::migrate(&conn).await?;
    let cipher = crate::keys::open(&config, &conn).await?;
    let state = crate::state::AppState::build(config, conn, cipher, crate::leptos_options()?)?;
    let jobs = state
        .jobs
        .only(&["scheduler", "deliveries", "simulator_reports"]);
    jobs.start().await;
    println!(
        "\n  Carillon worker is running: it sends the campaigns that are due (Ctrl-C stops it).\n"
    );
    startup::shutdown_signal().await;
    jobs.shutdown(startup::JOBS_GRACE).await;
    Ok(())
}
