//! `citymirror token create|list|revoke`.

use anyhow::{bail, Context};
use chrono::{Duration, Utc};
use citymirror_trust::{token, MintRefused, Principal, Role, TrustRepo, UnitKind};
use serde_json::json;

use super::{open_store, trust};
use crate::cli::{TokenCommand, TokenCreateArgs, TokenRevokeArgs};
use crate::local::{self, control, Access};
use hyper::Method;

pub async fn run(cmd: TokenCommand) -> anyhow::Result<()> {
    match cmd {
        TokenCommand::Create(a) => create(a).await,
        TokenCommand::List(store) => {
            let s = open_store(&store).await?;
            let now = Utc::now();
            for t in s.tokens().await? {
                let state = if t.is_live(now) {
                    "live"
                } else if t.revoked_at.is_some() {
                    "revoked"
                } else {
                    "expired"
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.role,
                    t.unit_id.as_deref().unwrap_or("-"),
                    t.expires_at.map_or("never".to_owned(), |e| e.to_rfc3339()),
                    state,
                    t.name
                );
            }
            Ok(())
        }
        TokenCommand::Revoke(a) => revoke(a).await,
    }
}

async fn create(a: TokenCreateArgs) -> anyhow::Result<()> {
    let role: Role = a.role.parse()?;
    let _lock = match local::for_writing(&a.store)? {
        Access::ThroughServer(dir) => return create_through_server(&dir, &a, role).await,
        Access::Direct(lock) => Some(lock),
        Access::Database => None,
    };
    let store = open_store(&a.store).await?;
    let units = store.units().await?;
    let district = units
        .iter()
        .find(|u| u.kind == UnitKind::District)
        .map(|u| u.jurisdiction.clone())
        .context("the store holds no organisation; run `citymirror generate` first")?;
    let unit = match &a.unit {
        Some(id) => Some(units.iter().find(|u| &u.id == id).with_context(|| {
            format!("no unit `{id}` in this store; list them with GET /api/v1/units")
        })?),
        None => None,
    };
    // The operator holds the store, so may mint any role, but a unit role still names its
    // unit: the same rule the API applies to administrators.
    let operator = Principal::operator("cli", district.clone());
    token::check_mint(&operator, role, unit, &district).map_err(|refused| match refused {
        MintRefused::UnitRequired(_) => anyhow::anyhow!("{refused}: pass --unit <unit id>"),
        other => anyhow::anyhow!("{other}"),
    })?;
    let log = trust::open_log(&store, &a.store, &a.audit).await?;
    let expires_at = Utc::now() + Duration::days(a.expires_in_days);
    let (id, secret) = token::mint(
        &store,
        &a.name,
        role,
        a.unit.clone(),
        Some(expires_at),
        "system:cli",
    )
    .await
    .context("storing the token")?;
    trust::record(
        &log,
        "cli",
        "token.create",
        format!("tokens/{id}"),
        json!({ "role": role, "unit": a.unit, "expires_at": expires_at }),
    )
    .await?;
    eprintln!(
        "token {id} for role {role}, expires {}; it is shown only once:",
        expires_at.to_rfc3339()
    );
    println!("{secret}");
    Ok(())
}

/// Mints through the running server, as its operator: the server checks the same rule
/// and writes the audit entry itself.
async fn create_through_server(
    dir: &std::path::Path,
    a: &TokenCreateArgs,
    role: Role,
) -> anyhow::Result<()> {
    let mut body = json!({ "name": a.name, "role": role, "expires_in_days": a.expires_in_days });
    if let Some(unit) = &a.unit {
        body["unit"] = unit.clone().into();
    }
    let answer = control::request(
        dir,
        Method::POST,
        "/api/v1/tokens",
        "application/json",
        body.to_string().into_bytes(),
    )
    .await?
    .json()?;
    eprintln!(
        "token {} for role {role}, expires {}, minted by the running server; it is shown only once:",
        answer["id"],
        answer["expires_at"].as_str().unwrap_or("?")
    );
    println!("{}", answer["token"].as_str().unwrap_or_default());
    Ok(())
}

async fn revoke(a: TokenRevokeArgs) -> anyhow::Result<()> {
    let _lock = match local::for_writing(&a.store)? {
        Access::ThroughServer(dir) => {
            let answer = control::request(
                &dir,
                Method::DELETE,
                &format!("/api/v1/tokens/{}", a.id),
                "application/json",
                Vec::new(),
            )
            .await?;
            if !answer.status.is_success() {
                answer.json()?;
            }
            eprintln!(
                "token {} revoked by the running server, which refuses it from now on",
                a.id
            );
            return Ok(());
        }
        Access::Direct(lock) => Some(lock),
        Access::Database => None,
    };
    let store = open_store(&a.store).await?;
    let log = trust::open_log(&store, &a.store, &a.audit).await?;
    if !store.revoke_token(a.id, Utc::now()).await? {
        bail!("no live token {}", a.id);
    }
    trust::record(
        &log,
        "cli",
        "token.revoke",
        format!("tokens/{}", a.id),
        json!({}),
    )
    .await?;
    eprintln!(
        "token {} revoked{}",
        a.id,
        if a.store.database.is_some() {
            " (servers on this database stop accepting it within 30 s)"
        } else {
            ""
        }
    );
    Ok(())
}
