//! The demo accounts of every role, with passwords made at start-up and
//! printed once.

use super::activity::{Activity, first_day, local_time};
use super::{CREDENTIALS_FOOTER, CREDENTIALS_HEADER, STREET};
use crate::api::accounts::CreateAccountRequest;
use crate::auth::{AuthError, hash_password};
use crate::state::{AppState, Clock};
use crate::store::StoreError;
use crate::usecases::accounts::create_account;
use lawcircle_core::authz::Role;

/// One demo account, as made or reset by [`seed_people`].
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: Role,
    pub username: &'static str,
    pub display_name: &'static str,
    pub street_code: Option<&'static str>,
    pub phone: &'static str,
    /// Made at this start with the system's CSPRNG; never stored in clear.
    pub password: String,
}

/// The demo accounts in the order they are printed.
const ACCOUNTS: [(Role, &str, &str, Option<&str>, &str); 6] = [
    (
        Role::DistrictAdmin,
        "demo-admin",
        "区司法局管理员（示例）",
        None,
        "13800000001",
    ),
    (
        Role::StationStaff,
        "demo-staff",
        "蒲州街道工作站（示例）",
        Some(STREET),
        "13800000002",
    ),
    (
        Role::Volunteer,
        "demo-volunteer",
        "志愿者王芳（示例）",
        Some(STREET),
        "13800000003",
    ),
    (
        Role::Volunteer,
        "demo-volunteer2",
        "志愿者陈亮（示例）",
        Some(STREET),
        "13800000004",
    ),
    (
        Role::Lawyer,
        "demo-lawyer",
        "驻站律师周敏（示例）",
        Some(STREET),
        "13800000005",
    ),
    (
        Role::Resident,
        "demo-resident",
        "居民林晓（示例）",
        Some(STREET),
        "13800000006",
    ),
];

/// What [`seed_people`] did.
#[derive(Debug, Clone)]
pub struct DemoPeople {
    pub accounts: Vec<DemoAccount>,
    /// Accounts made at this start.
    pub created: usize,
    /// Accounts that existed (an earlier `serve --demo` on this data) and
    /// got new passwords.
    pub reset: usize,
    /// Needs filed at this start; 0 when the activity was there already.
    pub needs_filed: usize,
    /// Why the activity stopped before its end, if it did.
    pub activity_error: Option<String>,
}

impl DemoPeople {
    /// The block `serve --demo` prints on standard output (never to the
    /// log): a header, one line per account — role, username, password,
    /// name, separated by spaces — and a footer. Tests parse it; people
    /// read it.
    pub fn credentials_block(&self, console_url: &str) -> String {
        let mut out = String::new();
        out.push_str(CREDENTIALS_HEADER);
        out.push('\n');
        out.push_str(&format!(
            "{:<16}{:<18}{:<26}{}\n",
            "role", "username", "password", "name"
        ));
        for a in &self.accounts {
            out.push_str(&format!(
                "{:<16}{:<18}{:<26}{}\n",
                a.role.as_str(),
                a.username,
                a.password,
                a.display_name
            ));
        }
        if let Some(e) = &self.activity_error {
            out.push_str(&format!(
                "The demo activity stopped before its end (the accounts work): {e}\n"
            ));
        }
        if self.reset > 0 {
            out.push_str(
                "These accounts were made by an earlier --demo on this data: \
                 their passwords are new, their activity is kept as it was.\n",
            );
        }
        out.push_str(&format!(
            "Console: {console_url} (sign in as demo-admin or demo-staff). \
             The other roles use the API or the phone apps.\n"
        ));
        out.push_str(CREDENTIALS_FOOTER);
        out.push('\n');
        out
    }
}

/// Why the demo people or their activity could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DemoPeopleError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthError),
    #[error(
        "the account {username:?} exists but is not the demo's {role} account; \
         rename it or use another data folder"
    )]
    NotDemo { username: String, role: String },
    #[error("cannot create the demo account {username:?}: {message}")]
    Account { username: String, message: String },
    #[error("demo activity, {step}: the server answered {status}: {body}")]
    Step {
        step: String,
        status: u16,
        body: String,
    },
}

/// A password from the system's CSPRNG: 4 groups of 5 characters from an
/// alphabet of 53 without look-alikes (0/O, 1/l/I), about 114 bits.
pub fn demo_password() -> Result<String, DemoPeopleError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPRSTUVWXYZ23456789";
    let n = ALPHABET.len();
    // Rejection sampling: only bytes below the largest multiple of n.
    let limit = 256 - 256 % n;
    let mut out = String::new();
    let mut chosen = 0;
    while chosen < 20 {
        let mut buf = [0u8; 32];
        getrandom::fill(&mut buf).map_err(|e| AuthError::Random(e.to_string()))?;
        for b in buf {
            if (b as usize) < limit && chosen < 20 {
                if chosen > 0 && chosen % 5 == 0 {
                    out.push('-');
                }
                out.push(ALPHABET[b as usize % n] as char);
                chosen += 1;
            }
        }
    }
    Ok(out)
}

/// Makes the demo accounts (or gives the existing ones new passwords) and,
/// on a data set without them yet, a few days of illustrative activity —
/// all through the server's own API (the router, in process), so the demo
/// follows the rules as they change. Call after [`load`](super::load) and the
/// application types are stored, before the server listens.
pub async fn seed_people(base: &AppState) -> Result<DemoPeople, DemoPeopleError> {
    // The accounts are made at 08:00 of the first demo day, before their
    // activity (on the seeding's own clock; the server's is untouched).
    // The server's clock: the system's, or a test clock moved on.
    let real_now = base.clock.now();
    let start = first_day(real_now);
    let mut seeding = base.clone();
    seeding.clock = Clock::adjustable();
    seeding
        .clock
        .advance(local_time(start, 0, 8, 0) - seeding.clock.now());
    let base = &seeding;
    let mut accounts = Vec::new();
    let (mut created, mut reset) = (0, 0);
    for (role, username, display_name, street_code, phone) in ACCOUNTS {
        let password = demo_password()?;
        match base.store.account_for_login(username).await? {
            Some((existing, _)) => {
                if existing.role != role || !existing.display_name.contains("示例") {
                    return Err(DemoPeopleError::NotDemo {
                        username: username.to_string(),
                        role: role.as_str().to_string(),
                    });
                }
                let hash = hash_password(&password)?;
                base.store.set_password_hash(existing.id, &hash).await?;
                // Sessions opened with the old password end too.
                base.store.revoke_all_tokens(existing.id, real_now).await?;
                base.store.clear_login_throttle(username).await?;
                reset += 1;
            }
            None => {
                create_account(
                    base,
                    None,
                    CreateAccountRequest {
                        username: username.to_string(),
                        display_name: display_name.to_string(),
                        role,
                        street_code: street_code.map(str::to_string),
                        phone: Some(phone.to_string()),
                        id_number: None,
                        password: password.clone(),
                    },
                )
                .await
                .map_err(|e| DemoPeopleError::Account {
                    username: username.to_string(),
                    message: e.to_string(),
                })?;
                created += 1;
            }
        }
        accounts.push(DemoAccount {
            role,
            username,
            display_name,
            street_code,
            phone,
            password,
        });
    }
    // The accounts are what a visitor needs most: when the activity
    // cannot be made (a rule changed under it), the server still starts
    // and says where the story stopped.
    let (needs_filed, activity_error) = match Activity::run(base, &accounts, start, real_now).await
    {
        Ok(n) => (n, None),
        Err(e) => (0, Some(e.to_string())),
    };
    Ok(DemoPeople {
        accounts,
        created,
        reset,
        needs_filed,
        activity_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo seeded on each day of a week, at 00:01 in China (the day
    /// just turned, when the demo's days end nearest to today): the same
    /// warnings every day, and the open ones went up a level by the job,
    /// as the story says (no punch flagged for a shift that day lacks).
    #[tokio::test]
    async fn the_demo_tells_the_same_story_on_every_day_of_the_week() {
        let dir = tempfile::tempdir().unwrap();
        let mut stories = Vec::new();
        for day in 0..7 {
            let store = crate::store::Store::open_sqlite(&dir.path().join(format!("{day}.sqlite")))
                .await
                .unwrap();
            crate::demo::load(&store).await.unwrap();
            let mut state = AppState::new(
                store.clone(),
                lawcircle_core::compensation::ParamTable::new(),
            );
            state.clock = Clock::adjustable();
            // Monday 2026-12-07 00:01 in China, then the days after.
            let now = chrono::DateTime::parse_from_rfc3339("2026-12-06T16:01:00Z").unwrap()
                + chrono::Duration::days(day);
            state
                .clock
                .advance(now.with_timezone(&chrono::Utc) - state.clock.now());
            crate::applications::ApplicationTypes::seed(&store, state.clock.now())
                .await
                .unwrap();
            let people = seed_people(&state).await.unwrap();
            assert_eq!(people.activity_error, None, "{now}");
            let mut story: Vec<(String, String, String)> = store
                .warnings(None)
                .await
                .unwrap()
                .into_iter()
                .map(|(_, _, w)| {
                    let state = serde_json::to_value(w.state).unwrap();
                    let level = serde_json::to_value(w.level).unwrap();
                    (w.rule_id, state.to_string(), level.to_string())
                })
                .collect();
            story.sort();
            assert!(
                story.iter().any(|(_, state, _)| state == "\"open\""),
                "{now}: {story:?}"
            );
            assert!(
                !story.iter().any(|(rule, _, _)| rule == "clock_in_anomaly"),
                "{now}: {story:?}"
            );
            stories.push((now, story));
        }
        for (now, story) in &stories[1..] {
            assert_eq!(story, &stories[0].1, "{now} against {}", stories[0].0);
        }
    }

    #[test]
    fn passwords_are_long_unambiguous_and_different() {
        let a = demo_password().unwrap();
        let b = demo_password().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 23, "{a}");
        assert_eq!(a.split('-').count(), 4);
        assert!(
            a.chars()
                .all(|c| c == '-' || (c.is_ascii_alphanumeric() && !"0O1lI".contains(c))),
            "{a}"
        );
        assert!(a.chars().count() >= crate::auth::MIN_PASSWORD_CHARS);
    }

    #[test]
    fn the_credentials_block_has_one_line_per_account_between_its_markers() {
        let people = DemoPeople {
            accounts: ACCOUNTS
                .iter()
                .map(
                    |(role, username, display_name, street_code, phone)| DemoAccount {
                        role: *role,
                        username,
                        display_name,
                        street_code: *street_code,
                        phone,
                        password: format!("pw-{username}"),
                    },
                )
                .collect(),
            created: 6,
            reset: 0,
            needs_filed: 10,
            activity_error: None,
        };
        let block = people.credentials_block("http://127.0.0.1:8080/console/");
        let lines: Vec<&str> = block.lines().collect();
        assert_eq!(lines[0], CREDENTIALS_HEADER);
        assert_eq!(*lines.last().unwrap(), CREDENTIALS_FOOTER);
        let rows: Vec<Vec<&str>> = lines
            .iter()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .filter(|c| c.len() == 4 && c[1].starts_with("demo-"))
            .collect();
        assert_eq!(rows.len(), 6);
        assert_eq!(
            rows[0],
            [
                "district_admin",
                "demo-admin",
                "pw-demo-admin",
                "区司法局管理员（示例）"
            ]
        );
        assert!(block.contains("http://127.0.0.1:8080/console/"));
    }
}
