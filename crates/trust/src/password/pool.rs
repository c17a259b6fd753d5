//! Password hashing under a bound: a few worker threads, each with its own Argon2
//! memory, and a queue that a caller waits in only so long.
//!
//! One Argon2id hash with the default parameters fills 19 MiB and takes tens of
//! milliseconds of a core. Hashed on whatever thread is free, every concurrent sign-in
//! or registration allocates its own 19 MiB, and the allocator keeps what each thread
//! used: thirty-two at once took a server from 52 MB to over 1 GB, which stayed. Here
//! each worker fills the same memory every time, so hashing costs at most
//! `workers × 19 MiB` however many ask at once, and no more CPU than `workers` cores.
//! A caller who cannot get a worker within the deadline is told the server is busy,
//! so a flood of sign-ins turns into quick refusals instead of a queue that grows.

use std::{
    sync::{mpsc, Arc, Mutex},
    time::Duration,
};

use argon2::{
    password_hash::{rand_core::OsRng, Output, PasswordHash, SaltString},
    Algorithm, Argon2, Block, Params, Version,
};
use tokio::sync::{oneshot, Semaphore};

use super::{check_policy, PasswordError};

/// Why a hashing job did not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    #[error(transparent)]
    Policy(#[from] PasswordError),
    /// Every worker stayed busy for the whole deadline.
    #[error("the server is busy checking passwords; retry in a moment")]
    Busy,
    /// The workers have stopped (the process is shutting down).
    #[error("password hashing has stopped")]
    Stopped,
}

enum Job {
    Hash(String, oneshot::Sender<Result<String, PasswordError>>),
    Verify(String, Option<String>, oneshot::Sender<bool>),
}

/// The hashing workers; clones share them.
#[derive(Debug, Clone)]
pub struct HashPool {
    jobs: mpsc::SyncSender<Job>,
    permits: Arc<Semaphore>,
    deadline: Duration,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Job::Hash(..) => "Hash",
            Job::Verify(..) => "Verify",
        })
    }
}

/// Hashing yields the CPU to everything else the server does: a sign-up flood may wait
/// for its hashes, but health checks and map reads must not wait behind it (on Linux a
/// thread has a nice value of its own; elsewhere the threads keep the default).
fn lower_priority() {
    // rustix: a safe wrapper for setpriority(2), which, given a thread id, sets that
    // thread's nice value alone on Linux.
    #[cfg(target_os = "linux")]
    let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 10);
}

impl HashPool {
    /// `workers` threads (at least one); a caller waits at most `deadline` for one.
    pub fn new(workers: usize, deadline: Duration) -> HashPool {
        let workers = workers.max(1);
        let (jobs, inbox) = mpsc::sync_channel::<Job>(workers);
        let inbox = Arc::new(Mutex::new(inbox));
        for i in 0..workers {
            let inbox = inbox.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    lower_priority();
                    work(&inbox)
                })
                .expect("start a password hashing thread");
        }
        HashPool {
            jobs,
            permits: Arc::new(Semaphore::new(workers)),
            deadline,
        }
    }

    /// One worker per two cores, up to four, waiting at most two seconds.
    pub fn for_this_machine() -> HashPool {
        // Half the cores at most: hashing is pure CPU, and the other half keeps the event loop
        // (health checks, map reads) answering while a sign-up flood fills every worker.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        HashPool::new((cores / 2).clamp(1, 4), Duration::from_secs(2))
    }

    async fn run<T>(&self, job: impl FnOnce(oneshot::Sender<T>) -> Job) -> Result<T, HashError> {
        let _permit = tokio::time::timeout(self.deadline, self.permits.acquire())
            .await
            .map_err(|_| HashError::Busy)?
            .map_err(|_| HashError::Stopped)?;
        let (reply, answer) = oneshot::channel();
        // Holding a permit means a worker is free, so the channel has room.
        self.jobs
            .try_send(job(reply))
            .map_err(|_| HashError::Stopped)?;
        answer.await.map_err(|_| HashError::Stopped)
    }

    /// Checks a new password against the policy, then hashes it with a fresh salt (PHC
    /// string). The policy is checked before a worker is taken.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        check_policy(&password)?;
        Ok(self.run(|reply| Job::Hash(password, reply)).await??)
    }

    /// Whether `password` matches the stored PHC hash. With no stored hash (an unknown
    /// or disabled account) the same work is done against a dummy, so the answer's
    /// timing does not tell whether the account exists.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        self.run(|reply| Job::Verify(password, stored, reply)).await
    }
}

/// A worker: takes jobs until the pool is dropped, hashing in its own memory.
fn work(inbox: &Mutex<mpsc::Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let job = match inbox.lock().unwrap().recv() {
            Ok(job) => job,
            Err(_) => return,
        };
        match job {
            Job::Hash(password, reply) => {
                let _ = reply.send(Ok(hash_with(&mut memory, &password)));
            }
            Job::Verify(password, stored, reply) => {
                let ok = match stored {
                    Some(stored) => verify_with(&mut memory, &password, &stored),
                    None => {
                        let _ = verify_with(&mut memory, &password, dummy());
                        false
                    }
                };
                let _ = reply.send(ok);
            }
        }
    }
}

/// The memory for `params`, grown once and then reused.
fn blocks<'m>(memory: &'m mut Vec<Block>, params: &Params) -> &'m mut [Block] {
    let n = params.block_count();
    if memory.len() < n {
        memory.resize(n, Block::default());
    }
    &mut memory[..n]
}

fn hash_with(memory: &mut Vec<Block>, password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    let params = Params::default();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut salt_bytes = [0u8; 64];
    let salt_raw = salt
        .decode_b64(&mut salt_bytes)
        .expect("a generated salt decodes");
    let out = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        argon2
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt_raw,
                out,
                blocks(memory, &params),
            )
            .map_err(|_| argon2::password_hash::Error::Password)
    })
    .expect("Argon2 with default parameters hashes any password the policy allows");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().expect("default parameters encode"),
        salt: Some(salt.as_salt()),
        hash: Some(out),
    }
    .to_string()
}

/// A malformed stored hash, or one for parameters out of reach, matches nothing.
fn verify_with(memory: &mut Vec<Block>, password: &str, stored: &str) -> bool {
    let Ok(phc) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (phc.salt, phc.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (Algorithm::try_from(phc.algorithm), Params::try_from(&phc))
    else {
        return false;
    };
    // A stored hash decides how much memory a check takes; refuse absurd ones rather
    // than allocate them (the defaults are 19 MiB).
    if params.m_cost() > 256 * 1024 {
        return false;
    }
    let version = phc
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or_default();
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_raw) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    Output::init_with(expected.len(), |out| {
        argon2
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt_raw,
                out,
                blocks(memory, &params),
            )
            .map_err(|_| argon2::password_hash::Error::Password)
    })
    .is_ok_and(|computed| computed == expected)
}

/// A hash of no one's password, checked against when there is no account, so that an
/// unknown user name takes as long as a wrong password.
fn dummy() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_with(&mut Vec::new(), "not-a-real-password"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_from_the_pool_verify_as_the_crate_verifies_them() {
        let pool = HashPool::new(2, Duration::from_secs(5));
        let h = pool.hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(super::super::verify("correct horse battery", &h));
        assert!(pool
            .verify("correct horse battery".into(), Some(h.clone()))
            .await
            .unwrap());
        assert!(!pool
            .verify("correct horse batterz".into(), Some(h))
            .await
            .unwrap());
        // A hash made the usual way (as the generator's demo accounts are) verifies too.
        let classic = super::super::hash("another long one").unwrap();
        assert!(pool
            .verify("another long one".into(), Some(classic))
            .await
            .unwrap());
        assert!(!pool.verify("x".into(), None).await.unwrap());
        assert!(!pool
            .verify("x".into(), Some("not a phc string".into()))
            .await
            .unwrap());
        assert_eq!(
            pool.hash("short".into()).await,
            Err(HashError::Policy(PasswordError::TooShort))
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn callers_beyond_the_workers_wait_until_the_deadline_then_hear_busy() {
        let pool = HashPool::new(1, Duration::from_millis(1));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let pool = pool.clone();
                tokio::spawn(async move { pool.verify("a password".into(), None).await })
            })
            .collect();
        let mut busy = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(false) => {}
                Err(HashError::Busy) => busy += 1,
                other => panic!("{other:?}"),
            }
        }
        assert!(
            busy >= 1,
            "one worker and a 1 ms deadline turned nobody away"
        );
    }
}
