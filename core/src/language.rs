//! The language a user reads the platform's words in: Chinese first,
//! English on request. One type for every rendering the core does
//! (Open311 names and notes, the compensation calculators' explanations).

use serde::{Deserialize, Serialize};

/// Chinese unless English is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Zh,
    En,
}

impl Language {
    /// `en`, `en-US`, `en_GB`… → English; anything else → Chinese.
    pub fn from_tag(tag: &str) -> Language {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Language::En
        } else {
            Language::Zh
        }
    }

    /// The one of two renderings that is in this language.
    pub fn choose<T>(self, zh: T, en: T) -> T {
        match self {
            Language::Zh => zh,
            Language::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_choice() {
        assert_eq!(Language::from_tag("en-GB"), Language::En);
        assert_eq!(Language::from_tag(" EN "), Language::En);
        assert_eq!(Language::from_tag("zh-Hans"), Language::Zh);
        assert_eq!(Language::from_tag(""), Language::Zh);
        assert_eq!(Language::En.choose("中", "en"), "en");
        assert_eq!(Language::Zh.choose("中", "en"), "中");
    }
}
