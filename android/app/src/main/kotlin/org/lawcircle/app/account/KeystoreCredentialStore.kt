package org.lawcircle.app.account

import android.content.Context
import android.content.SharedPreferences
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.util.Base64
import org.json.JSONException
import org.json.JSONObject
import org.lawcircle.phone.CredentialStore
import org.lawcircle.phone.SavedSignIn
import java.io.IOException
import java.security.GeneralSecurityException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The saved sign-in, encrypted with AES-256-GCM under a key that never
 * leaves the Android Keystore (hardware-backed where the phone has it),
 * the ciphertext in the app's private preferences (excluded from backup
 * by the app's data extraction rules, and useless without the key).
 *
 * A saved sign-in that cannot be decrypted (the key was invalidated, the
 * preferences came from another device) is forgotten: the user signs in
 * again, which is what they would expect, instead of being stuck.
 */
class KeystoreCredentialStore(
    context: Context,
    /** The key; the Keystore's in the app, a software key in the JVM tests (Robolectric has no Keystore). */
    private val key: () -> SecretKey = ::keystoreKey,
) : CredentialStore {
    private val prefs: SharedPreferences = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE)

    override fun load(): SavedSignIn? {
        val stored = prefs.getString(ENTRY, null) ?: return null
        return try {
            val bytes = Base64.decode(stored, Base64.NO_WRAP)
            if (bytes.size <= IV_BYTES) throw GeneralSecurityException("too short")
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES))
            cipher.updateAAD(AAD)
            val json = JSONObject(String(cipher.doFinal(bytes, IV_BYTES, bytes.size - IV_BYTES), Charsets.UTF_8))
            SavedSignIn(json.getString("server_url"), json.getString("username"), json.getString("secret"))
        } catch (e: GeneralSecurityException) {
            clear()
            null
        } catch (e: IllegalArgumentException) {
            clear()
            null
        } catch (e: JSONException) {
            clear()
            null
        }
    }

    override fun save(saved: SavedSignIn) {
        val plain = JSONObject()
            .put("server_url", saved.serverUrl)
            .put("username", saved.username)
            .put("secret", saved.secret)
            .toString()
            .toByteArray(Charsets.UTF_8)
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
            throw IOException("could not encrypt the sign-in: ${e.message}", e)
        } finally {
            plain.fill(0)
        }
        if (!prefs.edit().putString(ENTRY, Base64.encodeToString(sealed, Base64.NO_WRAP)).commit()) {
            throw IOException("could not write the sign-in")
        }
    }

    override fun clear() {
        if (!prefs.edit().remove(ENTRY).commit()) throw IOException("could not forget the sign-in")
    }

    companion object {
        const val PREFS = "lawcircle.sign_in"
        private const val ENTRY = "sealed"
        private const val ALIAS = "lawcircle.sign_in.v1"
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val IV_BYTES = 12
        private const val TAG_BITS = 128

        /** Binds the ciphertext to its purpose: a blob sealed for something else does not open here. */
        private val AAD = "lawcircle saved sign-in v1".toByteArray(Charsets.UTF_8)

        /** The app's key in the Android Keystore, made on first use. */
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
