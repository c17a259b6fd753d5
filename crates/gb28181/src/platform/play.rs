//! Live view (GB/T 28181 §9.2): INVITE with an SDP offer, the device's 200 OK answered with
//! ACK, media into a [`Receiver`], BYE from either side; and a stream nobody watches for
//! `stream_idle` stopped, so that an operator who closes the tab does not keep a camera's
//! uplink busy.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use citymirror_video::media::{AccessUnit, MediaCounts};
use citymirror_video::registry::StreamState;
use citymirror_video::GbId;
use rand::RngCore;
use rsip::prelude::UntypedHeader;
use rsip::{Header, Method};
use tokio::sync::{broadcast, oneshot};

use super::Platform;
use crate::media::{self, MediaTransport, Receiver};
use crate::transport::Route;
use crate::wire::{self, Request, Response};

/// What the operator side asks of the platform loop.
#[derive(Debug)]
pub enum Command {
    Play {
        channel: GbId,
        transport: MediaTransport,
        reply: oneshot::Sender<Result<Playing, PlayError>>,
    },
    Stop {
        channel: GbId,
    },
    /// A PTZ command (DeviceControl) to the channel's device.
    Ptz {
        channel: GbId,
        cmd: citymirror_video::manscdp::PtzCmd,
        reply: oneshot::Sender<Result<(), PlayError>>,
    },
}

/// A stream being received: its frames (drop the receiver to stop watching) and counts.
#[derive(Debug)]
pub struct Playing {
    pub ssrc: u32,
    pub port: u16,
    pub frames: broadcast::Receiver<Arc<AccessUnit>>,
    pub counts: Arc<Mutex<MediaCounts>>,
}

/// Why a stream did not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlayError {
    #[error("no such channel")]
    NoSuchChannel,
    #[error("the channel's device is not online")]
    DeviceOffline,
    #[error("no socket for the media: {0}")]
    Media(String),
    #[error("the device refused the stream ({0})")]
    Refused(u16),
    #[error("the device did not answer the INVITE")]
    Timeout,
    #[error("the SIP edge is not running")]
    EdgeStopped,
}

impl PlayError {
    pub const fn code(&self) -> &'static str {
        match self {
            PlayError::NoSuchChannel => "no_such_channel",
            PlayError::DeviceOffline => "device_offline",
            PlayError::Media(_) => "media_unavailable",
            PlayError::Refused(_) => "stream_refused",
            PlayError::Timeout => "device_timeout",
            PlayError::EdgeStopped => "edge_stopped",
        }
    }
}

/// An INVITE dialog for one channel.
pub(super) struct Session {
    device: GbId,
    call_id: String,
    from_tag: String,
    to_tag: Option<String>,
    cseq: u32,
    receiver: Receiver,
    ssrc: u32,
    /// Waiting for the device's answer: who to tell, and since when.
    pending: Option<(oneshot::Sender<Result<Playing, PlayError>>, Instant)>,
    unwatched_since: Option<Instant>,
}

impl Session {
    fn playing(&self) -> Playing {
        Playing {
            ssrc: self.ssrc,
            port: self.receiver.port,
            frames: self.receiver.frames.subscribe(),
            counts: self.receiver.counts.clone(),
        }
    }
}

/// How long a device has to answer an INVITE.
const INVITE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl Platform {
    pub(super) async fn command(&mut self, c: Command) {
        match c {
            Command::Play {
                channel,
                transport,
                reply,
            } => self.play(channel, transport, reply).await,
            Command::Stop { channel } => self.stop_stream(&channel).await,
            Command::Ptz {
                channel,
                cmd,
                reply,
            } => {
                let r = match self.registry.channel(&channel) {
                    None => Err(PlayError::NoSuchChannel),
                    Some(c) => {
                        self.sn = self.sn.wrapping_add(1);
                        let body = citymirror_video::manscdp::render_ptz(self.sn, &channel, &cmd);
                        if self.send_manscdp(c.device, body).await {
                            Ok(())
                        } else {
                            Err(PlayError::DeviceOffline)
                        }
                    }
                };
                let _ = reply.send(r);
            }
        }
    }

    async fn play(
        &mut self,
        channel: GbId,
        transport: MediaTransport,
        reply: oneshot::Sender<Result<Playing, PlayError>>,
    ) {
        if let Some(s) = self.sessions.get(&channel) {
            // Already flowing, or about to: one more watcher of the same stream.
            let _ = reply.send(Ok(s.playing()));
            return;
        }
        let Some(c) = self.registry.channel(&channel) else {
            let _ = reply.send(Err(PlayError::NoSuchChannel));
            return;
        };
        let online = self.registry.device(&c.device).is_some_and(|d| d.online());
        let Some(route) = self.routes.get(&c.device).cloned().filter(|_| online) else {
            let _ = reply.send(Err(PlayError::DeviceOffline));
            return;
        };
        let ip = self.advertised().ip();
        self.ssrc_serial = self.ssrc_serial.wrapping_add(1);
        let ssrc = media::live_ssrc(&self.cfg.domain, self.ssrc_serial);
        let receiver = match Receiver::open(ip, transport, ssrc).await {
            Ok(r) => r,
            Err(e) => {
                let _ = reply.send(Err(PlayError::Media(e.to_string())));
                return;
            }
        };
        let sdp = media::offer(
            self.cfg.platform_id.as_str(),
            ip,
            receiver.port,
            transport,
            ssrc,
        );
        let call_id = format!("{:016x}", self.rng.next_u64());
        let from_tag = format!("{:x}", self.rng.next_u32());
        let session = Session {
            device: c.device,
            call_id,
            from_tag,
            to_tag: None,
            cseq: 1,
            receiver,
            ssrc,
            pending: Some((reply, Instant::now())),
            unwatched_since: None,
        };
        let subject = format!("{channel}:{ssrc:010},{}:0", self.cfg.platform_id);
        let contact = format!("<sip:{}@{}>", self.cfg.platform_id, self.advertised());
        let extra = vec![
            Header::Contact(rsip::headers::Contact::new(contact)),
            Header::Other("Subject".into(), subject),
        ];
        self.send_in_dialog(
            &route,
            channel,
            &session,
            Method::Invite,
            Some("application/sdp"),
            extra,
            sdp.into_bytes(),
        )
        .await;
        self.registry.set_stream(&channel, StreamState::Inviting);
        self.sessions.insert(channel, session);
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_in_dialog(
        &mut self,
        route: &Route,
        channel: GbId,
        s: &Session,
        method: Method,
        content_type: Option<&str>,
        extra: Vec<Header>,
        body: Vec<u8>,
    ) {
        let via = format!("{} {}", route.via_transport(), self.advertised());
        let branch = format!("{:x}", self.rng.next_u64());
        let bytes = wire::request(
            wire::Outgoing {
                method,
                to_user: channel.as_str(),
                to_host: &self.cfg.domain,
                from_user: self.cfg.platform_id.as_str(),
                from_host: &self.cfg.domain,
                via: &via,
                call_id: &s.call_id,
                cseq: s.cseq,
                to_tag: s.to_tag.as_deref(),
                content_type,
                extra,
                body,
            },
            &branch,
            &s.from_tag,
        );
        self.transport.send(route, bytes).await;
    }

    /// The device's answer to an INVITE (or to our BYE).
    pub(super) async fn dialog_response(&mut self, res: Response) {
        if res.cseq_method != Method::Invite || res.status < 200 {
            return;
        }
        let Some((&channel, _)) = self.sessions.iter().find(|(_, s)| s.call_id == res.call_id)
        else {
            return;
        };
        let mut s = self.sessions.remove(&channel).expect("found above");
        if res.status >= 300 {
            if let Some((reply, _)) = s.pending.take() {
                let _ = reply.send(Err(PlayError::Refused(res.status)));
            }
            self.registry.set_stream(&channel, StreamState::Idle);
            return;
        }
        s.to_tag = wire::to_tag(&res.raw);
        if let Some(route) = self.routes.get(&s.device).cloned() {
            // ACK carries the INVITE's CSeq number (RFC 3261 §17.1.1.3).
            self.send_in_dialog(&route, channel, &s, Method::Ack, None, vec![], vec![])
                .await;
        }
        // Live in the registry before the caller hears it started.
        self.registry.set_stream(&channel, StreamState::Live);
        if let Some((reply, _)) = s.pending.take() {
            let _ = reply.send(Ok(s.playing()));
        }
        tracing::info!(%channel, ssrc = s.ssrc, port = s.receiver.port, "live stream started");
        self.sessions.insert(channel, s);
    }

    /// A BYE from the device ends its stream.
    pub(super) async fn bye(&mut self, req: Request, route: Route) {
        let found = self
            .sessions
            .iter()
            .find(|(_, s)| s.call_id == req.call_id)
            .map(|(c, _)| *c);
        let status = match found {
            Some(channel) => {
                self.sessions.remove(&channel);
                self.registry.set_stream(&channel, StreamState::Idle);
                200
            }
            None => 481,
        };
        self.reply(&route, &req.raw, status, vec![]).await;
    }

    /// Ends a stream: BYE to the device, the socket closed.
    pub(super) async fn stop_stream(&mut self, channel: &GbId) {
        let Some(mut s) = self.sessions.remove(channel) else {
            return;
        };
        if let Some((reply, _)) = s.pending.take() {
            let _ = reply.send(Err(PlayError::Refused(487)));
        }
        if let (Some(route), Some(_)) = (self.routes.get(&s.device).cloned(), &s.to_tag) {
            s.cseq += 1;
            self.send_in_dialog(&route, *channel, &s, Method::Bye, None, vec![], vec![])
                .await;
        }
        self.registry.set_stream(channel, StreamState::Idle);
        tracing::info!(%channel, "live stream stopped");
    }

    /// Gives up INVITEs not answered in time and stops streams nobody watches.
    pub(super) async fn sweep_streams(&mut self) {
        let idle = self.cfg.stream_idle;
        let mut stop = Vec::new();
        for (channel, s) in self.sessions.iter_mut() {
            if let Some((_, since)) = &s.pending {
                if since.elapsed() >= INVITE_TIMEOUT {
                    if let Some((reply, _)) = s.pending.take() {
                        let _ = reply.send(Err(PlayError::Timeout));
                    }
                    stop.push(*channel);
                }
                continue;
            }
            if s.receiver.frames.receiver_count() > 0 {
                s.unwatched_since = None;
            } else if s.unwatched_since.get_or_insert_with(Instant::now).elapsed() >= idle {
                stop.push(*channel);
            }
        }
        for c in stop {
            self.stop_stream(&c).await;
        }
    }
}
