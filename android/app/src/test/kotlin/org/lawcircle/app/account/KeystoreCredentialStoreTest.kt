package org.lawcircle.app.account

import android.content.Context
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNull
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.app.TestApp
import org.lawcircle.phone.SavedSignIn
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.annotation.Config
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey

/**
 * The saved sign-in's encryption and storage. Robolectric has no Android
 * Keystore, so the key here is a software AES-256 key; the Keystore key's
 * parameters are the app's only untested part.
 */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class)
class KeystoreCredentialStoreTest {
    private val app get() = RuntimeEnvironment.getApplication()
    private val saved = SavedSignIn("https://fw.longwan.example", "13700001111", "a long passphrase 密码")

    private fun aesKey(): SecretKey = KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()

    private fun raw(): String? =
        app.getSharedPreferences(KeystoreCredentialStore.PREFS, Context.MODE_PRIVATE).getString("sealed", null)

    @Test
    fun saved_sign_in_round_trips_and_is_stored_encrypted() {
        val key = aesKey()
        val store = KeystoreCredentialStore(app) { key }
        assertNull(store.load())
        store.save(saved)
        assertEquals(saved, KeystoreCredentialStore(app) { key }.load())
        val stored = raw()!!
        assertFalse("the secret is not stored in the clear", stored.contains("passphrase"))
        assertFalse(String(android.util.Base64.decode(stored, 0), Charsets.UTF_8).contains("passphrase"))
        // A fresh IV for each save: the same sign-in seals differently.
        store.save(saved)
        assertNotEquals(stored, raw())
        store.clear()
        assertNull(store.load())
        assertNull(raw())
    }

    @Test
    fun a_sign_in_that_cannot_be_opened_is_forgotten() {
        KeystoreCredentialStore(app) { aesKey() }.save(saved)
        // Another key (the Keystore key was invalidated): not readable, forgotten.
        assertNull(KeystoreCredentialStore(app) { aesKey() }.load())
        assertNull(raw())
        // Tampered ciphertext or garbage: forgotten as well.
        val key = aesKey()
        val store = KeystoreCredentialStore(app) { key }
        store.save(saved)
        val bytes = android.util.Base64.decode(raw(), 0)
        bytes[bytes.size - 1] = (bytes[bytes.size - 1].toInt() xor 1).toByte()
        app.getSharedPreferences(KeystoreCredentialStore.PREFS, Context.MODE_PRIVATE).edit()
            .putString("sealed", android.util.Base64.encodeToString(bytes, 0)).commit()
        assertNull(store.load())
        app.getSharedPreferences(KeystoreCredentialStore.PREFS, Context.MODE_PRIVATE).edit()
            .putString("sealed", "not base64 !!").commit()
        assertNull(store.load())
    }
}
