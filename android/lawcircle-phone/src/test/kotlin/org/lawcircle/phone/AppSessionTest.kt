package org.lawcircle.phone

import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.Account
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.DeviceTime
import org.lawcircle.ffi.FixSource
import org.lawcircle.ffi.GpsFix
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.PunchKind
import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull

/** The hooks the app's glue would run, recorded. */
class RecordingHooks : SessionHooks {
    val calls = mutableListOf<String>()

    override fun signedIn(client: LawCircleClient, account: Account) {
        calls += "signedIn:${account.username}"
    }

    override fun signingOut(client: LawCircleClient) {
        calls += "signingOut"
    }

    override fun signedOut() {
        calls += "signedOut"
    }
}

/** Which screen the app opens at launch, sign-in to the role's home, and what sign-out does, against the real server. */
class AppSessionTest {
    private val dir: File = Files.createTempDirectory("lawcircle-session").toFile()

    private fun opener(): (ClientLogin) -> LawCircleClient = { s ->
        LawCircleClient.open(
            ClientConfig(File(dir, "${s.username}/lawcircle.sqlite").path, s.serverUrl, Credentials(s.username, s.password)),
            OkHttpTransport(),
        )
    }

    @Test
    fun `launch shows sign-in, a sign-in goes home, a relaunch restores offline, sign-out with unsent work asks first`() {
        val server = TestServer.start("--demo")
        try {
            val people = server.seedPeople()
            val store = MemorySessionStore()
            val hooks = RecordingHooks()
            // First launch: nothing saved, the sign-in screen.
            runBlocking {
                AppSession(SignInPresenter(server.baseUrl, store, this, open = opener()), hooks, this).use { session ->
                    assertEquals(AppScreen.Starting, session.state.value.screen)
                    session.launch().join()
                    assertEquals(AppScreen.SignIn, session.state.value.screen)
                    assertEquals(emptyList(), hooks.calls)
                    session.signIn.setUsername(people.volunteer.username)
                    session.signIn.setPassword(people.volunteer.password)
                    session.signIn.signIn().join()
                    val signed = assertIs<AppScreen.Signed>(session.state.first { it.screen is AppScreen.Signed }.screen)
                    assertEquals(Home.VOLUNTEER, signed.home)
                    assertEquals(people.volunteer.username, signed.account.username)
                    assertEquals(listOf("signedIn:${people.volunteer.username}"), hooks.calls)
                    // The duty posts come with the catalogue, kept on the phone for the offline launch.
                    signed.client.refreshCatalogue()
                }
            }
            hooks.calls.clear()
            // The next launch with the platform unreachable: straight to the volunteer's home.
            server.stop()
            runBlocking {
                AppSession(SignInPresenter("https://default.example", store, this, open = opener()), hooks, this).use { session ->
                    session.launch().join()
                    val signed = assertIs<AppScreen.Signed>(session.state.value.screen)
                    assertEquals(Home.VOLUNTEER, signed.home)
                    assertEquals(listOf("signedIn:${people.volunteer.username}"), hooks.calls)
                    // A punch made offline waits in the outbox.
                    val elapsed = (System.nanoTime() / 1_000_000 + 10_000_000).toULong()
                    val now = DeviceTime(System.currentTimeMillis(), elapsed)
                    val fix = GpsFix(
                        people.postLat, people.postLng, Datum.WGS84, 8.0, FixSource.GPS, false, now.wallMs, now.elapsedMs, null,
                    )
                    signed.client.clockIn(people.postId, PunchKind.IN, fix, now)
                    // Sign-out asks first and changes nothing.
                    session.signOut().join()
                    assertEquals(1uL, session.state.value.unsentAtSignOut)
                    assertIs<AppScreen.Signed>(session.state.value.screen)
                    assertNotNull(store.saved)
                    assertEquals(1uL, signed.client.outboxCounts().notSent, "the punch is still queued")
                    session.keepSignedIn()
                    assertNull(session.state.value.unsentAtSignOut)
                    // Told, the user discards: back to the sign-in screen, the saved sign-in forgotten.
                    session.signOut(discardPending = true).join()
                    assertEquals(AppScreen.SignIn, session.state.value.screen)
                    assertNull(store.saved)
                    assertNull(session.signIn.client)
                    assertEquals(listOf("signedIn:${people.volunteer.username}", "signingOut", "signedOut"), hooks.calls)
                }
            }
            // And the launch after that: the sign-in screen again.
            runBlocking {
                AppSession(SignInPresenter("https://default.example", store, this, open = opener()), hooks, this).use { session ->
                    session.launch().join()
                    assertEquals(AppScreen.SignIn, session.state.value.screen)
                }
            }
        } finally {
            server.close()
            dir.deleteRecursively()
        }
    }

    @Test
    fun `a resident with nothing queued signs out at once and lands on the sign-in screen`(): Unit =
        TestServer.start("--demo").use { server ->
            val people = server.seedPeople()
            val store = MemorySessionStore()
            val hooks = RecordingHooks()
            runBlocking {
                AppSession(SignInPresenter(server.baseUrl, store, this, open = opener()), hooks, this).use { session ->
                    session.launch().join()
                    session.signIn.setUsername(people.resident.username)
                    session.signIn.setPassword(people.resident.password)
                    session.signIn.signIn().join()
                    val signed = assertIs<AppScreen.Signed>(session.state.first { it.screen is AppScreen.Signed }.screen)
                    assertEquals(Home.RESIDENT, signed.home)
                    session.signOut().join()
                    assertNull(session.state.value.unsentAtSignOut)
                    assertEquals(AppScreen.SignIn, session.state.value.screen)
                    assertNull(store.saved)
                    assertEquals(listOf("signedIn:${people.resident.username}", "signingOut", "signedOut"), hooks.calls)
                }
            }
            dir.deleteRecursively()
        }
}
