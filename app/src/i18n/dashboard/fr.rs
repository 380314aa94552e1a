use super::DashboardStrings;

pub static FR: DashboardStrings = DashboardStrings {
    intro: "Ce que vos campagnes ont envoyé, et ce qu’il en est advenu.",
    period: "Période",
    last_7: "7 derniers jours",
    last_30: "30 derniers jours",
    last_90: "90 derniers jours",
    from: "Du",
    to: "Au",
    show: "Afficher",
    sent: "Envoyés",
    delivered: "Remis",
    failed: "En échec",
    success_rate: "Taux de réussite",
    failure_rate: "Taux d’échec",
    opens: "Ouverts",
    clicks: "Cliqués",
    machine_note: |n| {
        format!("{n} ouvertures par des machines (proxys de confidentialité, analyseurs de liens) ne sont pas comptées.")
    },
    by_channel: "Par canal",
    channel: "Canal",
    campaigns: "Campagnes de la période",
    col_campaign: "Campagne",
    col_status: "Statut",
    col_sent: "Envoyés",
    col_opened: "Ouverts",
    col_failure: "Taux d’échec",
    no_campaigns: "Aucune campagne lancée sur cette période.",
    thousands: '\u{202f}',
    percent_space: "\u{202f}",
};
