package org.lawcircle.phone

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.DeviceTime
import org.lawcircle.ffi.FixSource
import org.lawcircle.ffi.GpsFix
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.SessionStore
import org.lawcircle.ffi.StoredSession
import org.lawcircle.ffi.PunchKind
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** A session store in memory, as the Keystore-backed one behaves (and one that fails, as a locked Keystore). */
class MemorySessionStore(var failing: Boolean = false) : SessionStore {
    @Volatile
    var saved: StoredSession? = null
    val writes = mutableListOf<String>()

    override fun load(): StoredSession? {
        if (failing) throw LawCircleException.Internal("keystore locked")
        return saved
    }

    override fun save(session: StoredSession) {
        if (failing) throw LawCircleException.Internal("keystore locked")
        saved = session
        synchronized(writes) { writes += "save" }
    }

    override fun clear() {
        if (failing) throw LawCircleException.Internal("keystore locked")
        saved = null
        synchronized(writes) { writes += "clear" }
    }
}

/** An account whose username is a mobile number, made by the district admin over HTTP (a sign-in by code finds it). */
fun TestServer.makeMobileAccount(people: People, phone: String) {
    val http = HttpClient.newHttpClient()
    fun post(path: String, body: String, token: String?): HttpResponse<String> {
        val b = HttpRequest.newBuilder(URI(url(path)))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
        token?.let { b.header("authorization", "Bearer $it") }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString())
    }
    val login = post("/api/v1/auth/login", """{"username":"${people.admin.username}","password":"${people.admin.password}"}""", null)
    assertEquals(200, login.statusCode(), login.body())
    val token = Json.parse(login.body()).obj().str("token")
    val made = post(
        "/api/v1/accounts",
        """{"username":"$phone","display_name":"林晓","role":"resident","street_code":"${people.streetCode}","password":"a long passphrase 42"}""",
        token,
    )
    assertEquals(201, made.statusCode(), made.body())
}

/** Signing in, restoring the session at launch (online and offline) and signing out, against the real server. */
class SignInFlowsTest {
    private val dir: File = Files.createTempDirectory("lawcircle-signin").toFile()

    private fun opener(): (ClientLogin) -> LawCircleClient = { s ->
        LawCircleClient.open(
            ClientConfig(File(dir, "${s.username}/lawcircle.sqlite").path, s.serverUrl, Credentials(s.username, s.password)),
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
        assertNull(SignInPresenter.serverAddressFromQr("lawcircle://connect?server=http%3A%2F%2Ffw.longwan.example"), "plain HTTP off loopback")
        withScope { scope ->
            SignInPresenter("https://default.example", MemorySessionStore(), scope, open = opener()).use { p ->
                p.scanned("WIFI:S:station;;")
                assertEquals("server_url", p.state.value.error?.field)
                assertEquals("https://default.example", p.state.value.serverUrl)
                p.scanned("lawcircle://connect?server=https://station.example")
                assertEquals("https://station.example", p.state.value.serverUrl)
                assertNull(p.state.value.error, "a good code clears the error")
                p.scanFailed("图片里没有找到二维码 No QR code found in the picture")
                assertEquals(UiError("图片里没有找到二维码 No QR code found in the picture", "server_url"), p.state.value.error)
                assertEquals("https://station.example", p.state.value.serverUrl, "a failed scan keeps the address")
                p.setServerUrl("https://station.example")
                assertNull(p.state.value.error, "typing clears it")
            }
        }
    }

    @Test
    fun `signing in checks the form, refuses a wrong password, saves the credentials and picks the home`() =
        TestServer.start("--demo").use { server ->
            val people = server.seedPeople()
            val store = MemorySessionStore()
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
                    // The library's session store keeps the session: its token and account, never the password.
                    val kept = assertNotNull(store.saved)
                    assertEquals(server.baseUrl.trimEnd('/'), kept.serverUrl)
                    assertEquals(people.volunteer.username, kept.username)
                    assertEquals(people.volunteer.username, kept.account.username)
                    assertTrue(kept.token.isNotEmpty() && kept.token != people.volunteer.password)
                    assertTrue(people.volunteer.password !in kept.toString(), "the password is not in the kept session")
                    assertNotNull(p.client)
                    assertTrue(people.volunteer.password !in p.state.value.toString())
                }
            }
        }

    @Test
    fun `a saved sign-in restores the session at launch, offline too, and sign-out keeps unsent punches unless discarded`() {
        val server = TestServer.start("--demo")
        try {
            val people = server.seedPeople()
            val store = MemorySessionStore()
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
    fun `a session store that fails is reported in words and nothing is signed in`() =
        TestServer.start("--demo").use { server ->
            val people = server.seedPeople()
            val store = MemorySessionStore(failing = true)
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

    @Test
    fun `signing in by SMS code asks for a code, refuses a wrong one and keeps only the session`() = runBlocking<Unit> {
        FakeSms.start().use { sms ->
            TestServer.start(*(listOf("--demo") + sms.serverArgs).toTypedArray()).use { server ->
                val people = server.seedPeople()
                val phone = "13700004444"
                server.makeMobileAccount(people, phone)
                val store = MemorySessionStore()
                SignInPresenter(server.baseUrl, store, this, open = opener()).use { p ->
                    p.setMethod(SignInMethod.SMS_CODE)
                    p.signInWithCode().join()
                    assertEquals("phone", p.state.value.error?.field)
                    p.setUsername(phone)
                    p.signInWithCode().join()
                    assertEquals("code", p.state.value.error?.field, "no code asked for yet")
                    p.requestCode().join()
                    assertNotNull(p.state.value.codeSent, "${p.state.value.error}")
                    val code = sms.waitFor(phone, FakeSms.CODE_TEMPLATE).str("code")
                    val wrong = if (code == "000000") "111111" else "000000"
                    p.setCode(wrong)
                    p.signInWithCode().join()
                    assertEquals("code", p.state.value.error?.field)
                    assertNull(p.client)
                    assertNull(store.saved)
                    p.setCode(code)
                    assertTrue(code !in p.state.value.toString(), "the code is not in the state's text")
                    p.signInWithCode().join()
                    val signed = assertIs<SignInPhase.SignedIn>(p.state.value.phase, "${p.state.value.error}")
                    assertEquals(Home.RESIDENT, signed.home)
                    assertEquals(phone, signed.account.username)
                    assertEquals(phone, assertNotNull(store.saved).username)
                    assertNotNull(p.client).myNeeds()
                }
                // The next launch takes the kept session up: no password was ever typed.
                SignInPresenter("https://default.example", store, this, open = opener()).use { p ->
                    p.restore().join()
                    assertEquals(phone, assertIs<SignInPhase.SignedIn>(p.state.value.phase).account.username)
                    assertNotNull(p.client).myNeeds()
                    p.signOut().join()
                    assertNull(store.saved)
                }
            }
        }
    }

    @Test
    fun `registering from the sign-in screen opens a client on its server, signs in and leads to the home`() = runBlocking<Unit> {
        FakeSms.start().use { sms ->
            TestServer.start(*(listOf("--demo") + sms.serverArgs).toTypedArray()).use { server ->
                server.seedPeople()
                val phone = "13700005555"
                val store = MemorySessionStore()
                val hooks = RecordingHooks()
                AppSession(SignInPresenter("https://default.example", store, this, open = opener()), hooks, this).use { session ->
                    session.launch().join()
                    assertEquals(AppScreen.SignIn, session.state.value.screen)
                    // The server address from the station's code, then "register".
                    session.signIn.scanned("lawcircle://connect?server=" + java.net.URLEncoder.encode(server.baseUrl, Charsets.UTF_8))
                    session.signIn.registration().use { reg ->
                        reg.requestCode().join()
                        assertEquals("phone", reg.state.value.error?.field, "no number typed")
                        reg.setPhone(phone)
                        reg.requestCode().join()
                        assertNotNull(reg.state.value.codeSent, "${reg.state.value.error}")
                        val code = sms.waitFor(phone, FakeSms.CODE_TEMPLATE).str("code")
                        reg.setDisplayName("陈女士")
                        reg.setCode(if (code == "000000") "111111" else "000000")
                        reg.submit().join()
                        assertEquals("code", reg.state.value.error?.field)
                        assertIs<AppScreen.SignIn>(session.state.value.screen)
                        assertNull(session.signIn.client)
                        reg.setCode(code)
                        reg.submit().join()
                        assertNotNull(reg.state.value.account, "${reg.state.value.error}")
                    }
                    val signed = assertIs<AppScreen.Signed>(session.state.first { it.screen is AppScreen.Signed }.screen)
                    assertEquals(Home.RESIDENT, signed.home)
                    assertEquals(phone, signed.account.username)
                    assertEquals(listOf("signedIn:$phone"), hooks.calls)
                    assertEquals(server.baseUrl.trimEnd('/'), signed.client.serverUrl())
                    // The registration's client is the session's: it works after the screen closed.
                    signed.client.myNeeds()
                    assertEquals(phone, assertNotNull(store.saved).username)
                }
                // The next launch takes the kept session up.
                SignInPresenter("https://default.example", store, this, open = opener()).use { p ->
                    p.restore().join()
                    assertEquals(phone, assertIs<SignInPhase.SignedIn>(p.state.value.phase).account.username)
                }
            }
        }
    }
}
