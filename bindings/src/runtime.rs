//! The tokio runtime the bindings own. Every async export and every
//! listener runs here, on a bounded number of threads, whatever executor the
//! shell awaits from (Kotlin coroutines, Swift tasks): the shell's future
//! only waits on a [`tokio::task::JoinHandle`], which needs no reactor.

use std::future::Future;
use std::sync::{Arc, OnceLock};

use tokio::runtime::{Builder, Runtime};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::LawCircleError;

/// Worker threads: the phone has few cores and the work is I/O.
const WORKER_THREADS: usize = 2;
/// Threads for blocking work (file and database I/O of later features).
const MAX_BLOCKING_THREADS: usize = 4;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// The shared runtime, made on first use.
pub(crate) fn runtime() -> Result<&'static Runtime, LawCircleError> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(WORKER_THREADS)
                .max_blocking_threads(MAX_BLOCKING_THREADS)
                .thread_name("lawcircle-rt")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the runtime: {e}"))
        })
        .as_ref()
        .map_err(LawCircleError::internal)
}

/// Runs `fut` on the owned runtime and waits for it from any executor;
/// the server's conflicts and refused sessions come back as their own
/// error cases ([`LawCircleError::classified`]). When the caller stops
/// waiting (a cancelled Kotlin coroutine or Swift task drops this future),
/// the work on the runtime is aborted with it.
pub(crate) async fn run<F, T>(fut: F) -> Result<T, LawCircleError>
where
    F: Future<Output = Result<T, LawCircleError>> + Send + 'static,
    T: Send + 'static,
{
    let mut task = AbortOnDrop(runtime()?.spawn(fut));
    joined((&mut task.0).await)
}

/// Runs blocking work (SQLite, file reads and hashing) on the runtime's
/// blocking threads, so the caller's thread (a UI thread) never waits on
/// disk. A cancelled caller stops waiting; work already started on a
/// blocking thread finishes (it holds no lock the next call needs).
pub(crate) async fn run_blocking<F, T>(f: F) -> Result<T, LawCircleError>
where
    F: FnOnce() -> Result<T, LawCircleError> + Send + 'static,
    T: Send + 'static,
{
    let mut task = AbortOnDrop(runtime()?.spawn_blocking(f));
    match (&mut task.0).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => Err(LawCircleError::internal("the operation panicked")),
        Err(_) => Err(LawCircleError::internal("the operation was cancelled")),
    }
}

/// A way for a shell whose async calls are not cancelled by its runtime to
/// cancel one: Swift's generated bindings keep awaiting the Rust future
/// when the Task is cancelled, so the shell passes a token to the call and
/// cancels the token from `withTaskCancellationHandler`. (A cancelled
/// Kotlin coroutine drops the Rust future by itself.)
#[derive(Debug, uniffi::Object)]
pub struct CancelToken {
    cancelled: watch::Sender<bool>,
}

#[uniffi::export]
impl CancelToken {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(CancelToken {
            cancelled: watch::Sender::new(false),
        })
    }

    /// Cancels the call the token was given to (at once if it runs, or as
    /// soon as it starts). Cancelling twice is harmless.
    pub fn cancel(&self) {
        self.cancelled.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.cancelled.borrow()
    }
}

/// [`run`], also ended by `token`: the work is aborted and the call
/// returns [`LawCircleError::Cancelled`].
pub(crate) async fn run_cancellable<F, T>(
    fut: F,
    token: Option<Arc<CancelToken>>,
) -> Result<T, LawCircleError>
where
    F: Future<Output = Result<T, LawCircleError>> + Send + 'static,
    T: Send + 'static,
{
    let Some(token) = token else {
        return run(fut).await;
    };
    let mut cancelled = token.cancelled.subscribe();
    let mut task = AbortOnDrop(runtime()?.spawn(fut));
    tokio::select! {
        biased;
        _ = async { cancelled.wait_for(|c| *c).await.is_ok() } => {
            // Aborted, and waited for: what the work does when dropped
            // (requeueing entries in flight) is done when this returns.
            task.0.abort();
            let _ = (&mut task.0).await;
            Err(LawCircleError::Cancelled)
        }
        r = &mut task.0 => joined(r),
    }
}

/// The result of a task of the runtime.
fn joined<T>(
    r: Result<Result<T, LawCircleError>, tokio::task::JoinError>,
) -> Result<T, LawCircleError> {
    match r {
        Ok(result) => result.map_err(LawCircleError::classified),
        Err(e) if e.is_panic() => Err(LawCircleError::internal("the operation panicked")),
        Err(_) => Err(LawCircleError::internal("the operation was cancelled")),
    }
}

/// Aborts the task when the future awaiting it is dropped.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
