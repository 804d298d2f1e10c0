//! `pai-local-aws`: the local stack's AWS emulator. DynamoDB (dynoxide over a SQLite file) on
//! one port, a Step Functions executor of the project's ASL files on another.

pub mod dynamodb;
pub mod stepfunctions;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use stepfunctions::interpreter::{Runtime, TokioSleeper};
use stepfunctions::lambda::LambdaClient;
use stepfunctions::Service;
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug, Clone)]
pub struct Config {
    pub host: String,
    pub dynamodb_port: u16,
    pub stepfunctions_port: u16,
    pub db_path: PathBuf,
    pub table: String,
    pub state_machines: PathBuf,
    pub lambda_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    StateMachines(#[from] stepfunctions::MachinesError),
    #[error(transparent)]
    Database(#[from] dynamodb::DynamoError),
    #[error("cannot listen on {addr} for {service}: {error}")]
    Bind {
        service: &'static str,
        addr: String,
        error: std::io::Error,
    },
    #[error(transparent)]
    HttpClient(#[from] stepfunctions::lambda::ClientError),
    #[error("cannot write the ready file {path}: {error}")]
    ReadyFile {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{service} server failed: {message}")]
    Server {
        service: &'static str,
        message: String,
    },
}

/// A running emulator: both listeners bound, the table present, every machine loaded.
pub struct Emulator {
    pub dynamodb_addr: SocketAddr,
    pub stepfunctions_addr: SocketAddr,
    pub service: Arc<Service>,
    stop: watch::Sender<bool>,
    dynamodb: JoinHandle<Result<(), String>>,
    stepfunctions: JoinHandle<Result<(), std::io::Error>>,
    sweeper: JoinHandle<()>,
    lock: dynamodb::DbLock,
}

async fn bind(
    host: &str,
    port: u16,
    service: &'static str,
) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|error| StartError::Bind {
            service,
            addr: format!("{host}:{port}"),
            error,
        })
}

impl Emulator {
    /// Loads, opens and binds everything first; only then starts serving, so a failure
    /// never leaves a half-started emulator.
    pub async fn start(config: &Config) -> Result<Emulator, StartError> {
        let machines = stepfunctions::load_dir(&config.state_machines, &config.table)?;
        let runtime = Runtime {
            invoker: Arc::new(LambdaClient::new(&config.lambda_url)?),
            sleeper: Arc::new(TokioSleeper),
        };
        let (db, lock) = dynamodb::open(&config.db_path, &config.table)?;
        let dynamodb_listener = bind(&config.host, config.dynamodb_port, "DynamoDB").await?;
        let stepfunctions_listener =
            bind(&config.host, config.stepfunctions_port, "Step Functions").await?;
        let dynamodb_addr = local_addr(&dynamodb_listener, "DynamoDB")?;
        let stepfunctions_addr = local_addr(&stepfunctions_listener, "Step Functions")?;

        let service = Service::new(machines, runtime);
        let (stop, stopped) = watch::channel(false);
        let signal = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stopped| *stopped).await;
        };
        let dynamodb = tokio::spawn(dynoxide::server::serve_with_shutdown(
            dynamodb_listener,
            db.clone(),
            signal(stopped.clone()),
        ));
        let app = stepfunctions::router(Arc::clone(&service));
        let stepfunctions = tokio::spawn(
            axum::serve(stepfunctions_listener, app)
                .with_graceful_shutdown(signal(stopped.clone()))
                .into_future(),
        );
        let sweeper = tokio::spawn(dynamodb::ttl_sweeper(
            db,
            dynamodb::TTL_SWEEP_INTERVAL,
            stopped,
        ));
        Ok(Emulator {
            dynamodb_addr,
            stepfunctions_addr,
            service,
            stop,
            dynamodb,
            stepfunctions,
            sweeper,
            lock,
        })
    }

    pub fn dynamodb_endpoint(&self) -> String {
        format!("http://{}", self.dynamodb_addr)
    }

    pub fn stepfunctions_endpoint(&self) -> String {
        format!("http://{}", self.stepfunctions_addr)
    }

    /// Writes the ready file (the two endpoints) atomically.
    pub fn write_ready_file(&self, path: &Path) -> Result<(), StartError> {
        let fail = |error| StartError::ReadyFile {
            path: path.to_owned(),
            error,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        let text = format!(
            "dynamodb={}\nstepfunctions={}\n",
            self.dynamodb_endpoint(),
            self.stepfunctions_endpoint()
        );
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        std::fs::write(&temporary, text).map_err(fail)?;
        std::fs::rename(&temporary, path).map_err(fail)
    }

    /// Stops both servers gracefully (in-flight requests finish, SQLite is closed) and
    /// aborts running executions.
    pub async fn shutdown(self) -> Result<(), StartError> {
        let _ = self.stop.send(true);
        self.service.abort_all();
        let dynamodb = self.dynamodb.await;
        let stepfunctions = self.stepfunctions.await;
        let _ = self.sweeper.await;
        drop(self.lock);
        match dynamodb {
            Ok(Ok(())) => {}
            Ok(Err(message)) => {
                return Err(StartError::Server {
                    service: "DynamoDB",
                    message,
                })
            }
            Err(error) => {
                return Err(StartError::Server {
                    service: "DynamoDB",
                    message: error.to_string(),
                })
            }
        }
        match stepfunctions {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(StartError::Server {
                service: "Step Functions",
                message: error.to_string(),
            }),
            Err(error) => Err(StartError::Server {
                service: "Step Functions",
                message: error.to_string(),
            }),
        }
    }
}

fn local_addr(
    listener: &tokio::net::TcpListener,
    service: &'static str,
) -> Result<SocketAddr, StartError> {
    listener.local_addr().map_err(|error| StartError::Bind {
        service,
        addr: "?".into(),
        error,
    })
}
