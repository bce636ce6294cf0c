package org.lawcircle.app.push

import java.math.BigInteger
import java.nio.ByteBuffer
import java.security.AlgorithmParameters
import java.security.GeneralSecurityException
import java.security.KeyFactory
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.SecureRandom
import java.security.interfaces.ECPrivateKey
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.security.spec.ECParameterSpec
import java.security.spec.ECPoint
import java.security.spec.ECPublicKeySpec
import java.security.spec.PKCS8EncodedKeySpec
import java.util.Base64
import javax.crypto.Cipher
import javax.crypto.KeyAgreement
import javax.crypto.Mac
import javax.crypto.spec.GCMParameterSpec
import javax.crypto.spec.SecretKeySpec

/** Why a pushed body could not be read: it is dropped, never shown. */
class WebPushException(message: String, cause: Throwable? = null) : Exception(message, cause)

/**
 * This app's RFC 8291 receiving keys: a P-256 key pair and a 16-byte
 * authentication secret. The public key (65 bytes, uncompressed) and the
 * secret go to the server with the endpoint; the server encrypts every
 * push for them, so the distributor and the push service read nothing.
 */
class WebPushKeys(val keyPair: KeyPair, authSecret: ByteArray) {
    init {
        require(authSecret.size == 16) { "the authentication secret is 16 bytes" }
        require(keyPair.public is ECPublicKey && keyPair.private is ECPrivateKey) { "a P-256 key pair" }
    }

    private val auth = authSecret.copyOf()
    val authSecret: ByteArray get() = auth.copyOf()

    /** The public key as the uncompressed point 0x04 || X || Y (65 bytes). */
    val publicKey: ByteArray get() = encodePoint((keyPair.public as ECPublicKey).w)

    /** The public key, base64url without padding: the server's `p256dh`. */
    val p256dh: String get() = base64Url(publicKey)

    /** The authentication secret, base64url without padding: the server's `auth`. */
    val authBase64: String get() = base64Url(auth)

    /** Private key (PKCS#8), public point and secret, base64url, one per line: for app-private storage. */
    fun encode(): String = listOf(keyPair.private.encoded, publicKey, auth).joinToString("\n") { base64Url(it) }

    override fun toString(): String = "WebPushKeys(p256dh=$p256dh)"

    companion object {
        /** A fresh key pair and secret. */
        fun generate(random: SecureRandom = SecureRandom()): WebPushKeys {
            val generator = KeyPairGenerator.getInstance("EC")
            generator.initialize(ECGenParameterSpec("secp256r1"), random)
            val secret = ByteArray(16).also(random::nextBytes)
            return WebPushKeys(generator.generateKeyPair(), secret)
        }

        /** What [encode] wrote; null when it is not that (the caller makes new keys). */
        fun decode(text: String): WebPushKeys? = try {
            val (private, public, auth) = text.trim().lines().map { unBase64Url(it.trim()) }.also { require(it.size == 3) }
            val factory = KeyFactory.getInstance("EC")
            val privateKey = factory.generatePrivate(PKCS8EncodedKeySpec(private))
            WebPushKeys(KeyPair(decodePoint(public), privateKey), auth)
        } catch (e: IllegalArgumentException) {
            null
        } catch (e: GeneralSecurityException) {
            null
        } catch (e: WebPushException) {
            null
        }

        /** The P-256 (secp256r1) domain parameters. */
        val P256: ECParameterSpec by lazy {
            AlgorithmParameters.getInstance("EC").run {
                init(ECGenParameterSpec("secp256r1"))
                getParameterSpec(ECParameterSpec::class.java)
            }
        }

        /** 0x04 || X || Y, each coordinate as 32 big-endian bytes. */
        fun encodePoint(w: ECPoint): ByteArray = byteArrayOf(4) + fixed32(w.affineX) + fixed32(w.affineY)

        /**
         * A public key from an uncompressed point, checked to be on P-256
         * (an invalid point would leak the private key through ECDH).
         */
        fun decodePoint(bytes: ByteArray): ECPublicKey {
            if (bytes.size != 65 || bytes[0] != 4.toByte()) throw WebPushException("not an uncompressed P-256 point")
            val x = BigInteger(1, bytes.copyOfRange(1, 33))
            val y = BigInteger(1, bytes.copyOfRange(33, 65))
            val curve = P256.curve
            val p = (curve.field as java.security.spec.ECFieldFp).p
            if (x >= p || y >= p) throw WebPushException("the point is not on P-256")
            val lhs = y.multiply(y).mod(p)
            val rhs = x.pow(3).add(curve.a.multiply(x)).add(curve.b).mod(p)
            if (lhs != rhs) throw WebPushException("the point is not on P-256")
            return KeyFactory.getInstance("EC").generatePublic(ECPublicKeySpec(ECPoint(x, y), P256)) as ECPublicKey
        }

        private fun fixed32(n: BigInteger): ByteArray {
            val raw = n.toByteArray()
            return when {
                raw.size == 32 -> raw
                raw.size > 32 -> raw.copyOfRange(raw.size - 32, raw.size)
                else -> ByteArray(32 - raw.size) + raw
            }
        }
    }
}

fun base64Url(bytes: ByteArray): String = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)

fun unBase64Url(text: String): ByteArray = Base64.getUrlDecoder().decode(text.trimEnd('='))

/**
 * Reads a push body encrypted for [WebPushKeys] as RFC 8291 Web Push
 * message encryption over RFC 8188 `aes128gcm`:
 *
 * ```text
 * body      = salt (16) || rs (4) || idlen (1) || as_public (idlen = 65) || records
 * secret    = ECDH(ua_private, as_public)
 * PRK_key   = HKDF-Extract(auth, secret)
 * IKM       = HKDF-Expand(PRK_key, "WebPush: info" || 0 || ua_public || as_public, 32)
 * PRK       = HKDF-Extract(salt, IKM)
 * CEK       = HKDF-Expand(PRK, "Content-Encoding: aes128gcm" || 0, 16)
 * NONCE     = HKDF-Expand(PRK, "Content-Encoding: nonce" || 0, 12)
 * record i  = AES-128-GCM(CEK, NONCE xor i) of data || delimiter (1 or, last, 2) || zero padding
 * ```
 */
object WebPushDecryption {
    private const val HEADER = 16 + 4 + 1
    private const val TAG = 16

    fun decrypt(body: ByteArray, keys: WebPushKeys): ByteArray {
        if (body.size < HEADER) throw WebPushException("too short for an aes128gcm header")
        val salt = body.copyOfRange(0, 16)
        val rs = ByteBuffer.wrap(body, 16, 4).int.toLong() and 0xffff_ffffL
        val idLength = body[20].toInt() and 0xff
        if (rs < TAG + 2) throw WebPushException("record size $rs is too small")
        if (idLength != 65) throw WebPushException("the key id is not the sender's P-256 public key")
        if (body.size < HEADER + idLength + TAG + 1) throw WebPushException("no record after the header")
        val senderPublic = body.copyOfRange(HEADER, HEADER + idLength)
        val sender = WebPushKeys.decodePoint(senderPublic)

        val secret = try {
            KeyAgreement.getInstance("ECDH").run {
                init(keys.keyPair.private)
                doPhase(sender, true)
                generateSecret()
            }
        } catch (e: GeneralSecurityException) {
            throw WebPushException("key agreement failed", e)
        }
        val prkKey = hmac(keys.authSecret, secret)
        val ikm = expand(prkKey, "WebPush: info".toByteArray() + 0.toByte() + keys.publicKey + senderPublic, 32)
        val prk = hmac(salt, ikm)
        val cek = expand(prk, "Content-Encoding: aes128gcm".toByteArray() + 0.toByte(), 16)
        val nonce = expand(prk, "Content-Encoding: nonce".toByteArray() + 0.toByte(), 12)

        val out = java.io.ByteArrayOutputStream()
        var offset = HEADER + idLength
        var seq = 0L
        while (offset < body.size) {
            val end = minOf(body.size.toLong(), offset + rs).toInt()
            val last = end == body.size
            val plain = try {
                Cipher.getInstance("AES/GCM/NoPadding").run {
                    init(Cipher.DECRYPT_MODE, SecretKeySpec(cek, "AES"), GCMParameterSpec(TAG * 8, recordNonce(nonce, seq)))
                    doFinal(body, offset, end - offset)
                }
            } catch (e: GeneralSecurityException) {
                throw WebPushException("record $seq does not decrypt (wrong keys or altered body)", e)
            }
            // Strip the zero padding; the delimiter says whether more records follow.
            val delimiterAt = plain.indexOfLast { it != 0.toByte() }
            if (delimiterAt < 0) throw WebPushException("record $seq has no delimiter")
            val expected = if (last) 2 else 1
            if (plain[delimiterAt].toInt() != expected) throw WebPushException("record $seq has the wrong delimiter")
            out.write(plain, 0, delimiterAt)
            offset = end
            seq++
        }
        return out.toByteArray()
    }

    private fun recordNonce(nonce: ByteArray, seq: Long): ByteArray {
        val n = nonce.copyOf()
        for (i in 0 until 8) n[11 - i] = (n[11 - i].toInt() xor ((seq ushr (8 * i)).toInt() and 0xff)).toByte()
        return n
    }

    private fun hmac(key: ByteArray, data: ByteArray): ByteArray =
        Mac.getInstance("HmacSHA256").run {
            init(SecretKeySpec(key, "HmacSHA256"))
            doFinal(data)
        }

    /** HKDF-Expand for at most one block (every length here is ≤ 32). */
    private fun expand(prk: ByteArray, info: ByteArray, length: Int): ByteArray =
        hmac(prk, info + 1.toByte()).copyOf(length)
}
