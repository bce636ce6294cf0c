//! Text messages and rating links: the SMS provider from flags, environment
//! and the configuration file.

use crate::config::FileConfig;
use clap::Args;

/// Text messages and rating links.
#[derive(Args, Clone)]
pub(super) struct MessagingArgs {
    /// The address people reach the server at; rating links are made with
    /// it [default: http:// and the bound address].
    #[arg(long, env = "LAWCIRCLE_PUBLIC_URL")]
    pub(super) public_url: Option<String>,
    /// Days a rating link (and an in-app rating request) stays open [default: 14].
    #[arg(long, env = "LAWCIRCLE_RATING_LINK_TTL_DAYS")]
    pub(super) rating_link_ttl_days: Option<u32>,
    /// The SMS provider: `aliyun` (Alibaba Cloud SMS SendSms). Without one
    /// nothing is sent: /health says so and registration by code answers 503.
    #[arg(long, env = "LAWCIRCLE_SMS_PROVIDER")]
    pub(super) sms_provider: Option<String>,
    /// The provider's endpoint [default: https://dysmsapi.aliyuncs.com/].
    #[arg(long, env = "LAWCIRCLE_SMS_ENDPOINT")]
    pub(super) sms_endpoint: Option<String>,
    /// [default: cn-hangzhou]
    #[arg(long, env = "LAWCIRCLE_SMS_REGION_ID")]
    pub(super) sms_region_id: Option<String>,
    #[arg(long, env = "LAWCIRCLE_SMS_ACCESS_KEY_ID")]
    pub(super) sms_access_key_id: Option<String>,
    /// Better given in the environment than on the command line.
    #[arg(long, env = "LAWCIRCLE_SMS_ACCESS_KEY_SECRET", hide_env_values = true)]
    pub(super) sms_access_key_secret: Option<String>,
    /// The approved signature name (签名).
    #[arg(long, env = "LAWCIRCLE_SMS_SIGN_NAME")]
    pub(super) sms_sign_name: Option<String>,
    /// The approved template of verification codes (parameter `code`).
    #[arg(long, env = "LAWCIRCLE_SMS_CODE_TEMPLATE")]
    pub(super) sms_code_template: Option<String>,
    /// The approved template of rating links (parameter `link`).
    #[arg(long, env = "LAWCIRCLE_SMS_RATING_TEMPLATE")]
    pub(super) sms_rating_template: Option<String>,
    /// The approved template of notifications to people without the app
    /// (parameters `order` and `status`) [default: none, not sent by SMS].
    #[arg(long, env = "LAWCIRCLE_SMS_NOTICE_TEMPLATE")]
    pub(super) sms_notice_template: Option<String>,
    /// The contact push services may write to about this server's pushes
    /// (VAPID `sub`: mailto: or https:) [default: mailto:push@lawcircle.invalid].
    #[arg(long, env = "LAWCIRCLE_PUSH_CONTACT")]
    pub(super) push_contact: Option<String>,
    /// Accept plain http:// push endpoints (a test push service on
    /// loopback). Never in production.
    #[arg(long, hide = true)]
    pub(super) push_allow_plain_http: bool,
    /// The APNs service: https://api.push.apple.com (apps signed for
    /// distribution) or https://api.sandbox.push.apple.com (development)
    /// [default: https://api.push.apple.com].
    #[arg(long, env = "LAWCIRCLE_APNS_URL")]
    pub(super) apns_url: Option<String>,
    /// The Apple developer team id. APNs is used when the team id, key id,
    /// key file and topic are all given; without them iPhones cannot
    /// register for push (they are notified while the app is open).
    #[arg(long, env = "LAWCIRCLE_APNS_TEAM_ID")]
    pub(super) apns_team_id: Option<String>,
    /// The id of the APNs authentication key (.p8).
    #[arg(long, env = "LAWCIRCLE_APNS_KEY_ID")]
    pub(super) apns_key_id: Option<String>,
    /// The APNs authentication key file (.p8, as Apple gives it).
    #[arg(long, env = "LAWCIRCLE_APNS_KEY_FILE")]
    pub(super) apns_key_file: Option<std::path::PathBuf>,
    /// The iOS app's bundle id (the apns-topic).
    #[arg(long, env = "LAWCIRCLE_APNS_TOPIC")]
    pub(super) apns_topic: Option<String>,
    /// A root certificate (PEM) trusted for APNs besides the system's:
    /// the test CA of a local fake. Never in production.
    #[arg(long, hide = true)]
    pub(super) apns_extra_root_cert: Option<std::path::PathBuf>,
}

impl MessagingArgs {
    /// The APNs channel from flags, environment and file: none when none
    /// of team id, key id, key file and topic is given; an error naming
    /// what is missing when only some are.
    pub(super) fn apns(
        &self,
        file: &FileConfig,
    ) -> Result<Option<crate::notifications::apns::Apns>, String> {
        use crate::notifications::apns::{Apns, ApnsConfig, PRODUCTION_URL};
        let team_id = self
            .apns_team_id
            .clone()
            .or_else(|| file.apns_team_id.clone());
        let key_id = self
            .apns_key_id
            .clone()
            .or_else(|| file.apns_key_id.clone());
        let key_file = self
            .apns_key_file
            .clone()
            .or_else(|| file.apns_key_file.clone());
        let topic = self.apns_topic.clone().or_else(|| file.apns_topic.clone());
        let given = [
            ("apns_team_id", team_id.is_some()),
            ("apns_key_id", key_id.is_some()),
            ("apns_key_file", key_file.is_some()),
            ("apns_topic", topic.is_some()),
        ];
        if given.iter().all(|(_, g)| !g) {
            return Ok(None);
        }
        let missing: Vec<&str> = given.iter().filter(|(_, g)| !g).map(|(n, _)| *n).collect();
        let (Some(team_id), Some(key_id), Some(key_file), Some(topic)) =
            (team_id, key_id, key_file, topic)
        else {
            return Err(format!(
                "APNs is partly configured: {} missing",
                missing.join(", ")
            ));
        };
        let key_pem = std::fs::read_to_string(&key_file)
            .map_err(|e| format!("cannot read the APNs key {}: {e}", key_file.display()))?;
        let extra_root_pem = match &self.apns_extra_root_cert {
            Some(path) => Some(
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            ),
            None => None,
        };
        let config = ApnsConfig {
            base_url: self
                .apns_url
                .clone()
                .or_else(|| file.apns_url.clone())
                .unwrap_or_else(|| PRODUCTION_URL.to_string()),
            team_id,
            key_id,
            key_pem,
            topic,
            extra_root_pem,
        };
        Apns::new(config)
            .map(Some)
            .map_err(|e| format!("cannot start APNs: {e}"))
    }

    /// The SMS sender from flags, environment and file.
    pub(super) fn sms(&self, file: &FileConfig) -> Result<crate::sms::Sms, String> {
        use crate::sms::{ALIYUN_ENDPOINT, AliyunConfig, AliyunSms, Sms};
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
