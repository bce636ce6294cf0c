package org.lawcircle.app.push

import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Test
import java.math.BigInteger
import java.security.KeyFactory
import java.security.KeyPair
import java.security.spec.ECPrivateKeySpec

/** RFC 8291 decryption on the plain JVM (the same javax.crypto calls Android has). */
class WebPushTest {
    /** The receiver of RFC 8291 Appendix A. */
    private fun rfcKeys(): WebPushKeys {
        val d = BigInteger(1, unBase64Url("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"))
        val private = KeyFactory.getInstance("EC").generatePrivate(ECPrivateKeySpec(d, WebPushKeys.P256))
        val public = WebPushKeys.decodePoint(unBase64Url(UA_PUBLIC))
        return WebPushKeys(KeyPair(public, private), unBase64Url("BTBZMqHH6r4Tts7J_aSIgg"))
    }

    @Test
    fun decrypts_the_rfc_8291_appendix_a_message() {
        val keys = rfcKeys()
        assertEquals(UA_PUBLIC, keys.p256dh)
        assertEquals("BTBZMqHH6r4Tts7J_aSIgg", keys.authBase64)
        val plain = WebPushDecryption.decrypt(unBase64Url(RFC_BODY), keys)
        assertEquals("When I grow up, I want to be a watermelon", String(plain))
    }

    @Test
    fun the_tests_encryption_makes_rfc_8291s_message_and_round_trips() {
        val d = BigInteger(1, unBase64Url("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"))
        val factory = KeyFactory.getInstance("EC")
        val sender = KeyPair(
            WebPushKeys.decodePoint(unBase64Url("BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8")),
            factory.generatePrivate(ECPrivateKeySpec(d, WebPushKeys.P256)),
        )
        val body = WebPushEncryption.encrypt(
            "When I grow up, I want to be a watermelon".toByteArray(),
            unBase64Url(UA_PUBLIC),
            unBase64Url("BTBZMqHH6r4Tts7J_aSIgg"),
            salt = unBase64Url("DGv6ra1nlYgDCS1FRnbzlw"),
            sender = sender,
        )
        assertEquals(RFC_BODY, base64Url(body))
        val keys = WebPushKeys.generate()
        val text = "{\"id\":\"m-1\",\"title\":\"新的咨询单\"}"
        val sealed = WebPushEncryption.encrypt(text.toByteArray(), keys.publicKey, keys.authSecret)
        assertEquals(text, String(WebPushDecryption.decrypt(sealed, keys)))
    }

    @Test
    fun an_altered_body_or_other_keys_are_refused() {
        val body = unBase64Url(RFC_BODY)
        val altered = body.copyOf().also { it[it.size - 20] = (it[it.size - 20].toInt() xor 1).toByte() }
        assertThrows(WebPushException::class.java) { WebPushDecryption.decrypt(altered, rfcKeys()) }
        assertThrows(WebPushException::class.java) { WebPushDecryption.decrypt(body, WebPushKeys.generate()) }
        assertThrows(WebPushException::class.java) { WebPushDecryption.decrypt(body.copyOf(40), rfcKeys()) }
        // A sender key that is not a point of P-256 is refused before any key agreement.
        val offCurve = body.copyOf().also { it[21 + 64] = (it[21 + 64].toInt() xor 1).toByte() }
        assertThrows(WebPushException::class.java) { WebPushDecryption.decrypt(offCurve, rfcKeys()) }
    }

    @Test
    fun keys_survive_their_encoding_and_junk_is_not_keys() {
        val keys = WebPushKeys.generate()
        val again = WebPushKeys.decode(keys.encode())!!
        assertEquals(keys.p256dh, again.p256dh)
        assertArrayEquals(keys.authSecret, again.authSecret)
        assertArrayEquals(keys.keyPair.private.encoded, again.keyPair.private.encoded)
        assertEquals(65, keys.publicKey.size)
        assertEquals(16, keys.authSecret.size)
        assertNull(WebPushKeys.decode("not\nkeys"))
        assertNull(WebPushKeys.decode(""))
    }

    companion object {
        const val UA_PUBLIC = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
        const val RFC_BODY = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
    }
}
