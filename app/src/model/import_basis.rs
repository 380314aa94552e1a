//! The import wizard's question, per channel: on what ground may the organization write to
//! the people of the file? The answer rewrites the mapping the import runs with.

use super::{Channel, DeclaredBasis, ImportMapping, LawfulBasis};

/// The channels an import can declare a ground for (push consent comes from the device).
pub const DECLARABLE: [Channel; 2] = [Channel::Email, Channel::Sms];

/// One answer of the wizard's question for a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BasisAnswer {
    /// The consent column of the mapping says who consented.
    Column,
    /// No ground: the rows come in with no consent.
    Nothing,
    /// Every row with an address for the channel rests on this basis.
    Declared(LawfulBasis),
}

impl BasisAnswer {
    pub const ALL: [BasisAnswer; 5] = [
        BasisAnswer::Column,
        BasisAnswer::Nothing,
        BasisAnswer::Declared(LawfulBasis::Consent),
        BasisAnswer::Declared(LawfulBasis::Contract),
        BasisAnswer::Declared(LawfulBasis::LegitimateInterest),
    ];

    /// The form value.
    pub fn as_str(self) -> &'static str {
        match self {
            BasisAnswer::Column => "column",
            BasisAnswer::Nothing => "none",
            BasisAnswer::Declared(b) => b.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        BasisAnswer::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl ImportMapping {
    /// Applies the answer for `channel`: keeps the consent column (with `wording`, if
    /// any), drops it, or replaces it with a declared basis. Errors say what to change.
    pub fn declare(
        &mut self,
        channel: Channel,
        answer: BasisAnswer,
        wording: &str,
    ) -> Result<(), String> {
        let wording = wording.trim();
        self.lawful_bases.remove(&channel);
        self.consent_wording.remove(&channel);
        match answer {
            BasisAnswer::Column => {
                if !self.consents.contains_key(&channel) {
                    return Err(format!(
                        "the mapping has no {} consent column: choose one, or another answer",
                        channel.as_str()
                    ));
                }
                if !wording.is_empty() {
                    self.consent_wording.insert(channel, wording.to_owned());
                }
            }
            BasisAnswer::Nothing => {
                self.consents.remove(&channel);
            }
            BasisAnswer::Declared(lawful_basis) => {
                self.consents.remove(&channel);
                self.lawful_bases.insert(
                    channel,
                    DeclaredBasis {
                        lawful_basis,
                        wording: wording.to_owned(),
                    },
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_answer_rewrites_the_mapping() {
        let with_column = ImportMapping {
            email: Some("Email".into()),
            consents: [(Channel::Email, "Opt-in".into())].into(),
            ..Default::default()
        };
        let mut m = with_column.clone();
        m.declare(Channel::Email, BasisAnswer::Column, " Yes to news ")
            .unwrap();
        assert_eq!(m.consents.len(), 1);
        assert_eq!(m.consent_wording[&Channel::Email], "Yes to news");

        m.declare(
            Channel::Email,
            BasisAnswer::Declared(LawfulBasis::Contract),
            "Terms v3",
        )
        .unwrap();
        assert!(m.consents.is_empty() && m.consent_wording.is_empty());
        assert_eq!(
            m.lawful_bases[&Channel::Email],
            DeclaredBasis {
                lawful_basis: LawfulBasis::Contract,
                wording: "Terms v3".into()
            }
        );

        let mut m = with_column.clone();
        m.declare(Channel::Email, BasisAnswer::Nothing, "").unwrap();
        assert!(m.consents.is_empty() && m.lawful_bases.is_empty());

        let err = m
            .declare(Channel::Sms, BasisAnswer::Column, "")
            .unwrap_err();
        assert!(err.contains("no sms consent column"), "{err}");
        assert_eq!(
            BasisAnswer::parse("legitimate_interest"),
            Some(BasisAnswer::Declared(LawfulBasis::LegitimateInterest))
        );
        assert_eq!(BasisAnswer::parse("maybe"), None);
    }
}
