package org.lawcircle.app.settings

import android.content.Context
import android.content.SharedPreferences

/**
 * The screens' language, chosen with the home screen's toggle and kept in
 * the app's private preferences as its BCP 47 tag (`zh`, `en`: lawcircle-ui's
 * `Language.tag`, which reads an unknown or missing tag as Chinese).
 */
class LanguageSetting(context: Context) {
    private val prefs: SharedPreferences = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE)

    /** The tag chosen, or null before the user ever picked one (Chinese). */
    fun load(): String? = prefs.getString(KEY, null)

    /** Persists [tag]; false when the preferences could not be written. */
    fun save(tag: String): Boolean = prefs.edit().putString(KEY, tag).commit()

    companion object {
        const val PREFS = "lawcircle.settings"
        private const val KEY = "language"
    }
}
