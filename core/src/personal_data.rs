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
}
