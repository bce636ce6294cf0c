package org.lawcircle.app.settings

import android.content.Context
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.app.TestApp
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config

/** The language toggle's setting survives a restart (a new instance on the same preferences). */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class)
class LanguageSettingTest {
    private val app: Context get() = RuntimeEnvironment.getApplication()

    @Test
    fun nothingUntilPickedThenKeptAcrossRestarts() {
        assertNull("never picked: the UI's default (Chinese)", LanguageSetting(app).load())
        assertTrue(LanguageSetting(app).save("en"))
        assertEquals("en", LanguageSetting(app).load())
        assertEquals("en", app.getSharedPreferences(LanguageSetting.PREFS, Context.MODE_PRIVATE).getString("language", null))
        assertTrue(LanguageSetting(app).save("zh"))
        assertEquals("zh", LanguageSetting(app).load())
    }
}
