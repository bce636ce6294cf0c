//! `lawcircle-server`: serve the API, import and export the catalogue.

use clap::{Args, Parser, Subcommand};
use lawcircle_core::authz::Role;
use lawcircle_core::compensation::ParamTable;
use lawcircle_core::content::{ContentStore, PhotoDir};
use lawcircle_core::export;
use lawcircle_core::import::{Format, ImportError, RecordKind, read_file};
use lawcircle_core::network::WalkingNetwork;
use lawcircle_server::api::accounts::{CreateAccountRequest, create_account};
use lawcircle_server::api::router;
use lawcircle_server::auth::LoginPolicy;
use lawcircle_server::config::FileConfig;
use lawcircle_server::demo;
use lawcircle_server::importer::{ImportFailure, import_bytes};
use lawcircle_server::spatial::{Spatial, load_network};
use lawcircle_server::state::{AppState, Clock};
use lawcircle_server::store::{FacilityFilter, Store};
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "lawcircle-server",
    version,
    about = "LawCircle platform server (15分钟公共法律服务圈)"
)]
struct Cli {
    /// A TOML configuration file (flags and environment variables win).
    #[arg(long, global = true, env = "LAWCIRCLE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct StorageArgs {
    /// Folder for the SQLite database and stored photos [default: lawcircle-data].
    #[arg(long, env = "LAWCIRCLE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The SQLite database file (default: DATA_DIR/lawcircle.sqlite).
    #[arg(long, env = "LAWCIRCLE_DATABASE")]
    database: Option<PathBuf>,
    /// A PostgreSQL URL (postgres://user@host/db) instead of embedded SQLite.
    #[arg(long, env = "LAWCIRCLE_DATABASE_URL")]
    database_url: Option<String>,
}

/// Text messages and rating links.
#[derive(Args, Clone)]
struct MessagingArgs {
    /// The address people reach the server at; rating links are made with
    /// it [default: http:// and the bound address].
    #[arg(long, env = "LAWCIRCLE_PUBLIC_URL")]
    public_url: Option<String>,
    /// Days a rating link (and an in-app rating request) stays open [default: 14].
    #[arg(long, env = "LAWCIRCLE_RATING_LINK_TTL_DAYS")]
    rating_link_ttl_days: Option<u32>,
    /// The SMS provider: `aliyun` (Alibaba Cloud SMS SendSms). Without one
    /// nothing is sent: /health says so and registration by code answers 503.
    #[arg(long, env = "LAWCIRCLE_SMS_PROVIDER")]
    sms_provider: Option<String>,
    /// The provider's endpoint [default: https://dysmsapi.aliyuncs.com/].
    #[arg(long, env = "LAWCIRCLE_SMS_ENDPOINT")]
    sms_endpoint: Option<String>,
    /// [default: cn-hangzhou]
    #[arg(long, env = "LAWCIRCLE_SMS_REGION_ID")]
    sms_region_id: Option<String>,
    #[arg(long, env = "LAWCIRCLE_SMS_ACCESS_KEY_ID")]
    sms_access_key_id: Option<String>,
    /// Better given in the environment than on the command line.
    #[arg(long, env = "LAWCIRCLE_SMS_ACCESS_KEY_SECRET", hide_env_values = true)]
    sms_access_key_secret: Option<String>,
    /// The approved signature name (签名).
    #[arg(long, env = "LAWCIRCLE_SMS_SIGN_NAME")]
    sms_sign_name: Option<String>,
    /// The approved template of verification codes (parameter `code`).
    #[arg(long, env = "LAWCIRCLE_SMS_CODE_TEMPLATE")]
    sms_code_template: Option<String>,
    /// The approved template of rating links (parameter `link`).
    #[arg(long, env = "LAWCIRCLE_SMS_RATING_TEMPLATE")]
    sms_rating_template: Option<String>,
    /// The approved template of notifications to people without the app
    /// (parameters `order` and `status`) [default: none, not sent by SMS].
    #[arg(long, env = "LAWCIRCLE_SMS_NOTICE_TEMPLATE")]
    sms_notice_template: Option<String>,
    /// The contact push services may write to about this server's pushes
    /// (VAPID `sub`: mailto: or https:) [default: mailto:push@lawcircle.invalid].
    #[arg(long, env = "LAWCIRCLE_PUSH_CONTACT")]
    push_contact: Option<String>,
    /// Accept plain http:// push endpoints (a test push service on
    /// loopback). Never in production.
    #[arg(long, hide = true)]
    push_allow_plain_http: bool,
}

impl MessagingArgs {
    /// The SMS sender from flags, environment and file.
    fn sms(&self, file: &FileConfig) -> Result<lawcircle_server::sms::Sms, String> {
        use lawcircle_server::sms::{ALIYUN_ENDPOINT, AliyunConfig, AliyunSms, Sms};
        let pick = |flag: &Option<String>, key: &Option<String>| -> String {
            flag.clone().or_else(|| key.clone()).unwrap_or_default()
        };
        let provider = pick(&self.sms_provider, &file.sms_provider);
        match provider.as_str() {
            "" | "none" => Ok(Sms::new(None)),
            "aliyun" => {
                let config = AliyunConfig {
                    endpoint: self
                        .sms_endpoint
                        .clone()
                        .or_else(|| file.sms_endpoint.clone())
                        .unwrap_or_else(|| ALIYUN_ENDPOINT.to_string()),
                    access_key_id: pick(&self.sms_access_key_id, &file.sms_access_key_id),
                    access_key_secret: pick(
                        &self.sms_access_key_secret,
                        &file.sms_access_key_secret,
                    ),
                    region_id: self
                        .sms_region_id
                        .clone()
                        .or_else(|| file.sms_region_id.clone())
                        .unwrap_or_else(|| "cn-hangzhou".to_string()),
                    sign_name: pick(&self.sms_sign_name, &file.sms_sign_name),
                    code_template: pick(&self.sms_code_template, &file.sms_code_template),
                    rating_template: pick(&self.sms_rating_template, &file.sms_rating_template),
                    notice_template: self
                        .sms_notice_template
                        .clone()
                        .or_else(|| file.sms_notice_template.clone())
                        .filter(|t| !t.trim().is_empty()),
                };
                let gateway = AliyunSms::new(config)?;
                Ok(Sms::new(Some(std::sync::Arc::new(gateway))))
            }
            other => Err(format!(
                "sms_provider {other:?}: expected \"aliyun\" or \"none\""
            )),
        }
    }
}

/// Storage settings after merging flags, environment and the file.
#[derive(Clone)]
struct Storage {
    data_dir: PathBuf,
    database: Option<PathBuf>,
    database_url: Option<String>,
}

impl StorageArgs {
    fn resolve(&self, file: &FileConfig) -> Storage {
        Storage {
            data_dir: self
                .data_dir
                .clone()
                .or_else(|| file.data_dir.clone())
                .unwrap_or_else(|| PathBuf::from("lawcircle-data")),
            database: self.database.clone(),
            database_url: self
                .database_url
                .clone()
                .or_else(|| file.database_url.clone()),
        }
    }
}

impl Storage {
    fn describe(&self) -> String {
        match &self.database_url {
            Some(url) => redact_url(url),
            None => self.database_path().display().to_string(),
        }
    }

    fn database_path(&self) -> PathBuf {
        self.database
            .clone()
            .unwrap_or_else(|| self.data_dir.join("lawcircle.sqlite"))
    }

    fn content_store(&self) -> ContentStore {
        ContentStore::new(self.data_dir.join("content"))
    }

    async fn open(&self) -> Result<Store, String> {
        let opened = match &self.database_url {
            Some(url) if url.starts_with("sqlite:") => {
                lawcircle_server::config::prepare_sqlite_url(url, &self.data_dir)
                    .map_err(|e| e.to_string())?;
                Store::open(url).await
            }
            Some(url) => Store::open(url).await,
            None => Store::open_sqlite(&self.database_path()).await,
        };
        opened.map_err(|e| format!("cannot open database {}: {e}", self.describe()))
    }
}

/// A database URL without its password, for logs and messages.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve {
        #[command(flatten)]
        storage: StorageArgs,
        /// Address to listen on (port 0 picks a free port) [default: 127.0.0.1:8080].
        #[arg(long, env = "LAWCIRCLE_BIND")]
        bind: Option<SocketAddr>,
        /// Load the illustrative Longwan demo data before serving, with demo
        /// accounts for every role (passwords printed once on standard
        /// output) and a few days of illustrative activity.
        #[arg(long)]
        demo: bool,
        /// With --demo: also the demo accounts and activity (`false`: the
        /// demo catalogue only, as the test suites use it).
        #[arg(long, env = "LAWCIRCLE_DEMO_PEOPLE", default_value_t = true, action = clap::ArgAction::Set)]
        demo_people: bool,
        /// Lifetime of login tokens in hours [default: 12].
        #[arg(long, env = "LAWCIRCLE_TOKEN_TTL_HOURS")]
        token_ttl_hours: Option<i64>,
        /// A walking network: the compact file (`lawcircle-server network`)
        /// or an OpenStreetMap `.osm.pbf`. Without one, distances are
        /// straight lines times a detour factor, and results say so.
        #[arg(long, env = "LAWCIRCLE_WALKING_NETWORK")]
        walking_network: Option<PathBuf>,
        /// A CSV of extra calculator parameters (region, year, indicator,
        /// value, unit, source) added to the built-in table: a newer year
        /// is added by data, not code.
        #[arg(long, env = "LAWCIRCLE_CALC_PARAMETERS")]
        calc_parameters: Option<PathBuf>,
        /// Seconds an open consultation waits for a grab before it escalates.
        #[arg(long, env = "LAWCIRCLE_GRAB_WINDOW_SECS", default_value_t = 30)]
        grab_window_secs: u64,
        /// Days the exact location of clock-in punches is kept before it is
        /// erased (0: keep) [default: 180].
        #[arg(long, env = "LAWCIRCLE_PUNCH_LOCATION_RETENTION_DAYS")]
        punch_location_retention_days: Option<u32>,
        /// Days a need's personal data is kept after filing, once its case
        /// is over (0: until removed on request) [default: 1095].
        #[arg(long, env = "LAWCIRCLE_NEED_RETENTION_DAYS")]
        need_retention_days: Option<u32>,
        /// Days the bytes of photos and documents are kept after upload
        /// (0: until removed on request) [default: 365].
        #[arg(long, env = "LAWCIRCLE_ATTACHMENT_RETENTION_DAYS")]
        attachment_retention_days: Option<u32>,
        /// Days entries of the audit log are kept (0: forever) [default: 1095].
        #[arg(long, env = "LAWCIRCLE_AUDIT_RETENTION_DAYS")]
        audit_retention_days: Option<u32>,
        /// How often the background job (escalations, warnings) runs, ms.
        #[arg(long, env = "LAWCIRCLE_JOBS_INTERVAL_MS", default_value_t = 5000)]
        jobs_interval_ms: u64,
        /// A tile layer under the staff console's map: an XYZ URL template
        /// with {z}, {x} and {y}. None by default (the map is drawn from
        /// the platform's own data and works offline).
        #[arg(long, env = "LAWCIRCLE_CONSOLE_TILE_URL")]
        console_tile_url: Option<String>,
        /// The attribution the tile provider asks for.
        #[arg(long, env = "LAWCIRCLE_CONSOLE_TILE_ATTRIBUTION")]
        console_tile_attribution: Option<String>,
        /// A token a Prometheus scraper sends (`Authorization: Bearer …`)
        /// to read `/metrics` without a staff account. Prefer the
        /// environment variable or the configuration file: command lines
        /// are visible to other users of the machine.
        #[arg(long, env = "LAWCIRCLE_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// The first login back-off in seconds, after the free failures;
        /// each further failure doubles it [default: 1].
        #[arg(long, env = "LAWCIRCLE_LOGIN_BACKOFF_SECS")]
        login_backoff_secs: Option<i64>,
        /// How often an open event stream re-checks its token, in seconds
        /// (revocations on other instances, expiry) [default: 15].
        #[arg(long, env = "LAWCIRCLE_SESSION_RECHECK_SECS")]
        session_recheck_secs: Option<u64>,
        /// Let tests move the server's clock (POST /api/v1/test/clock).
        /// Never in production.
        #[arg(long, hide = true)]
        test_clock: bool,
        #[command(flatten)]
        messaging: Box<MessagingArgs>,
    },
    /// Create an account, e.g. the first district admin. The password is
    /// read from LAWCIRCLE_PASSWORD or, if unset, the first line of
    /// standard input.
    CreateAccount {
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        username: String,
        /// resident, volunteer, lawyer, station_staff or district_admin.
        #[arg(long)]
        role: Role,
        #[arg(long)]
        display_name: String,
        /// The street a station_staff account belongs to.
        #[arg(long)]
        street_code: Option<String>,
        /// A mainland mobile number.
        #[arg(long)]
        phone: Option<String>,
    },
    /// Import areas, facilities and duty posts from CSV or GeoJSON files.
    /// A file with any bad row imports nothing unless --skip-bad-rows.
    Import {
        #[command(flatten)]
        storage: StorageArgs,
        /// Areas files (district, streets, villages/communities).
        #[arg(long = "areas")]
        areas: Vec<PathBuf>,
        /// Facilities files.
        #[arg(long = "facilities")]
        facilities: Vec<PathBuf>,
        /// Duty posts files.
        #[arg(long = "duty-posts")]
        duty_posts: Vec<PathBuf>,
        /// Import the good rows and report the bad ones as skipped.
        #[arg(long)]
        skip_bad_rows: bool,
    },
    /// Build the compact walking-network file from an OpenStreetMap
    /// `.osm.pbf` extract (what a pedestrian may use).
    Network {
        /// The `.osm.pbf` extract.
        #[arg(long)]
        pbf: PathBuf,
        /// The network file to write (e.g. longwan.lcwn).
        #[arg(long)]
        out: PathBuf,
    },
    /// Coverage of the 15-minute circle per village, street and district,
    /// with the plan's targets and the gap list.
    Coverage {
        #[command(flatten)]
        storage: StorageArgs,
        /// A walking network (.lcwn or .osm.pbf); without one, straight
        /// lines times a detour factor.
        #[arg(long)]
        walking_network: Option<PathBuf>,
        /// Products a village must reach (default: all eight).
        #[arg(long = "product")]
        products: Vec<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: lawcircle_server::cli_coverage::OutputFormat,
    },
    /// Where to open k new facilities of a product to cover the most
    /// uncovered villages (or people), with coverage before and after.
    Siting {
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        walking_network: Option<PathBuf>,
        #[arg(long)]
        product: String,
        #[arg(long, default_value_t = 3)]
        k: usize,
        /// Maximise people covered instead of villages.
        #[arg(long)]
        by_population: bool,
    },
    /// Copy the embedded SQLite database to FILE, consistent while the
    /// server keeps serving (SQLite's VACUUM INTO: the database as of one
    /// commit), and check the copy. PostgreSQL: use pg_dump.
    Backup {
        #[command(flatten)]
        storage: StorageArgs,
        /// The backup file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Put a backup made by `backup` in place of the SQLite database.
    /// Stop the server first. The backup is checked before anything is
    /// replaced; an existing database is replaced only with --force.
    Restore {
        #[command(flatten)]
        storage: StorageArgs,
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Export the catalogue as GeoJSON (WGS-84).
    Export {
        #[command(flatten)]
        storage: StorageArgs,
        /// What to export.
        #[arg(value_parser = ["facilities", "areas", "duty-posts"])]
        what: String,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// How the log is written: `plain` lines (coloured only on a terminal) or
/// `json`, one object per line, for log collectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogFormat {
    Plain,
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "plain" | "text" | "" => Ok(LogFormat::Plain),
            "json" => Ok(LogFormat::Json),
            other => Err(format!(
                "unknown log format {other:?}: use \"plain\" or \"json\""
            )),
        }
    }
}

/// Starts the log on standard error: the filter from `LAWCIRCLE_LOG`
/// (default `info`), the format from `LAWCIRCLE_LOG_FORMAT` or the
/// configuration file's `log_format`. Colour only when standard error is a
/// terminal and `NO_COLOR` is unset, so a file or a pipe gets plain text.
fn init_log(file: &FileConfig) -> Result<(), String> {
    let format: LogFormat = match std::env::var("LAWCIRCLE_LOG_FORMAT") {
        Ok(v) => v.parse()?,
        Err(_) => file
            .log_format
            .as_deref()
            .unwrap_or("plain")
            .parse()
            .map_err(|e| format!("log_format: {e}"))?,
    };
    let filter =
        EnvFilter::try_from_env("LAWCIRCLE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let colour = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Plain => builder.with_ansi(colour).init(),
        LogFormat::Json => builder
            .json()
            .with_ansi(false)
            .with_current_span(true)
            .init(),
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let file = match &cli.config {
        Some(path) => match FileConfig::load(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => FileConfig::default(),
    };
    if let Err(e) = init_log(&file) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, file)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, file: FileConfig) -> Result<(), String> {
    match cli.command {
        Command::Serve {
            storage,
            bind,
            demo,
            demo_people,
            token_ttl_hours,
            calc_parameters,
            walking_network,
            grab_window_secs,
            jobs_interval_ms,
            console_tile_url,
            console_tile_attribution,
            punch_location_retention_days,
            metrics_token,
            login_backoff_secs,
            session_recheck_secs,
            need_retention_days,
            attachment_retention_days,
            audit_retention_days,
            test_clock,
            messaging,
        } => {
            let keep =
                |flag: Option<u32>, file: Option<u32>, default: Option<u32>| match flag.or(file) {
                    Some(0) => None,
                    Some(d) => Some(d),
                    None => default,
                };
            let defaults = lawcircle_server::state::Retention::default();
            let data_retention = lawcircle_server::state::Retention {
                need_days: keep(
                    need_retention_days,
                    file.need_retention_days,
                    defaults.need_days,
                ),
                attachment_days: keep(
                    attachment_retention_days,
                    file.attachment_retention_days,
                    defaults.attachment_days,
                ),
                audit_days: keep(
                    audit_retention_days,
                    file.audit_retention_days,
                    defaults.audit_days,
                ),
            };
            let sms = messaging.sms(&file)?;
            let link_ttl_days = messaging
                .rating_link_ttl_days
                .or(file.rating_link_ttl_days)
                .unwrap_or(lawcircle_server::api::ratings::DEFAULT_RATING_LINK_TTL_DAYS);
            if !(1..=365).contains(&link_ttl_days) {
                return Err("rating_link_ttl_days must be between 1 and 365".into());
            }
            let public_url = messaging.public_url.clone().or(file.public_url.clone());
            let retention = punch_location_retention_days
                .or(file.punch_location_retention_days)
                .unwrap_or(180);
            let console = lawcircle_server::console::ConsoleSettings::new(
                console_tile_url.or(file.console_tile_url.clone()),
                console_tile_attribution.or(file.console_tile_attribution.clone()),
            )
            .map_err(|e| e.to_string())?;
            let network = open_network(walking_network).await?;
            let mut calc_table = ParamTable::builtin().map_err(|e| e.to_string())?;
            if let Some(path) = calc_parameters {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                let extra = ParamTable::from_csv_str(&text)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                calc_table.merge(extra);
            }
            let mut login = LoginPolicy::default();
            if let Some(h) = token_ttl_hours.or(file.token_ttl_hours) {
                if !(1..=24 * 90).contains(&h) {
                    return Err("token_ttl_hours must be between 1 and 2160".into());
                }
                login.token_ttl = chrono::Duration::hours(h);
            }
            if let Some(n) = file.login_max_failures {
                login.max_failures = n.max(1);
            }
            if let Some(m) = file.login_window_minutes {
                login.window = chrono::Duration::minutes(m.max(1));
            }
            if let Some(b) = login_backoff_secs.or(file.login_backoff_secs) {
                login.backoff_base = chrono::Duration::seconds(b.clamp(1, 3600));
            }
            let metrics_token = metrics_token
                .or(file.metrics_token.clone())
                .filter(|t| !t.is_empty());
            if metrics_token.as_ref().is_some_and(|t| t.len() < 32) {
                return Err("metrics_token must have at least 32 characters".into());
            }
            let session_recheck = std::time::Duration::from_secs(
                session_recheck_secs
                    .or(file.session_recheck_secs)
                    .unwrap_or(15)
                    .clamp(1, 3600),
            );
            let bind = bind
                .or(file.bind)
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
            let clock = if test_clock {
                Clock::adjustable()
            } else {
                Clock::system()
            };
            let settings = ServeSettings {
                bind,
                demo,
                demo_people: demo && demo_people,
                login,
                clock,
                calc_table,
                network,
                grab_window_secs,
                jobs_interval: std::time::Duration::from_millis(jobs_interval_ms.max(50)),
                console,
                retention_days: (retention > 0).then_some(retention),
                metrics_token_hash: metrics_token
                    .as_deref()
                    .map(lawcircle_server::auth::token_hash),
                session_recheck,
                data_retention,
                sms,
                public_url,
                link_ttl_days,
                push_contact: messaging
                    .push_contact
                    .clone()
                    .unwrap_or_else(|| "mailto:push@lawcircle.invalid".to_string()),
                push_allow_plain_http: messaging.push_allow_plain_http,
            };
            serve(storage.resolve(&file), settings).await
        }
        Command::CreateAccount {
            storage,
            username,
            role,
            display_name,
            street_code,
            phone,
        } => {
            let password = match std::env::var("LAWCIRCLE_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .map_err(|e| format!("cannot read the password: {e}"))?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let store = storage.resolve(&file).open().await?;
            let state = AppState::new(store.clone(), ParamTable::new());
            let account = create_account(
                &state,
                None,
                CreateAccountRequest {
                    username,
                    display_name,
                    role,
                    street_code,
                    phone,
                    id_number: None,
                    password,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
            store.close().await;
            println!(
                "created account {} ({}, {})",
                account.id,
                account.username,
                account.role.as_str()
            );
            Ok(())
        }
        Command::Import {
            storage,
            areas,
            facilities,
            duty_posts,
            skip_bad_rows,
        } => {
            let files: Vec<(PathBuf, RecordKind)> = areas
                .into_iter()
                .map(|f| (f, RecordKind::Areas))
                .chain(facilities.into_iter().map(|f| (f, RecordKind::Facilities)))
                .chain(duty_posts.into_iter().map(|f| (f, RecordKind::DutyPosts)))
                .collect();
            if files.is_empty() {
                return Err("nothing to import: give --areas, --facilities or --duty-posts".into());
            }
            import(storage.resolve(&file), files, skip_bad_rows).await
        }
        Command::Network { pbf, out } => {
            let line = tokio::task::spawn_blocking(move || {
                lawcircle_server::cli_coverage::build_network(&pbf, &out)
            })
            .await
            .map_err(|e| e.to_string())??;
            println!("{line}");
            Ok(())
        }
        Command::Coverage {
            storage,
            walking_network,
            products,
            format,
        } => {
            let store = storage.resolve(&file).open().await?;
            let network = open_network(walking_network).await?;
            let text = lawcircle_server::cli_coverage::coverage(&store, network, &products, format)
                .await?;
            println!("{text}");
            Ok(())
        }
        Command::Siting {
            storage,
            walking_network,
            product,
            k,
            by_population,
        } => {
            let store = storage.resolve(&file).open().await?;
            let network = open_network(walking_network).await?;
            let text =
                lawcircle_server::cli_coverage::siting(&store, network, &product, k, by_population)
                    .await?;
            println!("{text}");
            Ok(())
        }
        Command::Backup { storage, out } => {
            let storage = storage.resolve(&file);
            if storage.database_url.is_some() {
                return Err(POSTGRES_BACKUP.into());
            }
            if out.exists() {
                return Err(format!("{} exists: give a new file", out.display()));
            }
            let store = storage.open().await?;
            store
                .backup_sqlite(&out)
                .await
                .map_err(|e| format!("backup to {} failed: {e}", out.display()))?;
            store.close().await;
            let check = lawcircle_server::store::check_sqlite_file(&out)
                .await
                .map_err(|e| format!("the backup {} cannot be read: {e}", out.display()))?;
            let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            println!(
                "backed up {} to {} ({size} bytes, {} needs, integrity {check})",
                storage.describe(),
                out.display(),
                lawcircle_server::store::count_rows(&out, "needs")
                    .await
                    .unwrap_or(-1)
            );
            Ok(())
        }
        Command::Restore {
            storage,
            from,
            force,
        } => restore(storage.resolve(&file), &from, force).await,
        Command::Export { storage, what, out } => {
            let store = storage.resolve(&file).open().await?;
            let value = match what.as_str() {
                "facilities" => {
                    let all = store
                        .facilities(&FacilityFilter {
                            since_version: None,
                            include_retired: true,
                        })
                        .await
                        .map_err(|e| e.to_string())?;
                    export::facilities_geojson(&all)
                }
                "areas" => export::areas_geojson(&store.areas().await.map_err(|e| e.to_string())?),
                _ => export::duty_posts_geojson(
                    &store.duty_posts().await.map_err(|e| e.to_string())?,
                ),
            };
            let text = serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?;
            match out {
                Some(path) => std::fs::write(&path, text + "\n")
                    .map_err(|e| format!("{}: {e}", path.display())),
                None => {
                    println!("{text}");
                    Ok(())
                }
            }
        }
    }
}

/// What `serve` runs with, after merging flags, environment and file.
struct ServeSettings {
    bind: SocketAddr,
    demo: bool,
    /// The demo accounts and activity (with `demo`).
    demo_people: bool,
    login: LoginPolicy,
    clock: Clock,
    calc_table: ParamTable,
    network: Option<WalkingNetwork>,
    grab_window_secs: u64,
    jobs_interval: std::time::Duration,
    console: lawcircle_server::console::ConsoleSettings,
    retention_days: Option<u32>,
    metrics_token_hash: Option<String>,
    session_recheck: std::time::Duration,
    data_retention: lawcircle_server::state::Retention,
    sms: lawcircle_server::sms::Sms,
    public_url: Option<String>,
    link_ttl_days: u32,
    push_contact: String,
    push_allow_plain_http: bool,
}

async fn serve(storage: Storage, settings: ServeSettings) -> Result<(), String> {
    let ServeSettings {
        bind,
        demo,
        demo_people,
        login,
        clock,
        calc_table,
        network,
        grab_window_secs,
        jobs_interval,
        console,
        retention_days,
        metrics_token_hash,
        session_recheck,
        data_retention,
        sms,
        public_url,
        link_ttl_days,
        push_contact,
        push_allow_plain_http,
    } = settings;
    let store = storage.open().await?;
    if demo {
        let outcomes = demo::load(&store)
            .await
            .map_err(|e| format!("cannot load the demo data: {e}"))?;
        for o in outcomes {
            tracing::info!(
                file = %o.file,
                created = o.summary.created,
                updated = o.summary.updated,
                unchanged = o.summary.unchanged,
                "demo data loaded (illustrative, not the official registry)"
            );
        }
    }
    // The shipped application types, on first start (an empty table).
    let seeded = lawcircle_server::service_catalog::Services::seed(&store, chrono::Utc::now())
        .await
        .map_err(|e| format!("cannot store the default application types: {e}"))?;
    if seeded > 0 {
        tracing::info!(seeded, "default application types stored");
    }
    // Specialties written as free text before the taxonomy: as codes.
    let migrated = store
        .migrate_volunteer_specialties(chrono::Utc::now())
        .await
        .map_err(|e| format!("cannot migrate volunteers' specialties: {e}"))?;
    if migrated > 0 {
        tracing::info!(
            migrated,
            "volunteers' free-text specialties mapped to the taxonomy"
        );
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let mut state = AppState::new(store.clone(), calc_table);
    state.clock = clock;
    state.login = login;
    state.spatial = std::sync::Arc::new(Spatial::new(network));
    state.grab_window_secs = grab_window_secs;
    state.punch_location_retention_days = retention_days;
    state.metrics_token_hash = metrics_token_hash;
    state.session_recheck = session_recheck;
    state.retention = data_retention;
    match store.durability().await {
        Ok(settings) => tracing::info!(?settings, "durability of commits"),
        Err(e) => tracing::warn!(error = %e, "cannot read the durability settings"),
    }
    state.console = std::sync::Arc::new(console);
    if !sms.is_configured() {
        tracing::warn!(
            "no SMS provider configured (sms_provider): rating links are not sent by SMS and \
             residents cannot register by SMS code; /health reports sms=not_configured"
        );
    }
    state.sms = sms;
    state.ratings = std::sync::Arc::new(lawcircle_server::api::ratings::RatingSettings {
        public_url: public_url.unwrap_or_else(|| format!("http://{addr}")),
        link_ttl: chrono::Duration::days(i64::from(link_ttl_days)),
    });
    state.calendar = std::sync::Arc::new(
        lawcircle_core::working_time::HolidayCalendar::china_2025_2026()
            .map_err(|e| format!("the built-in holiday calendar: {e}"))?,
    );
    if demo_people {
        let people = demo::seed_people(&state)
            .await
            .map_err(|e| format!("cannot make the demo accounts and activity: {e}"))?;
        // Counts only: the passwords go to standard output, never the log.
        if let Some(e) = &people.activity_error {
            tracing::warn!(error = %e, "the demo activity stopped before its end");
        }
        tracing::info!(
            created = people.created,
            reset = people.reset,
            needs_filed = people.needs_filed,
            "demo accounts ready (illustrative); an earlier demo's accounts get new passwords"
        );
        let console_url = format!("http://{addr}/console/");
        print!("{}", people.credentials_block(&console_url));
    }
    // Scripts and tests read the address from this line on standard output.
    println!("LawCircle listening on http://{addr}");
    let _ = std::io::stdout().flush();
    tracing::info!(%addr, database = %storage.describe(), "serving");
    state
        .notifications
        .start(
            &store,
            &push_contact,
            push_allow_plain_http,
            chrono::Utc::now(),
        )
        .await
        .map_err(|e| format!("cannot start push notifications: {e}"))?;
    lawcircle_server::notifications::worker::spawn(state.clone());
    lawcircle_server::jobs::spawn(
        state.clone(),
        lawcircle_server::jobs::rules_for(grab_window_secs),
        jobs_interval,
    );
    let app = router(state);
    // The peer address reaches the handlers (the login throttle and the
    // SMS limits count per client address).
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| e.to_string())?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

const POSTGRES_BACKUP: &str = "backup and restore copy the embedded SQLite database; for PostgreSQL use pg_dump/pg_restore or continuous WAL archiving with point-in-time recovery (docs/security.md)";

/// Checks the backup, then moves a copy of it into the database's place:
/// copy to a temporary file beside the database, fsync, remove the old
/// WAL and shared-memory files, rename over the database, fsync the
/// folder. A failure before the rename leaves the old database as it was.
async fn restore(storage: Storage, from: &Path, force: bool) -> Result<(), String> {
    if storage.database_url.is_some() {
        return Err(POSTGRES_BACKUP.into());
    }
    let check = lawcircle_server::store::check_sqlite_file(from)
        .await
        .map_err(|e| format!("{} is not a usable backup: {e}", from.display()))?;
    if check != "ok" {
        return Err(format!(
            "{} fails its integrity check: {check}",
            from.display()
        ));
    }
    let db = storage.database_path();
    if db.exists() && !force {
        return Err(format!(
            "{} exists: stop the server and add --force to replace it",
            db.display()
        ));
    }
    let dir = db
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = db.with_extension("sqlite.restoring");
    let io = |e: std::io::Error| format!("restore into {}: {e}", db.display());
    std::fs::copy(from, &tmp).map_err(io)?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", db.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(io)?;
        }
    }
    std::fs::rename(&tmp, &db).map_err(io)?;
    std::fs::File::open(&dir)
        .and_then(|f| f.sync_all())
        .map_err(io)?;
    // Opening brings an older backup's schema up to date.
    let store = storage.open().await?;
    let needs = store.count_needs().await.map_err(|e| e.to_string())?;
    store.close().await;
    println!(
        "restored {} from {} ({needs} needs)",
        db.display(),
        from.display()
    );
    Ok(())
}

async fn open_network(path: Option<PathBuf>) -> Result<Option<WalkingNetwork>, String> {
    match path {
        Some(path) => tokio::task::spawn_blocking(move || {
            lawcircle_server::cli_coverage::with_spinner("loading the walking network", || {
                load_network(&path)
            })
        })
        .await
        .map_err(|e| e.to_string())?
        .map(Some)
        .map_err(|e| e.to_string()),
        None => Ok(None),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

async fn import(
    storage: Storage,
    files: Vec<(PathBuf, RecordKind)>,
    skip_bad_rows: bool,
) -> Result<(), String> {
    let store = storage.open().await?;
    let content = storage.content_store();
    let mut failed = false;
    for (path, kind) in files {
        let name = path.display().to_string();
        let format = Format::from_file_name(&name);
        let result = match format {
            None => Err(ImportFailure::File(ImportError::UnknownFormat {
                file: name.clone(),
            })),
            Some(format) => match read_file(&path) {
                Err(e) => {
                    eprintln!("{e}");
                    failed = true;
                    continue;
                }
                Ok(bytes) => {
                    let base = path.parent().unwrap_or(Path::new("."));
                    let mut photos = PhotoDir {
                        base,
                        store: &content,
                    };
                    import_bytes(
                        &store,
                        &name,
                        &bytes,
                        format,
                        kind,
                        skip_bad_rows,
                        &mut photos,
                    )
                    .await
                }
            },
        };
        match result {
            Ok(o) => {
                println!(
                    "{name}: {} created, {} updated, {} unchanged, {} skipped",
                    o.summary.created,
                    o.summary.updated,
                    o.summary.unchanged,
                    o.skipped.len()
                );
                for p in &o.skipped {
                    println!("  skipped {p}");
                }
            }
            Err(ImportFailure::File(ImportError::BadRows(problems))) => {
                failed = true;
                eprintln!(
                    "{name}: {} bad row(s); nothing was imported from this file",
                    problems.len()
                );
                for p in problems {
                    eprintln!("  {p}");
                }
            }
            Err(e) => {
                failed = true;
                eprintln!("{name}: {e}");
            }
        }
    }
    store.close().await;
    if failed {
        Err("some files were not imported (see above)".into())
    } else {
        Ok(())
    }
}
