package org.lawcircle.app.sync

import org.lawcircle.app.systemService
import android.app.job.JobInfo
import android.app.job.JobParameters
import android.app.job.JobScheduler
import android.app.job.JobService
import android.content.ComponentName
import android.content.Context
import org.lawcircle.app.appServices
import org.lawcircle.ffi.OutboxChange
import org.lawcircle.ffi.OutboxState
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.Future

/** What one delivery of the outbox came to. */
enum class SyncResult {
    /** Nothing is left to deliver (or what is left needs the user: a refused entry). */
    DONE,

    /** No connection, or entries wait for their next attempt: run again later. */
    RETRY,
}

/** Delivers the outbox now (blocking; the job calls it off the main thread). */
fun interface OutboxSync {
    fun syncNow(): SyncResult
}

/**
 * The outbox delivered by itself, with the framework's `JobScheduler` (no
 * AndroidX WorkManager): a job that needs a network, so it runs as soon as
 * the phone is online again, with exponential backoff while deliveries
 * fail. The app schedules it whenever the outbox has something waiting.
 */
class OutboxSyncJob : JobService() {
    private val executor: ExecutorService = Executors.newSingleThreadExecutor()
    private var running: Future<*>? = null

    override fun onStartJob(params: JobParameters): Boolean {
        val sync = appServices?.outboxSync ?: return false
        running = run(sync) { result -> jobFinished(params, result == SyncResult.RETRY) }
        return true
    }

    /** Runs [sync] on the job's thread and reports its result (the job's seam, tested directly). */
    fun run(sync: OutboxSync, finished: (SyncResult) -> Unit): Future<*> = executor.submit {
        val result = try {
            sync.syncNow()
        } catch (e: InterruptedException) {
            // Stopped by the system (the network went): it reschedules.
            SyncResult.RETRY
        }
        finished(result)
    }

    /** The system stops the job (the network went away): ask to run again. */
    override fun onStopJob(params: JobParameters): Boolean {
        running?.cancel(true)
        return true
    }

    override fun onDestroy() {
        executor.shutdownNow()
        super.onDestroy()
    }

    companion object {
        const val JOB_ID = 4201

        /** The first retry after this long, doubling each time (the system's ceiling is five hours). */
        const val BACKOFF_MS = 30_000L

        /**
         * Whether an outbox change calls for a sync: something enqueued or
         * sent again by the user. A failed attempt is the running job's to
         * retry (with backoff); sent, refused and discarded entries need none.
         */
        fun needsSync(change: OutboxChange): Boolean = change.to == OutboxState.NOT_SENT

        fun jobInfo(context: Context): JobInfo =
            JobInfo.Builder(JOB_ID, ComponentName(context, OutboxSyncJob::class.java))
                .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)
                .setBackoffCriteria(BACKOFF_MS, JobInfo.BACKOFF_POLICY_EXPONENTIAL)
                .build()

        /**
         * Schedules the sync unless it is scheduled or running already (a
         * second `schedule` of the same id would stop a running sync).
         * True when it was scheduled now.
         */
        fun schedule(context: Context): Boolean {
            val scheduler = context.systemService<JobScheduler>()
            if (scheduler.getPendingJob(JOB_ID) != null) return false
            return scheduler.schedule(jobInfo(context)) == JobScheduler.RESULT_SUCCESS
        }
    }
}
