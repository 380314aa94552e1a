use super::DashboardStrings;

pub static EN: DashboardStrings = DashboardStrings {
    intro: "What your campaigns sent and what became of it.",
    period: "Period",
    last_7: "Last 7 days",
    last_30: "Last 30 days",
    last_90: "Last 90 days",
    from: "From",
    to: "To",
    show: "Show",
    sent: "Sent",
    delivered: "Delivered",
    failed: "Failed",
    success_rate: "Success rate",
    failure_rate: "Failure rate",
    opens: "Opened",
    clicks: "Clicked",
    machine_note: |n| {
        format!("{n} opens by machines (mail privacy proxies, link scanners) are not counted.")
    },
    by_channel: "By channel",
    channel: "Channel",
    campaigns: "Campaigns of the period",
    col_campaign: "Campaign",
    col_status: "Status",
    col_sent: "Sent",
    col_opened: "Opened",
    col_failure: "Failure rate",
    no_campaigns: "No campaign started in this period.",
    thousands: ',',
    percent_space: "",
};
