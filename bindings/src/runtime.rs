//! The tokio runtime the bindings own. Every async export and every
//! listener runs here, on a bounded number of threads, whatever executor the
//! shell awaits from (Kotlin coroutines, Swift tasks): the shell's future
//! only waits on a [`tokio::task::JoinHandle`], which needs no reactor.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};
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
    match (&mut task.0).await {
        Ok(result) => result.map_err(LawCircleError::classified),
        Err(e) if e.is_panic() => Err(LawCircleError::internal("the operation panicked")),
        Err(_) => Err(LawCircleError::internal("the operation was cancelled")),
    }
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

/// Aborts the task when the future awaiting it is dropped.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
