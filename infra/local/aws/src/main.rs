//! `pai-local-aws`: DynamoDB and Step Functions for the local stack.

use clap::Parser;
use pai_local_aws::{Config, Emulator};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Local DynamoDB (SQLite file) and Step Functions (runs infra/statemachines/*.asl.json,
/// Task states call `cargo lambda watch`).
#[derive(Debug, Parser)]
#[command(name = "pai-local-aws", version)]
struct Cli {
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 5000)]
    dynamodb_port: u16,
    #[arg(long, default_value_t = 5001)]
    stepfunctions_port: u16,
    /// SQLite file of the DynamoDB data (created if missing; kept across restarts).
    #[arg(long, default_value = ".local/dynamodb/pai.sqlite")]
    db_path: PathBuf,
    /// Table created at startup if it is missing.
    #[arg(long, default_value = "pai-local")]
    table: String,
    /// Directory of *.asl.json state machines.
    #[arg(long)]
    state_machines: PathBuf,
    /// Base URL of the Lambda Invoke API (cargo lambda watch).
    #[arg(long, default_value = "http://127.0.0.1:8000")]
    lambda_url: String,
    /// Written (with the two endpoints) once everything is up; removed on a clean stop.
    #[arg(long)]
    ready_file: Option<PathBuf>,
}

async fn shutdown_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let config = Config {
        host: cli.host,
        dynamodb_port: cli.dynamodb_port,
        stepfunctions_port: cli.stepfunctions_port,
        db_path: cli.db_path,
        table: cli.table,
        state_machines: cli.state_machines,
        lambda_url: cli.lambda_url,
    };
    let emulator = match Emulator::start(&config).await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("pai-local-aws: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &cli.ready_file {
        if let Err(error) = emulator.write_ready_file(path) {
            eprintln!("pai-local-aws: {error}");
            let _ = emulator.shutdown().await;
            return ExitCode::FAILURE;
        }
    }
    tracing::info!(
        dynamodb = %emulator.dynamodb_endpoint(),
        stepfunctions = %emulator.stepfunctions_endpoint(),
        table = %config.table,
        machines = %emulator.service.machine_names().join(","),
        "ready"
    );
    let signal = shutdown_signal().await;
    if let Some(path) = &cli.ready_file {
        let _ = std::fs::remove_file(path);
    }
    let stopped = emulator.shutdown().await;
    if let Err(error) = signal {
        eprintln!("pai-local-aws: cannot listen for signals: {error}");
        return ExitCode::FAILURE;
    }
    match stopped {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("pai-local-aws: {error}");
            ExitCode::FAILURE
        }
    }
}
