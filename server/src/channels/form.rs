//! Settings → Channels: the providers' forms, and a submitted form saved through the
//! same validation as `PUT /api/channels/{channel}`.

use super::{provider, Channels, PROVIDERS};
use crate::{auth::require, error::ServiceResult};
use app::{
    error::AppError,
    model::{
        settings_from_form, Action, Actor, ChannelSettingsDto, ChannelSettingsInput, ChannelsView,
        ProviderDto, SettingField, SettingKind,
    },
};
use std::collections::BTreeMap;

/// The settings every provider has (see `settings::Limits`).
fn common() -> Vec<SettingField> {
    vec![
        SettingField::new("rate_per_second", SettingKind::Number),
        SettingField::new("max_in_flight", SettingKind::Number),
    ]
}

/// A provider's whole form: its own settings, then the common ones.
fn fields(provider: &dyn super::Provider) -> Vec<SettingField> {
    let mut fields = provider.form();
    fields.extend(common());
    fields
}

impl Channels {
    pub async fn view(&self, actor: &Actor) -> ServiceResult<ChannelsView> {
        let channels = self.list(actor).await?;
        let providers = PROVIDERS
            .iter()
            .map(|p| ProviderDto {
                name: p.name().to_owned(),
                channels: p.channels().to_vec(),
                fields: fields(*p),
            })
            .collect();
        Ok(ChannelsView {
            channels,
            providers,
        })
    }

    pub async fn save_form(
        &self,
        actor: &Actor,
        channel: &str,
        provider_name: &str,
        form: BTreeMap<String, String>,
    ) -> ServiceResult<ChannelSettingsDto> {
        require(actor, Action::ChannelsManage)?;
        let Some(p) = provider(provider_name.trim()) else {
            return Err(AppError::field("provider", "choose a provider from the list").into());
        };
        let input = ChannelSettingsInput {
            provider: p.name().to_owned(),
            settings: settings_from_form(&fields(p), &form),
        };
        self.put(actor, channel, input).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::i18n::Locale;

    /// A new provider's settings need words on the page, in every language.
    #[test]
    fn every_provider_and_setting_has_a_label() {
        for locale in Locale::ALL {
            let s = &locale.strings().sending;
            for p in PROVIDERS {
                assert_ne!(
                    s.provider_name(p.name()),
                    p.name(),
                    "{locale:?}: {}",
                    p.name()
                );
                for field in fields(*p) {
                    assert_ne!(
                        s.setting_label(&field.key),
                        field.key,
                        "{locale:?}: {}.{}",
                        p.name(),
                        field.key
                    );
                }
            }
        }
    }
}
