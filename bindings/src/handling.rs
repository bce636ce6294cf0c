//! What the volunteer or lawyer holding an order needs to do the work: the
//! order with its need (the description of the trouble, where, the
//! attachments), each read on the server audited with the purpose
//! "handling the order"; the attachments downloaded to a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::client::{LawCircleClient, decode};
use crate::orders::{OrderSummary, order_path, query_value};
use crate::runtime::run;
use crate::{LawCircleError, Point};
use lawcircle_api::needs::NeedDetail;
use lawcircle_api::punches::MyDutyHours;
use lawcircle_core::geo::coord::{Datum as CoreDatum, GeoPoint};
use lawcircle_core::needs::{NeedCategory, Urgency};

/// The purpose the server records for these reads (the need and its files
/// are someone's legal trouble).
const PURPOSE: &str = "handling the order";

/// A file attached to the need (a photo, a scanned document).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record, Deserialize)]
pub struct OrderAttachment {
    /// The file's id: the lowercase hex sha256 of its bytes.
    #[serde(rename = "sha256")]
    pub id: String,
    /// Told by the content, e.g. `image/jpeg`, `application/pdf`.
    #[serde(rename = "media_type")]
    pub content_type: String,
    /// In bytes.
    #[serde(rename = "size")]
    pub size_bytes: u64,
}

/// An order with its need, for the volunteer or lawyer holding it
/// (accepted or started). The requester's name and phone are not here:
/// [`LawCircleClient::requester_contact`] reads them, with a reason.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OrderDetail {
    pub order: OrderSummary,
    /// The need the order was made from.
    pub need_id: i64,
    pub category: NeedCategory,
    pub urgency: Urgency,
    /// The requester's own words about the trouble.
    pub description: String,
    /// Where to go, as the requester or the person who entered it wrote it.
    pub address: String,
    /// The village/community (12 digits) or street (9 digits) code.
    pub area_code: String,
    /// Its name, e.g. 江湾社区, when the server's catalogue knows it.
    pub area_name: Option<String>,
    /// The place given with the need, in WGS-84 (the GPS datum, as every
    /// point this library returns unless a query says otherwise; convert
    /// with `convert_point` for a GCJ-02 map). `None` when only the area
    /// is known.
    pub place: Option<Point>,
    pub attachments: Vec<OrderAttachment>,
}

/// The part of a need's `location` the holder needs: the point, when one
/// was given (else only the area is known).
#[derive(Deserialize)]
struct NeedLocationBody {
    #[serde(default)]
    point: Option<GeoPoint>,
}

/// A field of the contract's need detail kept as JSON there (the
/// location, the attachments), read as what the holder needs of it.
fn json_part<T: serde::de::DeserializeOwned>(
    field: &str,
    value: serde_json::Value,
) -> Result<T, LawCircleError> {
    serde_json::from_value(value).map_err(|e| LawCircleError::Server {
        status: 200,
        code: "bad_response".to_string(),
        reason: format!("the need's {field} could not be read: {e}"),
    })
}

/// A file id as the server makes them: 64 lowercase hex digits.
fn check_attachment_id(id: &str) -> Result<(), LawCircleError> {
    if id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(LawCircleError::invalid(
            "attachment_id",
            "is not an attachment id (64 lowercase hex digits)",
        ))
    }
}

/// `dest` checked: a file path whose folder exists.
fn check_dest(dest: &str) -> Result<PathBuf, LawCircleError> {
    if dest.trim().is_empty() {
        return Err(LawCircleError::invalid("dest_path", "must not be empty"));
    }
    let path = PathBuf::from(dest);
    if path.is_dir() {
        return Err(LawCircleError::invalid(
            "dest_path",
            "is a folder, not a file",
        ));
    }
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) if !parent.is_dir() => Err(LawCircleError::invalid(
            "dest_path",
            format!("its folder {} does not exist", parent.display()),
        )),
        _ => Ok(path),
    }
}

/// The temporary file a download is written to before it is renamed to
/// `dest` (same folder, so the rename is atomic).
fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

fn io_error(path: &Path, e: std::io::Error) -> LawCircleError {
    LawCircleError::invalid("dest_path", format!("{}: {e}", path.display()))
}

#[uniffi::export]
impl LawCircleClient {
    /// The order `order_id` with its need (description, category,
    /// urgency, place, attachments), for the volunteer or lawyer holding
    /// it (accepted or started). The server audits the read with the
    /// purpose "handling the order". Anyone else is refused: a dispatched
    /// order not accepted yet is a `Server` error with status 403; an
    /// order the user has nothing to do with, 404.
    pub async fn order_detail(&self, order_id: String) -> Result<OrderDetail, LawCircleError> {
        let inner = self.inner.clone();
        let path = order_path(&order_id)?;
        run(async move {
            let view: lawcircle_api::orders::OrderView = decode(inner.get(&path).await?)?;
            let need_id: i64 = view
                .order
                .need_id
                .parse()
                .map_err(|_| LawCircleError::Server {
                    status: 200,
                    code: "bad_response".to_string(),
                    reason: format!("order {order_id} names no need"),
                })?;
            let order = OrderSummary::try_from(view)?;
            let need: NeedDetail = decode(
                inner
                    .get(&format!(
                        "/api/v1/needs/{need_id}?reason={}",
                        query_value(PURPOSE)
                    ))
                    .await?,
            )?;
            let location: NeedLocationBody = json_part("location", need.location)?;
            let attachments: Vec<OrderAttachment> = json_part("attachments", need.attachments)?;
            Ok(OrderDetail {
                order,
                need_id: need.summary.id,
                category: need.summary.category,
                urgency: need.summary.urgency,
                description: need.description,
                address: need.address,
                area_code: need.summary.area_code,
                area_name: need.area_name,
                place: location.point.map(|p| p.to_datum(CoreDatum::Wgs84).into()),
                attachments,
            })
        })
        .await
    }

    /// Downloads attachment `attachment_id` of order `order_id` into the
    /// file `dest_path` (its folder must exist; an existing file is
    /// replaced), streaming: written to `<dest_path>.part` as it arrives,
    /// checked against its sha256, then renamed into place, so
    /// `dest_path` is never a partial file. Audited on the server like
    /// [`LawCircleClient::order_detail`]. Returns the size in bytes.
    pub async fn download_attachment(
        &self,
        order_id: String,
        attachment_id: String,
        dest_path: String,
    ) -> Result<u64, LawCircleError> {
        order_path(&order_id)?;
        check_attachment_id(&attachment_id)?;
        let dest = check_dest(&dest_path)?;
        let inner = self.inner.clone();
        run(async move {
            let part = partial_path(&dest);
            let outcome = async {
                let mut stream = inner
                    .download(
                        &format!(
                            "/api/v1/attachments/{attachment_id}?reason={}",
                            query_value(&format!("{PURPOSE} {order_id}"))
                        ),
                        &[],
                    )
                    .await?;
                let mut file = std::fs::File::create(&part).map_err(|e| io_error(&part, e))?;
                let mut hash = Sha256::new();
                let mut size = 0u64;
                while let Some(chunk) = stream.chunk().await? {
                    hash.update(&chunk);
                    size += chunk.len() as u64;
                    file.write_all(&chunk).map_err(|e| io_error(&part, e))?;
                }
                file.sync_all().map_err(|e| io_error(&part, e))?;
                let got = hex(&hash.finalize());
                if got != attachment_id {
                    return Err(LawCircleError::Network {
                        reason: format!(
                            "attachment {attachment_id} arrived damaged (its sha256 is {got})"
                        ),
                    });
                }
                std::fs::rename(&part, &dest).map_err(|e| io_error(&dest, e))?;
                Ok(size)
            }
            .await;
            if outcome.is_err() {
                // Nothing half-written is left behind; a missing file is fine.
                let _ = std::fs::remove_file(&part);
            }
            outcome
        })
        .await
    }
}

/// One duty session: a clock-in at a post and the clock-out after it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DutySession {
    pub post_id: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub hours: f64,
}

/// The volunteer's own duty hours and star level (星级), as the server
/// counts them from the accepted punches (a session longer than 16 h, or
/// a clock-in without its clock-out, counts nothing).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DutyHours {
    /// All time.
    pub total_hours: f64,
    /// This month (China time), as `YYYY-MM`.
    pub month: String,
    pub month_hours: f64,
    /// 0 to 5.
    pub stars: u8,
    /// Still needed for the next star; `None` at five stars.
    pub hours_to_next_star: Option<f64>,
    /// The hours each star needs, lowest first.
    pub star_thresholds_hours: Vec<f64>,
    /// The latest sessions, newest first (at most ten).
    pub recent: Vec<DutySession>,
}

impl From<MyDutyHours> for DutyHours {
    fn from(h: MyDutyHours) -> Self {
        DutyHours {
            total_hours: h.total_h,
            month: h.month,
            month_hours: h.month_h,
            stars: h.stars,
            hours_to_next_star: h.hours_to_next_star,
            star_thresholds_hours: h.star_thresholds_h,
            recent: h
                .recent
                .into_iter()
                .map(|d| DutySession {
                    post_id: d.post_id,
                    start_ms: d.start.timestamp_millis(),
                    end_ms: d.end.timestamp_millis(),
                    hours: d.hours,
                })
                .collect(),
        }
    }
}

#[uniffi::export]
impl LawCircleClient {
    /// The signed-in volunteer's duty hours (total, this month), star level
    /// and the hours to the next star, with their latest sessions.
    /// Accounts that do not clock in are refused (`Server`, 403).
    pub async fn my_duty_hours(&self) -> Result<DutyHours, LawCircleError> {
        let inner = self.inner.clone();
        run(async move {
            let hours: MyDutyHours = decode(inner.get("/api/v1/duty-hours/mine").await?)?;
            Ok(DutyHours::from(hours))
        })
        .await
    }
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_ids_and_destinations_are_checked() {
        assert!(check_attachment_id(&"a".repeat(64)).is_ok());
        for bad in ["", "../etc/passwd", &"A".repeat(64), &"a".repeat(63)] {
            assert!(matches!(
                check_attachment_id(bad),
                Err(LawCircleError::InvalidInput { ref field, .. }) if field == "attachment_id"
            ));
        }
        let dir = tempfile::tempdir().unwrap();
        assert!(check_dest(dir.path().to_str().unwrap()).is_err());
        assert!(check_dest(dir.path().join("no/such/x.jpg").to_str().unwrap()).is_err());
        let ok = dir.path().join("x.jpg");
        assert_eq!(check_dest(ok.to_str().unwrap()).unwrap(), ok);
        assert_eq!(partial_path(&ok), dir.path().join("x.jpg.part"));
    }
}
