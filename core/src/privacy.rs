//! Personal data (个人信息) shown only to those who need it: the masked
//! forms lists use.

/// Masks a phone number, keeping the first 3 and last 4 digits:
/// `13812341234` → `138****1234`. Non-digits are kept as they are.
pub fn mask_phone(phone: &str) -> String {
    mask_digits(phone, 3, 4)
}

/// Masks a resident ID number (身份证号), keeping the first 3 and the last
/// 4 characters: `330303199001011234` → `330***********1234`.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let n = chars.len();
    if n <= 7 {
        return "*".repeat(n);
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 3 || i >= n - 4 { *c } else { '*' })
        .collect()
}

/// Masks a name, keeping the family name: `张三丰` → `张**`.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// Why a phone or ID number is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonalDataError {
    #[error("{0:?} is not a mainland mobile number: 11 digits starting 13–19")]
    BadMobile(String),
    #[error("{0:?} is not an 18-character resident ID number")]
    BadIdFormat(String),
    #[error("the birth date in resident ID number {0:?} is not a real date")]
    BadIdBirthDate(String),
    #[error("the check digit of resident ID number {0:?} is wrong (GB 11643)")]
    BadIdCheckDigit(String),
}

/// Checks a mainland China mobile number (11 digits, `1[3-9]…`); spaces,
/// dashes and a leading `+86` are tolerated and removed.
pub fn normalize_mobile(input: &str) -> Result<String, PersonalDataError> {
    let digits: String = input
        .trim()
        .trim_start_matches("+86")
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    let ok = digits.len() == 11
        && digits.chars().all(|c| c.is_ascii_digit())
        && digits.starts_with('1')
        && matches!(digits.as_bytes()[1], b'3'..=b'9');
    if ok {
        Ok(digits)
    } else {
        Err(PersonalDataError::BadMobile(input.to_string()))
    }
}

/// Checks an 18-character resident ID number (居民身份证号码, GB 11643-1999):
/// 17 digits, a real birth date in positions 7–14, and the ISO 7064
/// MOD 11-2 check character (`0`–`9` or `X`).
pub fn validate_id_number(input: &str) -> Result<String, PersonalDataError> {
    let id = input.trim().to_ascii_uppercase();
    let bytes = id.as_bytes();
    if bytes.len() != 18
        || !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
    {
        return Err(PersonalDataError::BadIdFormat(input.to_string()));
    }
    if chrono::NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").is_err() {
        return Err(PersonalDataError::BadIdBirthDate(input.to_string()));
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    if CHECK[(sum % 11) as usize] != bytes[17] {
        return Err(PersonalDataError::BadIdCheckDigit(input.to_string()));
    }
    Ok(id)
}

/// The fewest Chinese (Han) characters an audit reason may have: four
/// characters are about two words (`电话回访`, `核实身份`), the least that
/// says what the read is for.
pub const AUDIT_REASON_MIN_HAN: usize = 4;
/// The fewest words an audit reason in other scripts may have, and the
/// fewest characters (spaces not counted) they must add up to: `call back
/// requester`, not `ok` or `x y`.
pub const AUDIT_REASON_MIN_WORDS: usize = 2;
pub const AUDIT_REASON_MIN_CHARS: usize = 10;
/// The most characters an audit reason may have.
pub const AUDIT_REASON_MAX_CHARS: usize = 500;

/// Why an audit reason was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditReasonError {
    #[error(
        "say why the personal data is needed in a few words: at least 4 Chinese characters, or at least 2 words and 10 letters (e.g. \"电话回访当事人\", \"call back the requester\")"
    )]
    TooShort,
    #[error("an audit reason has at most 500 characters")]
    TooLong,
}

fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// Checks the reason given for reading or handling personal data (written
/// to the audit log), trimmed: at least [`AUDIT_REASON_MIN_HAN`] Chinese
/// characters, or at least [`AUDIT_REASON_MIN_WORDS`] words of
/// [`AUDIT_REASON_MIN_CHARS`] characters in all; at least 3 different
/// characters (no `aaaa aaaaaa`); at most [`AUDIT_REASON_MAX_CHARS`].
/// One rule wherever the platform asks a reason for the audit log.
pub fn check_audit_reason(raw: &str) -> Result<&str, AuditReasonError> {
    let reason = raw.trim();
    if reason.chars().count() > AUDIT_REASON_MAX_CHARS {
        return Err(AuditReasonError::TooLong);
    }
    let distinct: std::collections::BTreeSet<char> =
        reason.chars().filter(|c| !c.is_whitespace()).collect();
    let han = reason.chars().filter(|c| is_han(*c)).count();
    let words = reason
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count();
    let chars = reason.chars().filter(|c| !c.is_whitespace()).count();
    let enough = han >= AUDIT_REASON_MIN_HAN
        || (words >= AUDIT_REASON_MIN_WORDS && chars >= AUDIT_REASON_MIN_CHARS);
    if enough && distinct.len() >= 3 {
        Ok(reason)
    } else {
        Err(AuditReasonError::TooShort)
    }
}

fn mask_digits(s: &str, keep_head: usize, keep_tail: usize) -> String {
    let total = s.chars().filter(char::is_ascii_digit).count();
    if total <= keep_head + keep_tail {
        return s
            .chars()
            .map(|c| if c.is_ascii_digit() { '*' } else { c })
            .collect();
    }
    let mut seen = 0;
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen <= keep_head || seen > total - keep_tail {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers() {
        assert_eq!(normalize_mobile("138 1234 1234").unwrap(), "13812341234");
        assert_eq!(normalize_mobile("+86-13812341234").unwrap(), "13812341234");
        for bad in [
            "12812341234",
            "1381234123",
            "138123412345",
            "0577-8666666",
            "1381234123a",
        ] {
            assert!(normalize_mobile(bad).is_err(), "{bad}");
        }
    }

    /// 11010519491231002X is the specimen number printed in GB 11643-1999
    /// itself (Beijing Chaoyang, born 1949-12-31).
    #[test]
    fn id_numbers_follow_gb_11643() {
        assert_eq!(
            validate_id_number("11010519491231002x").unwrap(),
            "11010519491231002X"
        );
        assert_eq!(
            validate_id_number("110105194912310021"),
            Err(PersonalDataError::BadIdCheckDigit(
                "110105194912310021".into()
            ))
        );
        assert!(matches!(
            validate_id_number("110105194913310028"),
            Err(PersonalDataError::BadIdBirthDate(_))
        ));
        assert!(matches!(
            validate_id_number("1101051949123100"),
            Err(PersonalDataError::BadIdFormat(_))
        ));
    }

    #[test]
    fn masks_as_lists_show_them() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("+86 138 1234 1234"), "+86 1** **** 1234");
        assert_eq!(mask_phone("0577-86666666"), "057*-****6666");
        assert_eq!(mask_phone("12348"), "*****");
        assert_eq!(mask_id_number("330303199001011234"), "330***********1234");
        assert_eq!(mask_id_number("33030319900101123X"), "330***********123X");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn audit_reasons_need_a_few_words() {
        for good in [
            "电话回访",
            "  核实当事人身份  ",
            "call back the requester",
            "verify identity",
            "回访 the requester",
        ] {
            assert!(check_audit_reason(good).is_ok(), "{good}");
        }
        assert_eq!(check_audit_reason("  电话回访 "), Ok("电话回访"));
        for bad in [
            "",
            "ok",
            "回访",
            "回访一",
            "x y",
            "checking",
            "call back",
            "aaaa aaaaaa",
            "哈哈哈哈",
            "1 2",
        ] {
            assert_eq!(
                check_audit_reason(bad),
                Err(AuditReasonError::TooShort),
                "{bad}"
            );
        }
        assert_eq!(
            check_audit_reason(&"回访".repeat(251)),
            Err(AuditReasonError::TooLong)
        );
    }
}
