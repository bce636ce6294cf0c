package org.lawcircle.app.places

import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.net.Uri
import org.lawcircle.ffi.MapHandoff
import org.lawcircle.ffi.MobilePlatform
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.mapHandoffs

/**
 * A place's detail hands off to the phone: "navigate" opens walking
 * directions in an installed map app (Amap, Baidu, Tencent, or any app for
 * `geo:`), each URI carrying the coordinates in the datum that app reads
 * (the core's `map_handoffs`); "call" opens the dialer with the number
 * filled in (no CALL_PHONE permission: the user presses call).
 */
object PlaceHandoffs {
    /** How this app names itself to the map apps that ask. */
    const val SOURCE = "org.lawcircle.app"

    /** A map app the user can pick, with the intent that opens it. */
    data class MapChoice(val handoff: MapHandoff, val intent: Intent)

    /**
     * The map apps installed on this phone that can walk the user to
     * `place`, mainland apps first; empty when none is (the screen then
     * shows the address only).
     */
    fun mapChoices(context: Context, place: Point, name: String): List<MapChoice> =
        mapHandoffs(place, name, MobilePlatform.ANDROID, SOURCE)
            .map { MapChoice(it, mapIntent(it)) }
            .filter { resolves(context.packageManager, it.intent) }

    /**
     * "Navigate": the one installed map app's intent, or, with several, the
     * system chooser listing each of them (mainland apps first); null when
     * no app on the phone can navigate (the screen then says so).
     */
    fun navigateIntent(context: Context, place: Point, name: String, title: CharSequence): Intent? {
        val choices = mapChoices(context, place, name)
        if (choices.size <= 1) return choices.firstOrNull()?.intent
        return Intent.createChooser(choices.first().intent, title)
            .putExtra(Intent.EXTRA_INITIAL_INTENTS, choices.drop(1).map { it.intent }.toTypedArray())
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
    }

    /** The intent for one hand-off: the app's own package when it is one app. */
    fun mapIntent(handoff: MapHandoff): Intent =
        Intent(Intent.ACTION_VIEW, Uri.parse(handoff.uri)).apply {
            handoff.androidPackage?.let { setPackage(it) }
            addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        }

    /**
     * The dialer with `phone` filled in, or null when the number has no
     * digits or no app on the phone dials.
     */
    fun dialIntent(context: Context, phone: String): Intent? {
        val digits = phone.filter { it.isDigit() || it == '+' || it == '-' }
        if (digits.none { it.isDigit() }) return null
        val intent = Intent(Intent.ACTION_DIAL, Uri.fromParts("tel", digits, null))
            .addFlags(Intent.FLAG_ACTIVITY_NEW_TASK)
        return intent.takeIf { resolves(context.packageManager, it) }
    }

    @Suppress("DEPRECATION") // resolveActivity(Intent, ResolveInfoFlags) is API 33+; minSdk is 26.
    private fun resolves(pm: PackageManager, intent: Intent): Boolean =
        pm.resolveActivity(intent, PackageManager.MATCH_DEFAULT_ONLY) != null
}
