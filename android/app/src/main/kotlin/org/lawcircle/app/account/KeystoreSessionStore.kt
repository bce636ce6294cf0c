package org.lawcircle.app.account

import android.content.Context
import android.content.SharedPreferences
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.SessionStore
import org.lawcircle.ffi.StoredSession
import org.lawcircle.ffi.decodeStoredSession
import org.lawcircle.ffi.encodeStoredSession
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The library's session (its bearer token and account) kept for it by the
 * platform: the library calls this [SessionStore] on every sign-in and
 * sign-out, and `useSessionStore` takes the session back when the app
 * starts. The password is never kept (a session that expires asks for it
 * again). Sealed with AES-256-GCM under the app's Android Keystore key, the ciphertext in private preferences, bound
 * to its purpose by its own associated data. A session that cannot be
 * opened is forgotten (the user signs in again). The plain text is the
 * library's own encoding of the session (`encodeStoredSession`).
 */
class KeystoreSessionStore(
    context: Context,
    /** The key; the Keystore's in the app, a software key in the JVM tests. */
    private val key: () -> SecretKey = ::keystoreKey,
) : SessionStore {
    private val prefs: SharedPreferences = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE)

    override fun load(): StoredSession? {
        val stored = prefs.getString(ENTRY, null) ?: return null
        return try {
            val bytes = Base64.decode(stored, Base64.NO_WRAP)
            if (bytes.size <= IV_BYTES) throw GeneralSecurityException("too short")
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES))
            cipher.updateAAD(AAD)
            decodeStoredSession(cipher.doFinal(bytes, IV_BYTES, bytes.size - IV_BYTES))
        } catch (e: GeneralSecurityException) {
            forget()
        } catch (e: IllegalArgumentException) {
            forget()
        } catch (e: LawCircleException) {
            forget()
        }
    }

    override fun save(session: StoredSession) {
        val plain = encodeStoredSession(session)
        val sealed = try {
            val cipher = Cipher.getInstance(TRANSFORMATION)
            // The provider picks a fresh random IV for every encryption.
            cipher.init(Cipher.ENCRYPT_MODE, key())
            cipher.updateAAD(AAD)
            val body = cipher.doFinal(plain)
            val iv = cipher.iv
            if (iv.size != IV_BYTES) throw GeneralSecurityException("unexpected IV length ${iv.size}")
            iv + body
        } catch (e: GeneralSecurityException) {
            throw LawCircleException.Internal("could not encrypt the session: ${e.message}")
        } finally {
            plain.fill(0)
        }
        if (!prefs.edit().putString(ENTRY, Base64.encodeToString(sealed, Base64.NO_WRAP)).commit()) {
            throw LawCircleException.Internal("could not write the session")
        }
    }

    override fun clear() {
        if (!prefs.edit().remove(ENTRY).commit()) throw LawCircleException.Internal("could not forget the session")
    }

    private fun forget(): StoredSession? {
        prefs.edit().remove(ENTRY).commit()
        return null
    }

    companion object {
        const val PREFS = "lawcircle.session"
        private const val ENTRY = "sealed"
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val IV_BYTES = 12
        private const val TAG_BITS = 128

        /** Where an earlier version kept the password (sealed); forgotten at start. */
        const val LEGACY_SIGN_IN_PREFS = "lawcircle.sign_in"

        /** The Keystore key's alias (the one earlier versions made, so a kept session still opens). */
        private const val ALIAS = "lawcircle.sign_in.v1"

        /** Binds the ciphertext to its purpose: a blob sealed for something else does not open as a session. */
        private val AAD = "lawcircle session v1".toByteArray(Charsets.UTF_8)

        /** The app's key in the Android Keystore, made on first use; it never leaves the Keystore. */
        fun keystoreKey(): SecretKey {
            val store = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }
            (store.getEntry(ALIAS, null) as? KeyStore.SecretKeyEntry)?.let { return it.secretKey }
            val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore")
            generator.init(
                KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                    .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                    .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                    .setKeySize(256)
                    .build(),
            )
            return generator.generateKey()
        }
    }
}
