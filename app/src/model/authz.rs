//! The role × action matrix, and API-token abilities on top of it.
//! Effective permission = what the role allows ∩ what the token's abilities allow.

use super::Role;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use uuid::Uuid;

/// Who is doing something, in which organization, and how they proved it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: Uuid,
    pub organization_id: Uuid,
    pub role: Role,
    pub via: Via,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Via {
    Session,
    Token {
        token_id: Uuid,
        abilities: Vec<Ability>,
    },
}

/// Everything a member can attempt. Services name the action they perform and
/// call [`authorize`] once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    CampaignsRead,
    CampaignsWrite,
    CampaignsSchedule,
    CampaignsCancel,
    ContactsRead,
    ContactsWrite,
    ListsRead,
    ListsWrite,
    MembersRead,
    MembersManage,
    SettingsRead,
    SettingsManage,
    /// See the channel providers and their (non-secret) settings.
    ChannelsRead,
    /// Configure and test the channel providers.
    ChannelsManage,
    /// List, create and revoke one's own API tokens.
    TokensManageOwn,
    /// See and revoke the tokens of other members.
    TokensManageAll,
    /// See the suppression list.
    SuppressionsRead,
    /// Add and remove suppressed addresses.
    SuppressionsManage,
    /// Read the audit log.
    AuditRead,
}

impl Action {
    pub const ALL: [Action; 19] = [
        Action::CampaignsRead,
        Action::CampaignsWrite,
        Action::CampaignsSchedule,
        Action::CampaignsCancel,
        Action::ContactsRead,
        Action::ContactsWrite,
        Action::ListsRead,
        Action::ListsWrite,
        Action::MembersRead,
        Action::MembersManage,
        Action::SettingsRead,
        Action::SettingsManage,
        Action::ChannelsRead,
        Action::ChannelsManage,
        Action::TokensManageOwn,
        Action::TokensManageAll,
        Action::SuppressionsRead,
        Action::SuppressionsManage,
        Action::AuditRead,
    ];

    /// The least role that may perform this action.
    pub fn minimum_role(self) -> Role {
        use Action::*;
        match self {
            CampaignsRead | ContactsRead | ListsRead | MembersRead | SettingsRead
            | TokensManageOwn => Role::Reader,
            CampaignsWrite | CampaignsSchedule | CampaignsCancel | ContactsWrite | ListsWrite => {
                Role::Contributor
            }
            MembersManage | SettingsManage | ChannelsRead | ChannelsManage | TokensManageAll
            | SuppressionsRead | SuppressionsManage | AuditRead => Role::Admin,
        }
    }

    /// The ability an API token needs for this action.
    pub fn required_ability(self) -> Ability {
        use Action::*;
        match self {
            CampaignsRead => Ability::CampaignsRead,
            CampaignsWrite | CampaignsSchedule | CampaignsCancel => Ability::CampaignsWrite,
            ContactsRead | SuppressionsRead => Ability::ContactsRead,
            ContactsWrite | SuppressionsManage => Ability::ContactsWrite,
            ListsRead => Ability::ListsRead,
            ListsWrite => Ability::ListsWrite,
            MembersRead => Ability::MembersRead,
            MembersManage => Ability::MembersWrite,
            SettingsRead | AuditRead => Ability::SettingsRead,
            SettingsManage => Ability::SettingsWrite,
            ChannelsRead => Ability::ChannelsRead,
            ChannelsManage => Ability::ChannelsWrite,
            TokensManageOwn | TokensManageAll => Ability::TokensWrite,
        }
    }
}

/// What an API token may be used for. `x:write` includes `x:read`; `*` is everything
/// the owner's role allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Ability {
    All,
    CampaignsRead,
    CampaignsWrite,
    ContactsRead,
    ContactsWrite,
    ListsRead,
    ListsWrite,
    MembersRead,
    MembersWrite,
    SettingsRead,
    SettingsWrite,
    ChannelsRead,
    ChannelsWrite,
    TokensRead,
    TokensWrite,
}

impl Ability {
    pub const ALL: [Ability; 15] = [
        Ability::All,
        Ability::CampaignsRead,
        Ability::CampaignsWrite,
        Ability::ContactsRead,
        Ability::ContactsWrite,
        Ability::ListsRead,
        Ability::ListsWrite,
        Ability::MembersRead,
        Ability::MembersWrite,
        Ability::SettingsRead,
        Ability::SettingsWrite,
        Ability::ChannelsRead,
        Ability::ChannelsWrite,
        Ability::TokensRead,
        Ability::TokensWrite,
    ];

    pub fn as_str(self) -> &'static str {
        use Ability::*;
        match self {
            All => "*",
            CampaignsRead => "campaigns:read",
            CampaignsWrite => "campaigns:write",
            ContactsRead => "contacts:read",
            ContactsWrite => "contacts:write",
            ListsRead => "lists:read",
            ListsWrite => "lists:write",
            MembersRead => "members:read",
            MembersWrite => "members:write",
            SettingsRead => "settings:read",
            SettingsWrite => "settings:write",
            ChannelsRead => "channels:read",
            ChannelsWrite => "channels:write",
            TokensRead => "tokens:read",
            TokensWrite => "tokens:write",
        }
    }

    /// Whether holding `self` grants `wanted`.
    pub fn grants(self, wanted: Ability) -> bool {
        use Ability::*;
        self == All
            || self == wanted
            || matches!(
                (self, wanted),
                (CampaignsWrite, CampaignsRead)
                    | (ContactsWrite, ContactsRead)
                    | (ListsWrite, ListsRead)
                    | (MembersWrite, MembersRead)
                    | (SettingsWrite, SettingsRead)
                    | (ChannelsWrite, ChannelsRead)
                    | (TokensWrite, TokensRead)
            )
    }
}

impl fmt::Display for Ability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Ability> for String {
    fn from(a: Ability) -> String {
        a.as_str().to_owned()
    }
}

impl FromStr for Ability {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ability::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown ability `{s}`"))
    }
}

impl TryFrom<String> for Ability {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// The one authorization check. Returns whether `actor` may perform `action`
/// in its own organization.
pub fn authorize(actor: &Actor, action: Action) -> bool {
    if actor.role < action.minimum_role() {
        return false;
    }
    match &actor.via {
        Via::Session => true,
        Via::Token { abilities, .. } => {
            let wanted = action.required_ability();
            abilities.iter().any(|held| held.grants(wanted))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, via: Via) -> Actor {
        Actor {
            user_id: Uuid::nil(),
            organization_id: Uuid::nil(),
            role,
            via,
        }
    }

    /// The whole matrix, written out by hand so that a change to the rules shows up here.
    #[test]
    fn role_matrix_for_sessions() {
        use Action::*;
        let expected: [(Action, [bool; 3]); 19] = [
            //                 reader contributor admin
            (CampaignsRead, [true, true, true]),
            (CampaignsWrite, [false, true, true]),
            (CampaignsSchedule, [false, true, true]),
            (CampaignsCancel, [false, true, true]),
            (ContactsRead, [true, true, true]),
            (ContactsWrite, [false, true, true]),
            (ListsRead, [true, true, true]),
            (ListsWrite, [false, true, true]),
            (MembersRead, [true, true, true]),
            (MembersManage, [false, false, true]),
            (SettingsRead, [true, true, true]),
            (SettingsManage, [false, false, true]),
            (ChannelsRead, [false, false, true]),
            (ChannelsManage, [false, false, true]),
            (TokensManageOwn, [true, true, true]),
            (TokensManageAll, [false, false, true]),
            (SuppressionsRead, [false, false, true]),
            (SuppressionsManage, [false, false, true]),
            (AuditRead, [false, false, true]),
        ];
        assert_eq!(expected.len(), Action::ALL.len());
        for (action, allowed) in expected {
            for (role, want) in Role::ALL.into_iter().zip(allowed) {
                assert_eq!(
                    authorize(&actor(role, Via::Session), action),
                    want,
                    "{role} / {action:?}"
                );
            }
        }
    }

    /// Every (role, ability, action) triple: a token allows exactly the intersection.
    #[test]
    fn tokens_get_role_intersected_with_abilities() {
        for role in Role::ALL {
            for ability in Ability::ALL {
                let via = Via::Token {
                    token_id: Uuid::nil(),
                    abilities: vec![ability],
                };
                for action in Action::ALL {
                    let by_role = authorize(&actor(role, Via::Session), action);
                    let by_ability = ability.grants(action.required_ability());
                    assert_eq!(
                        authorize(&actor(role, via.clone()), action),
                        by_role && by_ability,
                        "{role} / {ability} / {action:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn read_token_cannot_write() {
        let via = Via::Token {
            token_id: Uuid::nil(),
            abilities: vec![Ability::CampaignsRead],
        };
        let admin = actor(Role::Admin, via);
        assert!(authorize(&admin, Action::CampaignsRead));
        assert!(!authorize(&admin, Action::CampaignsWrite));
        assert!(!authorize(&admin, Action::ContactsRead));
    }

    #[test]
    fn token_without_abilities_can_do_nothing() {
        let via = Via::Token {
            token_id: Uuid::nil(),
            abilities: vec![],
        };
        let admin = actor(Role::Admin, via);
        assert!(Action::ALL.into_iter().all(|a| !authorize(&admin, a)));
    }

    #[test]
    fn abilities_parse_and_print() {
        for a in Ability::ALL {
            assert_eq!(a.as_str().parse::<Ability>(), Ok(a));
        }
        assert!("campaigns:delete".parse::<Ability>().is_err());
        assert_eq!(serde_json::to_string(&Ability::All).unwrap(), "\"*\"");
    }
}
