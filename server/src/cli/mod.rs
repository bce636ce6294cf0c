//! The command line of `lawcircle-server`: serve the API, import and export
//! the catalogue, back up and restore, coverage and siting reports.

mod catalogue;
pub mod coverage;
mod log;
mod messaging;
mod serve;
mod storage;

use crate::api::accounts::CreateAccountRequest;
use crate::auth::LoginPolicy;
use crate::config::FileConfig;
use crate::state::{AppState, Clock};
use crate::store::FacilityFilter;
use crate::usecases::accounts::create_account;
use catalogue::import;
use clap::{Parser, Subcommand};
use lawcircle_core::authz::Role;
use lawcircle_core::catalogue::export;
use lawcircle_core::catalogue::import::RecordKind;
use lawcircle_core::compensation::ParamTable;
use log::init_log;
use messaging::MessagingArgs;
use serve::{ServeSettings, open_network};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use storage::POSTGRES_BACKUP;
use storage::{StorageArgs, restore};

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
        #[command(flatten)]
        instances: Box<InstanceArgs>,
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
        format: coverage::OutputFormat,
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

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
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

/// Several instances on one PostgreSQL.
#[derive(clap::Args, Clone)]
struct InstanceArgs {
    /// This instance's name, in logs, `/health` and the background
    /// job's lease; unique among instances on one database [default:
    /// the host's name and the process id].
    #[arg(long, env = "LAWCIRCLE_INSTANCE_ID")]
    instance_id: Option<String>,
    /// Seconds the background job's lease lasts (several instances on
    /// PostgreSQL): when its holder dies another instance runs the job
    /// within this time and a third of it [default: 15].
    #[arg(long, env = "LAWCIRCLE_LEADER_LEASE_SECS")]
    leader_lease_secs: Option<u64>,
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
            instances,
        } => {
            let InstanceArgs {
                instance_id,
                leader_lease_secs,
            } = *instances;
            let keep =
                |flag: Option<u32>, file: Option<u32>, default: Option<u32>| match flag.or(file) {
                    Some(0) => None,
                    Some(d) => Some(d),
                    None => default,
                };
            let defaults = crate::state::Retention::default();
            let data_retention = crate::state::Retention {
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
                .unwrap_or(crate::api::ratings::DEFAULT_RATING_LINK_TTL_DAYS);
            if !(1..=365).contains(&link_ttl_days) {
                return Err("rating_link_ttl_days must be between 1 and 365".into());
            }
            let public_url = messaging.public_url.clone().or(file.public_url.clone());
            let retention = punch_location_retention_days
                .or(file.punch_location_retention_days)
                .unwrap_or(180);
            let console = crate::console::ConsoleSettings::new(
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
            let instance_id = instance_id
                .or(file.instance_id.clone())
                .filter(|i| !i.trim().is_empty())
                .unwrap_or_else(crate::jobs::default_instance_id);
            if instance_id.len() > 200 || instance_id.contains(':') {
                return Err("instance_id must be at most 200 characters, without ':'".into());
            }
            let leader_lease = match leader_lease_secs.or(file.leader_lease_secs) {
                None => crate::jobs::DEFAULT_LEASE,
                Some(s) if (1..=600).contains(&s) => std::time::Duration::from_secs(s),
                Some(_) => return Err("leader_lease_secs must be between 1 and 600".into()),
            };
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
                metrics_token_hash: metrics_token.as_deref().map(crate::auth::token_hash),
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
                apns: messaging.apns(&file)?,
                instance_id,
                leader_lease,
            };
            serve::serve(storage.resolve(&file), settings).await
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
            let line = tokio::task::spawn_blocking(move || coverage::build_network(&pbf, &out))
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
            let text = coverage::coverage(&store, network, &products, format).await?;
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
            let text = coverage::siting(&store, network, &product, k, by_population).await?;
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
            let check = crate::store::check_sqlite_file(&out)
                .await
                .map_err(|e| format!("the backup {} cannot be read: {e}", out.display()))?;
            let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
            println!(
                "backed up {} to {} ({size} bytes, {} needs, integrity {check})",
                storage.describe(),
                out.display(),
                crate::store::count_rows(&out, "needs").await.unwrap_or(-1)
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
