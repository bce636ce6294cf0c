package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.ListenerHandle
import org.lawcircle.ffi.OutboxChange
import org.lawcircle.ffi.OutboxCounts
import org.lawcircle.ffi.OutboxEntry
import org.lawcircle.ffi.OutboxListener
import org.lawcircle.ffi.SyncReport

/** The "my outbox" screen (待发送): what waits, what failed and why. */
data class OutboxScreenState(
    /** In enqueue order, delivered ones included while the core keeps them. */
    val entries: List<OutboxEntry> = emptyList(),
    /** The badge: waiting, failed, needing attention. */
    val counts: OutboxCounts? = null,
    val syncing: Boolean = false,
    /** What the last sync did. */
    val lastSync: SyncReport? = null,
    /** The last sync found no connection (nothing is lost; sync again later). */
    val offline: Boolean = false,
    val error: UiError? = null,
)

/**
 * The outbox, live: the core tells every change through its listener and
 * the screen's list follows. Sync, retry and discard are intents.
 */
class OutboxPresenter(
    private val client: LawCircleClient,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<OutboxScreenState>(OutboxScreenState(), scope, io) {
    private var handle: ListenerHandle? = null

    /** Coalesces bursts of changes (a sync moves many entries) into one reload. */
    private val changed = Channel<Unit>(Channel.CONFLATED)

    /** Starts listening and lists the outbox; a second call does nothing. */
    @Synchronized
    fun start(): Job {
        if (handle == null) {
            // The core may call from its runtime or from the enqueuing
            // thread: only signal here, never call back into the core.
            handle = client.watchOutbox(object : OutboxListener {
                override fun onChange(change: OutboxChange) {
                    changed.trySend(Unit)
                }
            })
            intent { while (changed.receiveCatching().isSuccess) reloadNow() }
        }
        return reload()
    }

    /** Lists the outbox again. */
    fun reload(): Job = intent { reloadNow() }

    /** Delivers what is due; waits up to [maxWaitMs] for failed entries to come due again. */
    fun sync(maxWaitMs: Long = 30_000): Job = intent {
        if (state.value.syncing) return@intent
        updateState { it.copy(syncing = true, error = null) }
        try {
            val report = client.sync(maxWaitMs.coerceIn(0, UInt.MAX_VALUE.toLong()).toUInt())
            updateState { it.copy(syncing = false, offline = false, lastSync = report) }
        } catch (e: LawCircleException.Network) {
            updateState { it.copy(syncing = false, offline = true, error = e.toUiError()) }
        } catch (e: LawCircleException) {
            updateState { it.copy(syncing = false, error = e.toUiError()) }
        }
        reloadNow()
    }

    /** Sends a failed or refused entry again at the next sync. */
    fun retry(key: String): Job = entryAction { client.retryOutboxEntry(key) }

    /** Removes an entry the user gave up on (never one the server confirmed). */
    fun discard(key: String): Job = entryAction { client.discardOutboxEntry(key) }

    private fun entryAction(call: () -> Unit): Job = intent {
        try {
            blocking(call)
            updateState { it.copy(error = null) }
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
        }
        reloadNow()
    }

    private suspend fun reloadNow() {
        try {
            val entries = blocking { client.outboxEntries() }
            val counts = blocking { client.outboxCounts() }
            updateState { it.copy(entries = entries, counts = counts) }
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
        }
    }

    @Synchronized
    override fun close() {
        handle?.let {
            it.cancel()
            it.close()
        }
        handle = null
        changed.close()
        super.close()
    }
}
