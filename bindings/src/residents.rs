//! Resident accounts and the end-of-service rating link, as the phone sees
//! them: ask for an SMS code, register with it, sign in with a code; the
//! volunteer or lawyer holding a resolved order gets the one-time rating
//! link to show as a QR code to a requester without an account.
//!
//! Registration and code sign-in open a session like `sign_in` does (the
//! client keeps the token and the account). The client's configured
//! credentials are not changed: a shell that registered with a password
//! reopens the client with the mobile number and that password.

use lawcircle_api::orders::{IssuedRatingLink, QrMatrix as WireQrMatrix};
use lawcircle_api::residents::{
    CodeLoginRequest, CodePurpose, CodeRequest, CodeSent, RegisterRequest,
};
use lawcircle_api::session::LoginResponse;

use crate::LawCircleError;
use crate::client::{Account, LawCircleClient, decode, ms};
use crate::runtime::run;

/// What an SMS code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SmsCodePurpose {
    /// Creating a resident account with this number.
    Register,
    /// Signing in to the account of this number.
    SignIn,
}

impl From<SmsCodePurpose> for CodePurpose {
    fn from(p: SmsCodePurpose) -> Self {
        match p {
            SmsCodePurpose::Register => CodePurpose::Register,
            SmsCodePurpose::SignIn => CodePurpose::SignIn,
        }
    }
}

/// A code is on its way.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SmsCodeSent {
    /// The code is valid until then.
    pub expires_at_ms: i64,
    /// Seconds before another code may be asked for.
    pub resend_after_secs: u64,
}

/// The one-time rating link of a resolved order, for a QR code.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RatingLink {
    pub order_id: String,
    /// The public rating page: encode it in the QR code.
    pub url: String,
    pub expires_at_ms: i64,
    /// The QR code of `url`, made by the server: the screen only draws
    /// its squares (the library carries no QR encoder).
    pub qr: QrMatrix,
}

/// A QR code as its module matrix, as the server made it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrMatrix {
    /// Modules per side.
    pub size: u32,
    /// `size × size` characters, row by row from the top left: `1` dark,
    /// `0` light; no quiet zone (leave four light modules around it).
    pub modules: String,
}

impl From<CodeSent> for SmsCodeSent {
    fn from(c: CodeSent) -> Self {
        SmsCodeSent {
            expires_at_ms: ms(c.expires_at),
            resend_after_secs: c.resend_after_secs,
        }
    }
}

impl From<IssuedRatingLink> for RatingLink {
    fn from(l: IssuedRatingLink) -> Self {
        let WireQrMatrix { size, modules } = l.qr;
        RatingLink {
            order_id: l.order_id,
            url: l.url,
            expires_at_ms: ms(l.expires_at),
            qr: QrMatrix { size, modules },
        }
    }
}

fn check_phone(phone: &str) -> Result<String, LawCircleError> {
    lawcircle_core::privacy::normalize_mobile(phone)
        .map_err(|e| LawCircleError::invalid("phone", e.to_string()))
}

fn check_code(code: &str) -> Result<String, LawCircleError> {
    let code = code.trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_string())
    } else {
        Err(LawCircleError::invalid("code", "six digits"))
    }
}

#[uniffi::export]
impl LawCircleClient {
    /// Asks the server to text a 6-digit code to `phone` (valid for five
    /// minutes; one a minute per number).
    pub async fn request_sms_code(
        &self,
        phone: String,
        purpose: SmsCodePurpose,
    ) -> Result<SmsCodeSent, LawCircleError> {
        let phone = check_phone(&phone)?;
        let inner = self.inner.clone();
        run(async move {
            let sent: CodeSent = decode(
                inner
                    .post_public(
                        "/api/v1/auth/sms-codes",
                        &CodeRequest {
                            phone,
                            purpose: purpose.into(),
                        },
                    )
                    .await?,
            )?;
            Ok(sent.into())
        })
        .await
    }

    /// Creates a resident account for `phone` with the code texted to it
    /// and signs in. Without a password the account signs in by code only.
    pub async fn register(
        &self,
        phone: String,
        code: String,
        display_name: String,
        password: Option<String>,
    ) -> Result<Account, LawCircleError> {
        let phone = check_phone(&phone)?;
        let code = check_code(&code)?;
        if display_name.trim().is_empty() {
            return Err(LawCircleError::invalid("display_name", "must not be empty"));
        }
        let inner = self.inner.clone();
        run(async move {
            let session: LoginResponse = decode(
                inner
                    .post_public(
                        "/api/v1/auth/register",
                        &RegisterRequest {
                            phone,
                            code,
                            display_name: display_name.trim().to_string(),
                            password,
                        },
                    )
                    .await?,
            )?;
            inner.adopt_session(session)
        })
        .await
    }

    /// Signs in with the code texted to `phone`.
    pub async fn sign_in_with_code(
        &self,
        phone: String,
        code: String,
    ) -> Result<Account, LawCircleError> {
        let phone = check_phone(&phone)?;
        let code = check_code(&code)?;
        let inner = self.inner.clone();
        run(async move {
            let session: LoginResponse = decode(
                inner
                    .post_public("/api/v1/auth/code-login", &CodeLoginRequest { phone, code })
                    .await?,
            )?;
            inner.adopt_session(session)
        })
        .await
    }

    /// A new one-time rating link of an order the user holds and has
    /// resolved, to show as a QR code at the end of the service.
    pub async fn rating_link(&self, order_id: String) -> Result<RatingLink, LawCircleError> {
        if order_id.is_empty()
            || !order_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(LawCircleError::invalid("order_id", "is not an order id"));
        }
        let inner = self.inner.clone();
        run(async move {
            // The request has no fields: an empty object.
            let link: IssuedRatingLink = decode(
                inner
                    .post(
                        &format!("/api/v1/orders/{order_id}/rating-link"),
                        &serde_json::Map::new(),
                    )
                    .await?,
            )?;
            Ok(link.into())
        })
        .await
    }
}
