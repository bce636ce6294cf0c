package org.lawcircle.phone

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.DeviceTime
import org.lawcircle.ffi.FixSource
import org.lawcircle.ffi.GpsFix
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.PunchKind
import java.io.File
import java.io.IOException
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** A credential store in memory, as the Keystore-backed one behaves (and one that fails). */
class MemoryCredentialStore(var failing: Boolean = false) : CredentialStore {
    var saved: SavedSignIn? = null
    val writes = mutableListOf<String>()

    override fun load(): SavedSignIn? {
        if (failing) throw IOException("keystore locked")
        return saved
    }

    override fun save(saved: SavedSignIn) {
        if (failing) throw IOException("keystore locked")
        this.saved = saved
        writes += "save"
    }

    override fun clear() {
        if (failing) throw IOException("keystore locked")
        saved = null
        writes += "clear"
    }
}

/** Signing in, restoring the session at launch (online and offline) and signing out, against the real server. */
class SignInFlowsTest {
    private val dir: File = Files.createTempDirectory("lawcircle-signin").toFile()

    private fun opener(): (SavedSignIn) -> LawCircleClient = { s ->
        LawCircleClient.open(
            ClientConfig(File(dir, "${s.username}/lawcircle.sqlite").path, s.serverUrl, Credentials(s.username, s.secret)),
            OkHttpTransport(),
        )
    }

    private fun <T> withScope(block: (CoroutineScope) -> T): T = runBlocking { block(this) }

    @Test
    fun `a station QR code sets the server and anything else is refused naming the field`() {
        assertEquals(
            "https://fw.longwan.example/api",
            SignInPresenter.serverAddressFromQr("lawcircle://connect?server=https%3A%2F%2Ffw.longwan.example%2Fapi"),
        )
        assertEquals("https://a.example", SignInPresenter.serverAddressFromQr("  https://a.example "))
        assertNull(SignInPresenter.serverAddressFromQr("lawcircle://connect?server=ftp://x.example"))
        assertNull(SignInPresenter.serverAddressFromQr("lawcircle://other?server=https://x.example"))
        assertNull(SignInPresenter.serverAddressFromQr("WIFI:S:station;T:WPA;P:secret;;"))
        assertNull(SignInPresenter.serverAddressFromQr("https://"))
        withScope { scope ->
            SignInPresenter("https://default.example", MemoryCredentialStore(), scope, open = opener()).use { p ->
                p.scanned("WIFI:S:station;;")
                assertEquals("server_url", p.state.value.error?.field)
                assertEquals("https://default.example", p.state.value.serverUrl)
                p.scanned("lawcircle://connect?server=https://station.example")
                assertEquals("https://station.example", p.state.value.serverUrl)
                assertNull(p.state.value.error, "a good code clears the error")
            }
        }
    }

    @Test
    fun `signing in checks the form, refuses a wrong password, saves the credentials and picks the home`() =
        TestServer.start("--demo").use { server ->
            val people = server.seedPeople()
            val store = MemoryCredentialStore()
            withScope { scope ->
                SignInPresenter(server.baseUrl, store, scope, open = opener()).use { p ->
                    runBlocking { p.signIn().join() }
                    assertEquals("username", p.state.value.error?.field)
                    p.setUsername(" ${people.volunteer.username} ")
                    runBlocking { p.signIn().join() }
                    assertEquals("password", p.state.value.error?.field)
                    p.setPassword("not the password")
                    runBlocking { p.signIn().join() }
                    val refused = assertNotNull(p.state.value.error, "a wrong password is refused")
                    assertNull(store.saved, "nothing is saved for a refused sign-in")
                    assertNull(p.client)
                    assertEquals("password", refused.field)
                    assertTrue(refused.message.startsWith("用户名或密码不正确"))
                    p.setPassword(people.volunteer.password)
                    assertNull(p.state.value.error, "editing clears the error")
                    runBlocking { p.signIn().join() }
                    val signedIn = assertIs<SignInPhase.SignedIn>(p.state.value.phase)
                    assertEquals(Home.VOLUNTEER, signedIn.home)
                    assertEquals(people.volunteer.username, signedIn.account.username)
                    assertEquals("", p.state.value.password, "the password is not kept in the screen state")
                    assertEquals(SavedSignIn(server.baseUrl, people.volunteer.username, people.volunteer.password), store.saved)
                    assertNotNull(p.client)
                    assertTrue("secret" !in p.state.value.toString() && people.volunteer.password !in store.saved.toString())
                }
            }
        }

    @Test
    fun `a saved sign-in restores the session at launch, offline too, and sign-out keeps unsent punches unless discarded`() {
        val server = TestServer.start("--demo")
        try {
            val people = server.seedPeople()
            val store = MemoryCredentialStore()
            withScope { scope ->
                SignInPresenter(server.baseUrl, store, scope, open = opener()).use { p ->
                    p.setUsername(people.volunteer.username)
                    p.setPassword(people.volunteer.password)
                    runBlocking { p.signIn().join() }
                    assertIs<SignInPhase.SignedIn>(p.state.value.phase)
                    runBlocking { assertNotNull(p.client).refreshCatalogue() }
                }
            }
            // The next launch, with the platform unreachable: the account kept on the phone signs the user in.
            server.stop()
            withScope { scope ->
                SignInPresenter("https://default.example", store, scope, open = opener()).use { p ->
                    runBlocking { p.restore().join() }
                    val restored = assertIs<SignInPhase.SignedIn>(p.state.value.phase)
                    assertEquals(Home.VOLUNTEER, restored.home)
                    assertEquals(server.baseUrl, p.state.value.serverUrl)
                    val client = assertNotNull(p.client)
                    // A punch made offline waits in the outbox: signing out would lose it, so it is refused.
                    val elapsed = (System.nanoTime() / 1_000_000 + 10_000_000).toULong()
                    val now = DeviceTime(System.currentTimeMillis(), elapsed)
                    val fix = GpsFix(
                        people.postLat, people.postLng, Datum.WGS84, 8.0, FixSource.GPS, false,
                        now.wallMs, now.elapsedMs, null,
                    )
                    runBlocking { client.clockIn(people.postId, PunchKind.IN, fix, now) }
                    assertEquals(1uL, client.outboxCounts().notSent)
                    runBlocking { p.signOut().join() }
                    assertEquals("outbox", p.state.value.error?.field)
                    assertNotNull(store.saved, "a refused sign-out keeps the saved sign-in")
                    // Told, the user discards it: the phone forgets the session and the credentials.
                    runBlocking { p.signOut(discardPending = true).join() }
                    assertEquals(SignInPhase.Editing, p.state.value.phase)
                    assertNull(store.saved)
                    assertNull(p.client)
                }
            }
            // Nothing saved: the sign-in screen.
            withScope { scope ->
                SignInPresenter("https://default.example", store, scope, open = opener()).use { p ->
                    runBlocking { p.restore().join() }
                    assertEquals(SignInPhase.Editing, p.state.value.phase)
                    assertNull(p.client)
                }
            }
        } finally {
            server.close()
        }
    }

    @Test
    fun `a credential store that fails is reported in words and nothing is signed in`() =
        TestServer.start("--demo").use { server ->
            val people = server.seedPeople()
            val store = MemoryCredentialStore(failing = true)
            withScope { scope ->
                SignInPresenter(server.baseUrl, store, scope, open = opener()).use { p ->
                    runBlocking { p.restore().join() }
                    assertTrue(assertNotNull(p.state.value.error).message.contains("keystore locked"))
                    p.setUsername(people.resident.username)
                    p.setPassword(people.resident.password)
                    runBlocking { p.signIn().join() }
                    assertNotNull(p.state.value.error)
                    assertNull(p.client, "a sign-in that could not be kept is not half done")
                }
            }
        }
}
