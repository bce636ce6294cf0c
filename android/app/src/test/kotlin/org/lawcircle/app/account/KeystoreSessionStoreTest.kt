package org.lawcircle.app.account

import android.content.Context
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.app.TestApp
import org.lawcircle.ffi.Account
import org.lawcircle.ffi.Role
import org.lawcircle.ffi.StoredSession
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey

/** The library's session sealed in the app's preferences (a software key: Robolectric has no Keystore). */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class)
class KeystoreSessionStoreTest {
    private val app get() = RuntimeEnvironment.getApplication()
    private val session = StoredSession(
        serverUrl = "https://fw.longwan.example",
        username = "13700001111",
        token = "tok-secret-bearer-value",
        account = Account(42L, "13700001111", "居民林晓", Role.RESIDENT, "330303002"),
    )

    private fun aesKey(): SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()

    private fun raw(): String? =
        app.getSharedPreferences(KeystoreSessionStore.PREFS, Context.MODE_PRIVATE).getString("sealed", null)

    @Test
    fun the_session_round_trips_sealed_and_a_foreign_key_forgets_it() {
        val key = aesKey()
        val store = KeystoreSessionStore(app) { key }
        assertNull(store.load())
        store.save(session)
        assertEquals(session, KeystoreSessionStore(app) { key }.load())
        val stored = raw()!!
        assertFalse("the token is not stored in the clear", stored.contains("tok-secret"))
        assertFalse(String(android.util.Base64.decode(stored, 0), Charsets.UTF_8).contains("tok-secret"))
        val noStreet = session.copy(account = session.account.copy(streetCode = null))
        store.save(noStreet)
        assertEquals(noStreet, store.load())
        // Another key (the Keystore key was invalidated): not readable, forgotten.
        assertNull(KeystoreSessionStore(app) { aesKey() }.load())
        assertNull(raw())
        store.save(session)
        store.clear()
        assertNull(store.load())
    }
}
