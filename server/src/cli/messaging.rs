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
}

impl MessagingArgs {
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
