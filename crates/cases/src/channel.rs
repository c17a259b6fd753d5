//! Where requests come from. Futian takes requests from 42 channels into one ticket
//! system (一单到底); each intake adapter names its channel, and the channel says what
//! kind of source it is and how urgent its requests are by default.

use serde::Serialize;

use crate::catalog::Urgency;

/// The kind of a channel: which intake adapter brings its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChannelKind {
    /// Telephone hotlines; their transcripts are imported in batches.
    Hotline,
    /// The district's own apps, mini-programs and H5 pages.
    Online,
    /// Letters, visits and mailboxes of the district's leaders.
    Petition,
    /// Public-opinion monitoring of news and social media.
    Opinion,
    /// Deputies' and members' proposals, and cases handed down by higher levels.
    Official,
    /// Grid workers' and departments' own inspections.
    Inspection,
    /// IoT sensors (智网).
    Sensor,
    /// Video analysis (智眼).
    Camera,
    /// Other systems, over Open311 or the API.
    System,
}

/// An intake channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Channel {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub kind: ChannelKind,
    pub urgency: Urgency,
}

macro_rules! channel {
    ($code:literal, $zh:literal, $en:literal, $kind:ident) => {
        channel!($code, $zh, $en, $kind, Normal)
    };
    ($code:literal, $zh:literal, $en:literal, $kind:ident, $urgency:ident) => {
        Channel {
            code: $code,
            name_zh: $zh,
            name_en: $en,
            kind: ChannelKind::$kind,
            urgency: Urgency::$urgency,
        }
    };
}

/// The district's 42 channels.
pub static CHANNELS: [Channel; 42] = [
    channel!(
        "hotline-12345",
        "12345政务服务便民热线",
        "12345 citizen hotline",
        Hotline
    ),
    channel!(
        "hotline-12319",
        "12319城建热线",
        "12319 urban construction hotline",
        Hotline
    ),
    channel!(
        "hotline-12315",
        "12315市场监管热线",
        "12315 market regulation hotline",
        Hotline
    ),
    channel!(
        "hotline-12369",
        "12369环保热线",
        "12369 environment hotline",
        Hotline
    ),
    channel!(
        "hotline-12333",
        "12333人社热线",
        "12333 labour and social security hotline",
        Hotline
    ),
    channel!(
        "hotline-12320",
        "12320卫生热线",
        "12320 health hotline",
        Hotline
    ),
    channel!(
        "hotline-12328",
        "12328交通热线",
        "12328 transport hotline",
        Hotline
    ),
    channel!(
        "hotline-110",
        "110联动",
        "110 police referral",
        Hotline,
        Urgent
    ),
    channel!("app-ifutian", "i福田APP", "i Futian app", Online),
    channel!("app-ishenzhen", "i深圳APP", "i Shenzhen app", Online),
    channel!(
        "wechat-mini",
        "福田民意速办小程序",
        "WeChat mini-program",
        Online
    ),
    channel!(
        "wechat-account",
        "福田发布公众号",
        "WeChat official account",
        Online
    ),
    channel!("h5", "市民H5页面", "Citizen web pages (H5)", Online),
    channel!(
        "web-portal",
        "区政府门户网站",
        "District government website",
        Online
    ),
    channel!("sms", "短信", "Text message", Online),
    channel!("email", "电子邮件", "E-mail", Online),
    channel!("letter", "来信", "Letters", Petition),
    channel!("visit", "来访", "Visits in person", Petition),
    channel!(
        "secretary-mailbox",
        "区委书记信箱",
        "Party secretary's mailbox",
        Petition
    ),
    channel!(
        "mayor-mailbox",
        "区长信箱",
        "District mayor's mailbox",
        Petition
    ),
    channel!(
        "service-window",
        "政务服务中心窗口",
        "Service centre counters",
        Petition
    ),
    channel!(
        "community-window",
        "社区工作站窗口",
        "Community station counters",
        Petition
    ),
    channel!(
        "party-centre",
        "党群服务中心",
        "Party-mass service centres",
        Petition
    ),
    channel!(
        "opinion-news",
        "网络舆情（新闻）",
        "Public opinion: news",
        Opinion
    ),
    channel!(
        "opinion-weibo",
        "网络舆情（微博）",
        "Public opinion: Weibo",
        Opinion
    ),
    channel!(
        "opinion-douyin",
        "网络舆情（短视频）",
        "Public opinion: short video",
        Opinion
    ),
    channel!(
        "message-board",
        "人民网领导留言板",
        "People's Daily message board",
        Opinion
    ),
    channel!(
        "npc-deputy",
        "人大代表建议",
        "People's Congress deputies",
        Official
    ),
    channel!("cppcc-member", "政协委员提案", "CPPCC members", Official),
    channel!(
        "city-platform",
        "市民意速办平台交办",
        "Handed down by the city",
        Official
    ),
    channel!(
        "court-referral",
        "司法机关转办",
        "Referred by courts and procuratorate",
        Official
    ),
    channel!(
        "enterprise-service",
        "企业服务平台",
        "Enterprise service platform",
        Official
    ),
    channel!(
        "grid-inspection",
        "网格员巡查",
        "Grid workers' rounds",
        Inspection
    ),
    channel!(
        "urban-inspection",
        "城管巡查",
        "Urban management patrols",
        Inspection
    ),
    channel!(
        "safety-inspection",
        "安全巡查",
        "Safety inspections",
        Inspection
    ),
    channel!(
        "building-manager",
        "楼栋长报告",
        "Building wardens",
        Inspection
    ),
    channel!(
        "volunteer",
        "志愿者随手拍",
        "Volunteers' photos",
        Inspection
    ),
    channel!("iot-sensor", "物联感知设备", "IoT sensors", Sensor),
    channel!("video-ai", "视频智能识别", "Video analysis", Camera),
    channel!("drone-patrol", "无人机巡河", "Drone river patrols", Camera),
    channel!("open311", "Open311接口", "Open311 clients", System),
    channel!("api", "系统对接接口", "Other systems (API)", System),
];

pub fn channel(code: &str) -> Option<&'static Channel> {
    CHANNELS.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_two_channels_with_distinct_codes() {
        let mut codes: Vec<&str> = CHANNELS.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 42);
        assert!(CHANNELS.iter().all(|c| c
            .code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')));
        assert_eq!(channel("hotline-110").unwrap().urgency, Urgency::Urgent);
    }
}
