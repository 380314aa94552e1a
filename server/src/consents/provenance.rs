//! Where a consent change comes from: source, basis, wording, author, and the client's
//! address and browser (personal data, so encrypted under the organization).

use crate::{
    crypto::{Cipher, Field},
    db::entities::consent_record,
    error::ServiceResult,
};
use anyhow::Context;
use app::model::LawfulBasis;
use uuid::Uuid;

pub(crate) const IP: Field<'static> = Field {
    table: "consent_records",
    column: "ip",
};
pub(crate) const USER_AGENT: Field<'static> = Field {
    table: "consent_records",
    column: "user_agent",
};

/// Where a change comes from, the same for every change of one call.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// `api`, `import`, `unsubscribe`, `bounce`, `complaint`, `stop`, `push_optin`, ...
    pub source: String,
    /// What the current state shows as its source, when not `source` (`import:<id>`).
    pub state_source: Option<String>,
    /// What the source names: an import or campaign id, a form's URL.
    pub source_ref: Option<String>,
    pub basis: LawfulBasis,
    /// The exact text the person saw, when there was one.
    pub wording: Option<String>,
    pub actor_id: Option<Uuid>,
    /// Encrypted (they are personal data), bound to the organization.
    pub ip_ciphertext: Option<String>,
    pub user_agent_ciphertext: Option<String>,
    /// Double opt-in: when the person confirmed, and from which address (encrypted).
    pub confirmed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub confirmed_ip_ciphertext: Option<String>,
}

impl Provenance {
    pub fn new(source: impl Into<String>) -> Self {
        Provenance {
            source: source.into(),
            ..Default::default()
        }
    }

    pub fn with_ref(mut self, source_ref: impl Into<String>) -> Self {
        self.source_ref = Some(source_ref.into());
        self
    }

    /// The source the current state shows.
    pub fn current_source(&self) -> &str {
        self.state_source.as_deref().unwrap_or(&self.source)
    }

    /// An import's changes: the ledger names the import and each row's line.
    pub fn import(import_id: Uuid) -> Self {
        Provenance {
            state_source: Some(format!("import:{import_id}")),
            ..Provenance::new("import").with_ref(import_id.to_string())
        }
    }

    pub fn by(mut self, actor_id: Uuid) -> Self {
        self.actor_id = Some(actor_id);
        self
    }

    /// The client's IP and user agent (clipped to 512 bytes), encrypted.
    pub fn from_client(
        mut self,
        cipher: &Cipher,
        organization_id: Uuid,
        ip: Option<&str>,
        user_agent: Option<&str>,
    ) -> ServiceResult<Self> {
        let row = organization_id.to_string();
        let seal = |field, value: &str| cipher.encrypt(field, &row, value);
        self.ip_ciphertext = ip
            .map(|ip| seal(IP, ip))
            .transpose()
            .context("Failed to encrypt a consent's IP")?;
        self.user_agent_ciphertext = user_agent
            .map(|ua| seal(USER_AGENT, clip(ua, 512)))
            .transpose()
            .context("Failed to encrypt a consent's user agent")?;
        Ok(self)
    }
}

impl Provenance {
    /// A double opt-in's confirmation: its time and the confirming client's IP.
    pub fn confirmed(
        mut self,
        cipher: &Cipher,
        organization_id: Uuid,
        at: chrono::DateTime<chrono::Utc>,
        ip: Option<&str>,
    ) -> ServiceResult<Self> {
        self.confirmed_at = Some(at);
        self.confirmed_ip_ciphertext = ip
            .map(|ip| cipher.encrypt(IP, &organization_id.to_string(), ip))
            .transpose()
            .context("Failed to encrypt a confirmation's IP")?;
        Ok(self)
    }
}

/// Decrypts what `from_client` sealed; `None` for what cannot be read.
pub fn open_client(cipher: &Cipher, organization_id: Uuid, r: &consent_record::Model) -> Client {
    let row = organization_id.to_string();
    let open = |field, v: &Option<String>| {
        v.as_deref()
            .and_then(|v| cipher.decrypt(field, &row, v).ok())
    };
    Client {
        ip: open(IP, &r.ip_ciphertext),
        user_agent: open(USER_AGENT, &r.user_agent_ciphertext),
        confirmed_ip: open(IP, &r.confirmed_ip_ciphertext),
    }
}

pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub confirmed_ip: Option<String>,
}

fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_whole_characters() {
        assert_eq!(clip("héllo", 2), "h");
        assert_eq!(clip("héllo", 3), "hé");
        assert_eq!(clip("abc", 10), "abc");
    }
}
