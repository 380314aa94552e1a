use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // A missing .env is fine; a broken one is reported by the variables it leaves unset.
    let _ = dotenvy::dotenv();
    let cli = carillon::cli::Cli::parse();
    let config = match carillon::config::Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("carillon: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    carillon::telemetry::init(config.log_format);
    match carillon::cli::run(cli, config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = ?e, "carillon stopped with an error");
            eprintln!("carillon: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
