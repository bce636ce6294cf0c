package org.lawcircle.app.push

import java.nio.ByteBuffer
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import javax.crypto.Cipher
import javax.crypto.KeyAgreement
import javax.crypto.Mac
import javax.crypto.spec.GCMParameterSpec
import javax.crypto.spec.SecretKeySpec

/**
 * The sender's side of RFC 8291 in the tests (what the server does in
 * server/src/notifications/unifiedpush.rs), checked against RFC 8291's own
 * message in [WebPushTest]; the end-to-end test reads the real server's.
 */
object WebPushEncryption {
    fun encrypt(
        plaintext: ByteArray,
        uaPublic: ByteArray,
        auth: ByteArray,
        salt: ByteArray = ByteArray(16).also { java.security.SecureRandom().nextBytes(it) },
        sender: KeyPair = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair(),
        recordSize: Int = 4096,
    ): ByteArray {
        val asPublic = WebPushKeys.encodePoint((sender.public as ECPublicKey).w)
        val secret = KeyAgreement.getInstance("ECDH").run {
            init(sender.private)
            doPhase(WebPushKeys.decodePoint(uaPublic), true)
            generateSecret()
        }
        val ikm = hmac(hmac(auth, secret), "WebPush: info".toByteArray() + 0.toByte() + uaPublic + asPublic + 1.toByte()).copyOf(32)
        val prk = hmac(salt, ikm)
        val cek = hmac(prk, "Content-Encoding: aes128gcm".toByteArray() + 0.toByte() + 1.toByte()).copyOf(16)
        val nonce = hmac(prk, "Content-Encoding: nonce".toByteArray() + 0.toByte() + 1.toByte()).copyOf(12)
        val record = Cipher.getInstance("AES/GCM/NoPadding").run {
            init(Cipher.ENCRYPT_MODE, SecretKeySpec(cek, "AES"), GCMParameterSpec(128, nonce))
            doFinal(plaintext + 2.toByte())
        }
        return salt + ByteBuffer.allocate(4).putInt(recordSize).array() + 65.toByte() + asPublic + record
    }

    private fun hmac(key: ByteArray, data: ByteArray): ByteArray =
        Mac.getInstance("HmacSHA256").run {
            init(SecretKeySpec(key, "HmacSHA256"))
            doFinal(data)
        }
}
