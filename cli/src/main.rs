//! `pai-admin`: administer users, API keys and the catalog of a Protegrity AI backend table,
//! honouring the same settings as the functions (`TABLE_NAME`, the standard AWS settings).
use clap::{Parser, Subcommand};
use pai_core::adapters::dynamo::DynamoStore;
use pai_core::domain::role::Role;
use pai_core::domain::time;
use pai_core::service::admin::{self, UserSpec};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "pai-admin", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Table(TableCommand),
    /// Find PII in JSON lines `{"id","text"}` on stdin; writes `{"id","entities":[...]}` lines
    /// (character offsets) on stdout. Needs no table.
    Scan {
        /// Minimum score (default: PROTEGRITY_CLASSIFICATION_THRESHOLD_INPUT or 0.6).
        #[arg(long)]
        threshold: Option<f64>,
    },
    /// Score JSON lines `{"id","text"}` on stdin with the chat endpoint's input guardrail (the
    /// same PROTEGRITY_* settings, remote guardrail and fail-closed included); writes
    /// `{"id","outcome","risk_score","signals"}` lines on stdout, one per line, flushed.
    /// Needs no table.
    Guard,
}

/// Commands that work on the table.
#[derive(Subcommand)]
enum TableCommand {
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Apikey(ApiKeyCommand),
    /// Write the model/agent/tool catalog (and, with --demo-users, the demo users).
    Seed {
        #[arg(long)]
        demo_users: bool,
    },
}

fn scan(threshold: Option<f64>) -> Result<(), CliError> {
    use pai_core::protection::{scan_jsonl, ProtectionConfig, ProtectionEngine};
    let config = ProtectionConfig::from_env()?;
    let threshold = threshold.unwrap_or(config.input_classification_threshold);
    let engine = ProtectionEngine::new(config)?;
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    let stats = scan_jsonl(&engine, threshold, stdin, stdout)?;
    eprintln!(
        "scanned {} lines: {} entities, {} bad lines",
        stats.lines, stats.entities, stats.errors
    );
    Ok(())
}

fn guard() -> Result<(), CliError> {
    use pai_core::ports::Direction;
    use pai_core::protection::guardrails::{guard_jsonl, guard_text};
    use pai_core::protection::remote::RemoteScan;
    use pai_core::protection::{ProtectionConfig, ProtectionEngine};
    let engine = ProtectionEngine::new(ProtectionConfig::from_env()?)?;
    let (classifier, guardrail) = pai_core::adapters::protegrity::remote_from_env()?;
    let handle = tokio::runtime::Handle::current();
    let threshold = engine.config().input_classification_threshold;
    let stats = guard_jsonl(std::io::stdin().lock(), std::io::stdout().lock(), |text| {
        let remote = if classifier.is_none() && guardrail.is_none() {
            RemoteScan::default()
        } else {
            let text = pai_core::domain::sensitive::Sensitive::new(text.to_owned());
            tokio::task::block_in_place(|| {
                handle.block_on(pai_core::service::protect::gather_remote_scan(
                    classifier.as_deref(),
                    guardrail.as_deref(),
                    &text,
                    Direction::Input,
                    threshold,
                ))
            })
        };
        guard_text(&engine, text, &remote)
    })?;
    eprintln!(
        "guarded {} lines: {} rejected, {} bad lines",
        stats.lines, stats.rejected, stats.errors
    );
    Ok(())
}

/// Why a command failed; printed as `pai-admin: error: …`.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Protection(#[from] pai_core::protection::ConfigError),
    #[error(transparent)]
    Settings(#[from] pai_core::config::ConfigError),
    #[error(transparent)]
    Admin(#[from] admin::AdminError),
    #[error("cannot scan: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user.
    Add {
        username: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        role: Role,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
    },
    /// Change a user's role.
    SetRole { username: String, role: Role },
    /// List users.
    List,
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Create an API key for a user; prints the key (only once) on stdout.
    Create {
        username: String,
        #[arg(long, default_value = "default")]
        name: String,
        #[arg(long)]
        expires_days: Option<i64>,
    },
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let command = match cli.command {
        Command::Scan { threshold } => return scan(threshold),
        Command::Guard => return guard(),
        Command::Table(command) => command,
    };
    let aws = pai_core::config::aws().await;
    let store = DynamoStore::from_config(&aws)?;
    let store: &dyn pai_core::ports::Store = &store;
    match command {
        TableCommand::Seed { demo_users } => {
            for line in admin::seed(store, demo_users).await? {
                eprintln!("seeded {line}");
            }
        }
        TableCommand::User(UserCommand::Add {
            username,
            password,
            role,
            email,
            first_name,
            last_name,
        }) => {
            let spec = UserSpec {
                username: &username,
                password: &password,
                role,
                email: email.as_deref(),
                first_name: first_name.as_deref(),
                last_name: last_name.as_deref(),
            };
            let user = admin::add_user(store, spec).await?;
            println!(
                "created user {} (id {}, {})",
                user.username,
                user.id,
                user.role.as_str()
            );
        }
        TableCommand::User(UserCommand::SetRole { username, role }) => {
            let user = admin::set_role(store, &username, role).await?;
            println!("user {} is now {}", user.username, user.role.as_str());
        }
        TableCommand::User(UserCommand::List) => {
            println!(
                "{:<6} {:<24} {:<11} {:<28} created",
                "id", "username", "role", "email"
            );
            for u in admin::list_users(store).await? {
                println!(
                    "{:<6} {:<24} {:<11} {:<28} {}",
                    u.id,
                    u.username,
                    u.role.as_str(),
                    u.email,
                    time::format(&u.created_at)
                );
            }
        }
        TableCommand::Apikey(ApiKeyCommand::Create {
            username,
            name,
            expires_days,
        }) => {
            let key = admin::create_api_key(store, &username, &name, expires_days).await?;
            eprintln!("API key for {username} (shown once; store it now):");
            println!("{key}");
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pai-admin: error: {e}");
            ExitCode::FAILURE
        }
    }
}
