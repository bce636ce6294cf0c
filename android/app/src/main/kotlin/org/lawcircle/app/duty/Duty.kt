package org.lawcircle.app.duty

import android.app.Activity
import android.content.Context
import org.lawcircle.app.notify.NotificationPermission
import org.lawcircle.ffi.FenceVerdict
import org.lawcircle.ffi.PunchKind
import org.lawcircle.phone.PunchOutcome

/** The duty service follows the volunteer's punches. */
object Duty {
    /**
     * Before clocking in: offers only reach a volunteer whose phone may
     * notify, so Android 13's permission is asked now, when its reason is
     * plain. True when the system dialog was shown.
     */
    fun beforeClockIn(activity: Activity): Boolean = NotificationPermission.requestIfNeeded(activity)

    /**
     * After a punch the clock-in presenter made: a clock-in that counts
     * (inside the fence, or uncertain and kept for review) starts the
     * service at the post's position; a clock-out stops it. A punch
     * outside the fence changes nothing. True when the service was started
     * or stopped.
     */
    fun onPunch(context: Context, outcome: PunchOutcome, postLatitude: Double, postLongitude: Double): Boolean =
        when {
            outcome.kind == PunchKind.OUT -> {
                DutyService.stop(context)
                true
            }
            outcome.verdict == FenceVerdict.OUTSIDE -> false
            else -> {
                DutyService.start(context, postLatitude, postLongitude)
                true
            }
        }
}
