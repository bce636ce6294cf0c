package org.lawcircle.app.sync

import org.lawcircle.app.systemService
import android.app.job.JobInfo
import android.app.job.JobParameters
import android.os.Bundle
import android.os.PersistableBundle
import android.app.job.JobScheduler
import android.net.NetworkCapabilities
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.app.TestApp
import org.lawcircle.ffi.OutboxChange
import org.lawcircle.ffi.OutboxKind
import org.lawcircle.ffi.OutboxState
import org.robolectric.Robolectric
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config
import java.util.concurrent.TimeUnit

/** The outbox sync as a JobScheduler job (shadowed scheduler). */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class)
class OutboxSyncJobTest {
    private val app get() = RuntimeEnvironment.getApplication() as TestApp
    private val scheduler get() = app.systemService<JobScheduler>()

    @Test
    fun scheduled_once_with_a_network_constraint_and_exponential_backoff() {
        assertTrue(OutboxSyncJob.schedule(app))
        val job = scheduler.allPendingJobs.single()
        assertEquals(OutboxSyncJob.JOB_ID, job.id)
        // NETWORK_TYPE_ANY: any network with internet access.
        assertTrue(job.requiredNetwork!!.hasCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET))
        assertEquals(JobInfo.BACKOFF_POLICY_EXPONENTIAL, job.backoffPolicy)
        assertEquals(OutboxSyncJob.BACKOFF_MS, job.initialBackoffMillis)
        assertEquals(OutboxSyncJob::class.java.name, job.service.className)
        // Scheduled (or running) already: not replaced, so a running sync is not stopped.
        assertFalse(OutboxSyncJob.schedule(app))
        assertEquals(1, scheduler.allPendingJobs.size)
    }

    @Test
    fun the_job_reports_the_syncs_result_so_a_failed_delivery_is_retried_with_backoff() {
        val service = Robolectric.buildService(OutboxSyncJob::class.java).create().get()
        for (expected in SyncResult.entries) {
            app.syncResult = expected
            var finished: SyncResult? = null
            service.run(app.outboxSync) { finished = it }.get(10, TimeUnit.SECONDS)
            assertEquals(expected, finished)
        }
    }

    /** The parameters the system passes (its constructor is hidden: by reflection). */
    private fun parameters(): JobParameters =
        JobParameters::class.java.constructors.single { it.parameterCount == 13 }
            .newInstance(null, null, OutboxSyncJob.JOB_ID, PersistableBundle(), Bundle(), null, 0, false, false, false, null, null, null)
            as JobParameters

    @Test
    fun run_by_the_system_the_job_finishes_and_asks_to_be_rescheduled_only_when_the_sync_must_retry() {
        for ((result, reschedule) in listOf(SyncResult.RETRY to true, SyncResult.DONE to false)) {
            app.syncResult = result
            val job = Robolectric.buildService(OutboxSyncJob::class.java).create().get()
            // Asynchronous: the sync runs off the main thread.
            assertTrue(job.onStartJob(parameters()))
            val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
            while (!shadowOf(job).isJobFinished && System.nanoTime() < deadline) Thread.sleep(10)
            assertTrue(shadowOf(job).isJobFinished)
            assertEquals(reschedule, shadowOf(job).isRescheduleNeeded)
        }
    }

    @Test
    fun only_something_new_to_send_schedules_a_sync() {
        fun change(from: OutboxState?, to: OutboxState) =
            OutboxChange("k", OutboxKind.values().first(), "need", from, to, 0u, null, null)
        assertTrue(OutboxSyncJob.needsSync(change(null, OutboxState.NOT_SENT)))
        assertTrue(OutboxSyncJob.needsSync(change(OutboxState.WEDGED, OutboxState.NOT_SENT)))
        assertFalse(OutboxSyncJob.needsSync(change(OutboxState.SENDING, OutboxState.SENT)))
        assertFalse(OutboxSyncJob.needsSync(change(OutboxState.SENDING, OutboxState.FAILED)))
        assertFalse(OutboxSyncJob.needsSync(change(OutboxState.SENDING, OutboxState.WEDGED)))
    }
}
