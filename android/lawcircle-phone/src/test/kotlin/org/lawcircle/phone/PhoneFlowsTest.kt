package org.lawcircle.phone

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.ServiceProduct
import org.lawcircle.ffi.Role
import org.lawcircle.ffi.NeedStepKind
import org.lawcircle.ffi.OrderState
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.DocumentKind
import org.lawcircle.ffi.Channel
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.DeviceTime
import org.lawcircle.ffi.FenceVerdict
import org.lawcircle.ffi.FixSource
import org.lawcircle.ffi.FormWidget
import org.lawcircle.ffi.GpsFix
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.OutboxState
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.PunchKind
import org.lawcircle.ffi.SmsCodePurpose
import org.lawcircle.ffi.AttachmentInput
import org.lawcircle.ffi.LawCircleException
import java.io.File
import java.net.URI
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertFalse
import kotlin.test.assertNotEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The user flows of bindings/tests/client_flows.rs, driven through the
 * presenters against the real server: the same steps, the same checks.
 */
open class PhoneFlowsTest {
    /**
     * Whether the phones reach the server over HTTPS, through a TLS proxy
     * with a certificate of a CA made for the run ([PhoneFlowsOverTlsTest]).
     */
    protected open val overTls: Boolean = false

    private val ca by lazy { TestCa() }

    /** OkHttp as the app has it; over TLS, trusting the test CA alone. */
    private val transport by lazy { if (overTls) OkHttpTransport(ca.client()) else OkHttpTransport() }

    private val proxies = mutableMapOf<Int, TlsProxy>()

    @AfterEach
    fun closeProxies() {
        proxies.values.forEach { it.close() }
        proxies.clear()
    }

    /** The server's URL, or over TLS the proxy's in front of it (a closed port stays closed). */
    private fun reach(serverUrl: String): String {
        val port = URI(serverUrl).port
        if (!overTls || port == CLOSED_PORT) return serverUrl
        return proxies.getOrPut(port) { TlsProxy(ca, port) }.baseUrl
    }

    private fun phone(serverUrl: String, dir: File, who: String, password: String): LawCircleClient =
        LawCircleClient.open(
            ClientConfig(File(dir, "$who/lawcircle.sqlite").path, reach(serverUrl), Credentials(who, password)),
            transport,
        )

    private fun tempDir(): File = Files.createTempDirectory("lawcircle-phone").toFile()

    /**
     * Whether a QR finder pattern (7×7: dark ring, light ring, dark 3×3
     * centre) has its top left at [top], [left] of the state's matrix.
     */
    private fun finderAt(state: RatingLinkState, top: Int, left: Int): Boolean =
        (0 until 7).all { r ->
            (0 until 7).all { c ->
                val ring = minOf(r, c, 6 - r, 6 - c)
                state.isDark(top + r, left + c) == (ring != 1)
            }
        }

    /** A server with the demo data and the flows' people, stopped however the test ends. */
    private inline fun <T> withWorld(block: (TestServer, People) -> T): T =
        // Push endpoints on loopback (where nothing listens) are let in for tests only.
        TestServer.start("--demo", "--push-allow-plain-http").use { server -> block(server, server.seedPeople()) }

    private val here = { people: People -> Point(people.postLat, people.postLng, Datum.WGS84) }

    /** The phone's "since boot" clock: monotonic, well past an hour. */
    private fun elapsedMs(): ULong = (System.nanoTime() / 1_000_000 + 10_000_000).toULong()

    private val clock = DeviceClock { DeviceTime(System.currentTimeMillis(), elapsedMs()) }

    private fun fix(lat: Double, lng: Double) =
        GpsFix(lat, lng, Datum.WGS84, 8.0, FixSource.GPS, false, System.currentTimeMillis(), elapsedMs(), null)

    private fun needFields(people: People) = NeedFields(
        requesterName = "李四",
        requesterPhone = "13812345678",
        category = NeedCategory.CONSULTATION,
        description = "邻居装修噪音纠纷，希望咨询如何处理",
        address = "永中街道示例社区",
        areaCode = people.villageCode,
        channel = Channel.ONLINE,
        consentGiven = true,
    )

    private suspend fun <T> within(block: suspend CoroutineScope.() -> T): T = withTimeout(60_000, block)

    @Test
    fun `find the nearest service point offline`() = runBlocking<Unit> {
        val dir = tempDir()
        withWorld { server, people ->
            val online = phone(server.baseUrl, dir, "resident", people.resident.password).use { client ->
                FindNearestPresenter(client, this).use { p ->
                    p.refresh().join()
                    val refreshed = p.state.value
                    assertNull(refreshed.error)
                    assertTrue(!refreshed.offline)
                    assertTrue(refreshed.catalogue!!.facilities > 100u, "${refreshed.catalogue}")
                    assertTrue(refreshed.catalogue.dutyPosts > 0u)
                    p.setFilters(products = listOf(ServiceProduct.MEDIATION))
                    p.setPosition(here(people)).join()
                    val s = p.state.value
                    assertNull(s.error)
                    assertEquals(5, s.places.size)
                    assertTrue(s.places.all { ServiceProduct.MEDIATION in it.products })
                    assertTrue(s.places.zipWithNext().all { (a, b) -> a.walkingM!! <= b.walkingM!! })
                    assertTrue(s.estimated, "no walking network: distances are estimated")
                    s.places
                }
            }
            server.close()
            // Offline, and from a new client on the same phone database.
            phone("http://127.0.0.1:9", dir, "resident", "x").use { again ->
                FindNearestPresenter(again, this).use { p ->
                    p.refresh().join()
                    assertTrue(p.state.value.offline, "the refresh found no connection")
                    assertNull(p.state.value.error, "offline is no error: the phone's copy is searched")
                    p.setFilters(products = listOf(ServiceProduct.MEDIATION))
                    p.setPosition(here(people)).join()
                    val s = p.state.value
                    assertEquals(online, s.places)
                    val coverage = assertNotNull(s.coverage)
                    assertEquals(8u, coverage.total)
                    assertTrue(coverage.covered >= 1u, "$coverage")
                    // A fix that cannot be is an error naming the field.
                    p.setPosition(Point(95.0, 120.7, Datum.WGS84)).join()
                    assertEquals("lat", p.state.value.error?.field)
                    assertTrue(p.state.value.places.isEmpty())
                }
            }
        }
        dir.deleteRecursively()
    }

    @Test
    fun `clock in inside and outside the fence`() = runBlocking<Unit> {
        val dir = tempDir()
        withWorld { server, people ->
            phone(server.baseUrl, dir, "volunteer", people.volunteer.password).use { client ->
                assertEquals(people.volunteer.id, client.signIn().id)
                ClockInPresenter(client, this, clock).use { p ->
                    p.refresh().join()
                    assertTrue(p.state.value.posts.isNotEmpty())
                    // At the post now: the live check says inside, the nearest post is preselected.
                    p.onFix(fix(people.postLat, people.postLng)).join()
                    assertEquals(people.postId, p.state.value.posts.first().id)
                    assertEquals(people.postId, p.state.value.postId)
                    assertEquals(FenceVerdict.INSIDE, p.state.value.check?.verdict, "${p.state.value.check}")
                    // An hour ago at the post: inside.
                    val then = fix(people.postLat, people.postLng).let {
                        it.copy(wallTimeMs = it.wallTimeMs - 3_600_000, elapsedMs = it.elapsedMs - 3_600_000u)
                    }
                    p.onFix(then).join()
                    p.punch(PunchKind.IN, DeviceTime(then.wallTimeMs, then.elapsedMs)).join()
                    val inside = assertNotNull(p.state.value.outcome, "${p.state.value.error}")
                    assertEquals(FenceVerdict.INSIDE, inside.verdict, "$inside")
                    // Now, 1 km north: the live check turns to outside; the punch is still recorded.
                    p.onFix(fix(people.postLat + 0.009, people.postLng)).join()
                    assertEquals(FenceVerdict.OUTSIDE, p.state.value.check?.verdict)
                    p.punch(PunchKind.OUT).join()
                    val outside = assertNotNull(p.state.value.outcome)
                    assertEquals(PunchKind.OUT, outside.kind)
                    assertEquals(FenceVerdict.OUTSIDE, outside.verdict, "$outside")
                    assertTrue("outside_fence" in outside.reasons, "${outside.reasons}")
                    OutboxPresenter(client, this).use { outbox ->
                        outbox.start().join()
                        assertEquals(2uL, outbox.state.value.counts?.pending)
                        outbox.sync(30_000).join()
                        val report = assertNotNull(outbox.state.value.lastSync, "${outbox.state.value.error}")
                        assertEquals(Triple(2uL, 0uL, 0uL), Triple(report.sent, report.pending, report.wedged), "$report")
                    }
                    // The server re-checked with the same rules and agrees.
                    val (status, body) = Api.login(server, people.staff).get("/api/v1/punches/review-queue")
                    assertEquals(200, status, "$body")
                    val queue = body.arr().map { it.obj() }
                    fun find(id: String) = queue.firstOrNull { it.getValue("punch").obj()["id"] == id }
                        ?: error("punch $id on the server")
                    for ((punch, verdict) in listOf(inside to "inside", outside to "outside")) {
                        val onServer = find(punch.punchId).getValue("punch").obj()
                        assertEquals(verdict, onServer.getValue("device_decision").obj()["verdict"])
                        assertEquals(verdict, onServer.getValue("server_decision").obj()["verdict"], "$onServer")
                    }
                    fun notInside(id: String) = find(id).getValue("warnings").arr().any { it.obj()["type"] == "not_inside" }
                    assertTrue(notInside(outside.punchId), "the outside punch is flagged")
                    assertTrue(!notInside(inside.punchId))
                    // An unknown post is refused before anything is queued.
                    p.selectPost("LW-NOPE").join()
                    assertEquals("post_id", p.state.value.error?.field)
                    p.punch(PunchKind.IN).join()
                    assertEquals("post_id", p.state.value.error?.field)
                    assertEquals(0uL, client.outboxCounts().pending)
                }
            }
            server.close()
        }
        dir.deleteRecursively()
    }

    @Test
    fun `submit a need offline then sync`() = runBlocking<Unit> {
        val dir = tempDir()
        withWorld { server, people ->
            phone(server.baseUrl, dir, "resident", people.resident.password).use { client ->
                client.signIn()
                server.stop()
                OutboxPresenter(client, this).use { outbox ->
                    NewNeedPresenter(client, this).use { need ->
                        outbox.start().join()
                        // A bad form is refused field by field and nothing is queued.
                        need.edit { needFields(people).copy(requesterPhone = "12345") }
                        need.validate().join()
                        assertNotNull(need.state.value.problem("requester.phone"), "${need.state.value.problems}")
                        need.submit().join()
                        assertNull(need.state.value.submittedKey)
                        assertEquals(0uL, client.outboxCounts().pending)
                        // Fixing the field clears its problem as it is edited.
                        need.edit { it.copy(requesterPhone = "13812345678") }.join()
                        assertEquals(emptyMap(), need.state.value.problems)
                        // Offline: queued with a photo, durable.
                        val photo = File(dir, "cache-photo.png").apply { writeBytes(PNG) }
                        need.addAttachment(photo.path)
                        need.submit().join()
                        val key = assertNotNull(need.state.value.submittedKey, "${need.state.value.error}")
                        within { outbox.state.first { it.counts?.pending == 2uL } }
                        outbox.sync(0).join()
                        val offline = outbox.state.value
                        assertTrue(offline.offline, "the sync found no connection")
                        assertTrue(offline.error!!.message.startsWith("No connection"), "${offline.error}")
                        assertNotEquals(OutboxState.SENT, offline.entries.first { it.key == key }.state)
                        assertEquals(2uL, offline.counts?.pending, "need + photo")
                        // Back online on the same address: delivered once.
                        server.restart().use { _ ->
                            outbox.sync(30_000).join()
                            assertEquals(0uL, outbox.state.value.lastSync?.pending, "${outbox.state.value}")
                            assertTrue(!outbox.state.value.offline)
                            // The live listener moved the entry to sent.
                            within { outbox.state.first { s -> s.entries.any { it.key == key && it.state == OutboxState.SENT } } }
                            outbox.sync(5_000).join()
                            assertEquals(0uL, outbox.state.value.lastSync?.sent, "nothing is sent twice")
                            val mine = client.myNeeds()
                            assertEquals(1, mine.size, "$mine")
                            assertEquals(key, mine[0].clientKey)
                            assertEquals(OrderState.OPEN, mine[0].orderState)
                            assertNotNull(mine[0].orderId)
                        }
                    }
                }
            }
        }
        dir.deleteRecursively()
    }

    @Test
    fun `register a push endpoint after sign-in and unregister it`() = runBlocking<Unit> {
        val dir = tempDir()
        withWorld { server, people ->
            phone(server.baseUrl, dir, "volunteer", people.volunteer.password).use { volunteer ->
                volunteer.signIn()
                PushRegistrationPresenter(volunteer, this).use { push ->
                    push.loadServerKey().join()
                    assertEquals(87, push.state.value.serverKey?.length, "${push.state.value.error}")
                    // A loopback endpoint where nothing listens: nothing leaves the machine.
                    val endpoint = "https://127.0.0.1:9/push/kotlin"
                    push.onNewEndpoint(endpoint, "B" + "A".repeat(86), "A".repeat(22)).join()
                    val id = assertNotNull(push.state.value.deviceId, "${push.state.value.error}")
                    assertEquals(endpoint, push.state.value.endpoint)
                    // A bad key is refused with the field named; the device stays.
                    push.onNewEndpoint("https://127.0.0.1:9/push/kotlin-2", "xx", "A".repeat(22)).join()
                    assertEquals("p256dh", push.state.value.error?.field)
                    assertEquals(id, push.state.value.deviceId)
                    push.unregister().join()
                    assertNull(push.state.value.deviceId, "${push.state.value.error}")
                    assertNull(push.state.value.error)
                }
            }
            server.close()
        }
        dir.deleteRecursively()
    }

    @Test
    fun `receive an order offer grab it resolve it and rate it`() = runBlocking<Unit> {
        val dir = tempDir()
        withWorld { server, people ->
            phone(server.baseUrl, dir, "volunteer", people.volunteer.password).use { volunteer ->
                phone(server.baseUrl, dir, "resident", people.resident.password).use { resident ->
                    val orderId = OrderOffersPresenter(volunteer, here(people), this).use { offers ->
                        offers.start()
                        val orderId = NewNeedPresenter(resident, this, initial = needFields(people)).use { need ->
                            OutboxPresenter(resident, this).use { outbox ->
                                need.submit().join()
                                val key = assertNotNull(need.state.value.submittedKey, "${need.state.value.problems}")
                                outbox.start().join()
                                outbox.sync(30_000).join()
                                val entry = within { outbox.state.first { s -> s.entries.any { it.key == key && it.result != null } } }
                                    .entries.first { it.key == key }
                                Json.parse(entry.result!!).obj().str("order_id")
                            }
                        }
                        // The offer reaches the volunteer through the live listener.
                        within { offers.state.first { s -> s.offers.any { it.id == orderId } } }
                        assertTrue(offers.state.value.live)
                        offers.grab(orderId).join()
                        val grabbed = assertNotNull(offers.state.value.current, "${offers.state.value.error}")
                        assertEquals(OrderState.CLAIMED, grabbed.state)
                        assertEquals(people.volunteer.id.toString(), grabbed.assignee)
                        // The holder reads the requester's contact, with a reason (audited).
                        offers.readContact(orderId, " ").join()
                        assertEquals("reason", offers.state.value.error?.field)
                        offers.readContact(orderId, "电话联系当事人了解情况").join()
                        assertEquals("13812345678", offers.state.value.contact?.phone, "${offers.state.value.error}")
                        assertTrue(offers.state.value.offers.none { it.id == orderId })
                        // A second grab is a conflict: shown as taken by someone else.
                        offers.grab(orderId).join()
                        assertEquals(orderId, offers.state.value.takenByOther)
                        assertEquals(TAKEN_BY_SOMEONE_ELSE, offers.state.value.error?.message)
                        offers.startWork(orderId).join()
                        assertEquals(OrderState.IN_PROGRESS, offers.state.value.current?.state, "${offers.state.value.error}")
                        offers.resolve(orderId, "已解答").join()
                        assertEquals(OrderState.RESOLVED, offers.state.value.current?.state, "${offers.state.value.error}")
                        orderId
                    }
                    // The resident rates it, once.
                    RatingPresenter(resident, orderId, this).use { rate ->
                        rate.setScore(9)
                        rate.submit().join()
                        assertEquals("score", rate.state.value.error?.field)
                        assertNull(rate.state.value.rated)
                        rate.setScore(5)
                        rate.setComment("很专业")
                        rate.submit().join()
                        val rated = assertNotNull(rate.state.value.rated, "${rate.state.value.error}")
                        assertEquals(OrderState.EVALUATED, rated.state)
                        rate.submit().join()
                        assertNull(rate.state.value.error, "submitted once: a second tap does nothing")
                    }
                    RatingPresenter(resident, orderId, this).use { again ->
                        again.setScore(4)
                        again.submit().join()
                        assertEquals(ALREADY_RATED, again.state.value.error?.message)
                        assertNull(again.state.value.rated)
                    }
                }
            }
            server.close()
        }
        dir.deleteRecursively()
    }

    @Test
    fun `register by SMS code file follow and rate and the holder shows the rating link`() = runBlocking<Unit> {
        val dir = tempDir()
        FakeSms.start().use { sms ->
            TestServer.start(*(listOf("--demo") + sms.serverArgs).toTypedArray()).use { server ->
                val people = server.seedPeople()
                val number = "13700003333"
                phone(server.baseUrl, dir, number, "a long passphrase").use { newcomer ->
                    val account = RegisterPresenter(newcomer, this).use { reg ->
                        reg.setPhone("12345")
                        reg.requestCode().join()
                        assertEquals("phone", reg.state.value.error?.field)
                        reg.setPhone(number)
                        reg.requestCode().join()
                        assertNotNull(reg.state.value.codeSent, "${reg.state.value.error}")
                        val code = sms.waitFor(number, FakeSms.CODE_TEMPLATE).str("code")
                        reg.setCode("000")
                        reg.setDisplayName("陈女士")
                        reg.setPassword("a long passphrase")
                        reg.submit().join()
                        assertEquals("code", reg.state.value.error?.field)
                        reg.setCode(code)
                        reg.submit().join()
                        assertNotNull(reg.state.value.account, "${reg.state.value.error}")
                    }
                    assertEquals(Role.RESIDENT, account.role)
                    // The resident files a consultation for themselves.
                    val fields = needFields(people).copy(requesterName = "陈女士", requesterPhone = number)
                    val orderId = NewNeedPresenter(newcomer, this, initial = fields).use { need ->
                        OutboxPresenter(newcomer, this).use { outbox ->
                            need.submit().join()
                            val key = assertNotNull(need.state.value.submittedKey, "${need.state.value.problems}")
                            outbox.start().join()
                            outbox.sync(30_000).join()
                            val entry = within { outbox.state.first { s -> s.entries.any { it.key == key && it.result != null } } }
                                .entries.first { it.key == key }
                            Json.parse(entry.result!!).obj().str("order_id")
                        }
                    }
                    MyNeedsPresenter(newcomer, this).use { mine ->
                        mine.refresh().join()
                        assertEquals(listOf(orderId), mine.state.value.needs.map { it.orderId }, "${mine.state.value.error}")
                        assertTrue(mine.state.value.rateable.isEmpty())
                    }
                    phone(server.baseUrl, dir, "volunteer", people.volunteer.password).use { volunteer ->
                        OrderOffersPresenter(volunteer, here(people), this).use { offers ->
                            offers.refresh().join()
                            offers.grab(orderId).join()
                            assertNotNull(offers.state.value.current, "${offers.state.value.error}")
                            offers.startWork(orderId).join()
                            offers.resolve(orderId, "已解答").join()
                            assertNull(offers.state.value.error)
                        }
                        // The end of the service: the holder shows the rating link.
                        RatingLinkPresenter(volunteer, orderId, this).use { qr ->
                            qr.load().join()
                            val link = assertNotNull(qr.state.value.link, "${qr.state.value.error}")
                            assertTrue(link.url.startsWith(server.baseUrl + "/r/"), link.url)
                            // Its QR code, as the screen draws it: square, the
                            // size the server said, a finder pattern in three corners.
                            val state = qr.state.value
                            val n = state.qrSize
                            assertTrue(n >= 21 && (n - 21) % 4 == 0, "size $n")
                            assertEquals(n * n, link.qr.modules.length)
                            assertTrue(finderAt(state, 0, 0))
                            assertTrue(finderAt(state, 0, n - 7))
                            assertTrue(finderAt(state, n - 7, 0))
                            assertFalse(finderAt(state, n - 7, n - 7))
                            assertFalse(state.isDark(n, 0))
                        }
                    }
                    // Someone not holding it gets no link.
                    RatingLinkPresenter(newcomer, orderId, this).use { qr ->
                        qr.load().join()
                        assertNull(qr.state.value.link)
                        assertNotNull(qr.state.value.error)
                    }
                    MyNeedsPresenter(newcomer, this).use { mine ->
                        mine.refresh().join()
                        assertEquals(listOf(orderId), mine.state.value.rateable.map { it.orderId })
                        RatingPresenter(newcomer, orderId, this).use { rate ->
                            rate.setScore(5)
                            rate.submit().join()
                            assertNotNull(rate.state.value.rated, "${rate.state.value.error}")
                        }
                        mine.refresh().join()
                        assertTrue(mine.state.value.rateable.isEmpty())
                        // Its history, oldest first, each step with the state it led to.
                        val history = mine.state.value.needs.single().history
                        assertEquals(
                            listOf(
                                NeedStepKind.RECEIVED to OrderState.SUBMITTED,
                                NeedStepKind.OPENED to OrderState.OPEN,
                                NeedStepKind.GRABBED to OrderState.CLAIMED,
                                NeedStepKind.STARTED to OrderState.IN_PROGRESS,
                                NeedStepKind.RESOLVED to OrderState.RESOLVED,
                                NeedStepKind.RATED to OrderState.EVALUATED,
                            ),
                            history.map { it.what to it.state },
                        )
                        assertEquals(mine.state.value.needs.single().receivedAtMs, history.first().atMs)
                        assertTrue(history.zipWithNext().all { (a, b) -> a.atMs <= b.atMs })
                    }
                }
            }
        }
        dir.deleteRecursively()
    }

    @Test
    fun `an application form drawn from the schema is checked as edited and filed as a need`() = runBlocking<Unit> {
        val dir = tempDir()
        withWorld { server, people ->
            phone(server.baseUrl, dir, "resident", people.resident.password).use { client ->
                ApplicationFormPresenter(client, this).use { p ->
                    p.load().join()
                    assertNull(p.state.value.error, "GET /api/v1/services: ${p.state.value.error}")
                    val codes = p.state.value.forms.map { it.serviceCode }
                    assertTrue(LEGAL_AID in codes && "mediation" in codes, "$codes")
                    p.open(LEGAL_AID).join()
                    val form = assertNotNull(p.state.value.open, "${p.state.value.error}")
                    assertEquals(FormWidget.SINGLE_SELECT, form.field("case_type")?.widget)
                    assertEquals(FormWidget.MULTI_SELECT, form.field("special_groups")?.widget)
                    assertEquals(FormWidget.NUMBER_INPUT, form.field("household_size")?.widget)
                    assertTrue(form.field("case_type")!!.spec.choices.any { it.key == "labour_pay" })
                    assertNotNull(form.assessment, "legal aid is pre-assessed from the start")
                    // Each answer is checked as it is edited.
                    p.edit("id_number", "123").join()
                    assertNotNull(p.state.value.open?.field("id_number")?.problem)
                    p.edit("id_number", "11010519491231002X").join()
                    assertNull(p.state.value.open?.field("id_number")?.problem)
                    p.edit("household_size", "three").join()
                    assertNotNull(p.state.value.open?.field("household_size")?.problem)
                    p.edit("household_size", "3").join()
                    assertNull(p.state.value.open?.field("household_size")?.problem)
                    p.toggleChoice("special_groups", "migrant_worker").join()
                    assertEquals(setOf("migrant_worker"), p.state.value.open?.field("special_groups")?.selected)
                    // An incomplete form is not filed: the missing fields are marked.
                    p.submit(needFields(people)).join()
                    assertNull(p.state.value.open?.submittedKey)
                    assertNotNull(p.state.value.open?.field("facts")?.problem)
                    p.edit("applicant_name", "李四").join()
                    p.edit("case_type", "labour_pay").join()
                    p.edit("monthly_household_income", "1500").join()
                    p.edit("facts", "公司拖欠我三个月的工资，至今未付").join()
                    val assessment = assertNotNull(p.state.value.open?.assessment)
                    assertTrue(assessment.missingDocuments.any { it.kind == DocumentKind.ID_CARD }, "$assessment")
                    p.setDocumentProvided(DocumentKind.ID_CARD, true).join()
                    assertTrue(p.state.value.open!!.assessment!!.missingDocuments.none { it.kind == DocumentKind.ID_CARD })
                    // A document attached as bytes travels with the application.
                    val scan = File(tempDir(), "scan.png").apply { writeBytes(PNG) }
                    p.attachDocument(DocumentKind.CASE_MATERIALS, scan.path, "欠薪证据.png").join()
                    assertEquals(
                        listOf(DocumentAttachment(DocumentKind.CASE_MATERIALS, "欠薪证据.png", PNG.size.toLong())),
                        p.state.value.open?.documents,
                    )
                    p.submit(needFields(people)).join()
                    val open = p.state.value.open!!
                    val key = assertNotNull(open.submittedKey, "${open.fields.filter { it.problem != null }} ${open.needProblems} ${p.state.value.error}")
                    assertEquals("", open.field("facts")?.raw, "filed: the answers are cleared")
                    assertEquals(2uL, client.outboxCounts().pending, "the need and its document")
                    val report = client.sync(30_000u)
                    assertEquals(0uL, report.pending, "$report")
                    val mine = client.myNeeds().single { it.clientKey == key }
                    assertEquals(NeedCategory.LEGAL_AID, mine.category)
                }
            }
            server.close()
        }
        dir.deleteRecursively()
    }

    @Test
    fun `a draft with its photo and the session survive the app being killed`() = runBlocking<Unit> {
        val dir = tempDir()
        withWorld { server, people ->
            val store = MemorySessionStore()
            val photo = File(dir, "cache-photo.png").apply { writeBytes(PNG) }
            val draftId = phone(server.baseUrl, dir, "resident", people.resident.password).use { client ->
                assertNull(client.useSessionStore(store))
                client.signIn()
                val form = needFields(people).copy(description = "").toNeedForm(listOf(AttachmentInput(photo.path, "合同照片")))
                client.saveNeedDraft(null, form)
            }
            // Saved by the platform's store, for this server.
            assertEquals(reach(server.baseUrl), assertNotNull(store.saved).serverUrl)
            // The app's cache file is gone; the library kept its own copy.
            photo.delete()
            phone(server.baseUrl, dir, "resident", "not-the-password").use { client ->
                assertEquals(store.saved?.account, client.useSessionStore(store))
                val draft = client.needDrafts().single()
                assertEquals(draftId, draft.id)
                assertEquals("合同照片", draft.form.attachments.single().displayName)
                assertTrue(PNG.contentEquals(File(draft.form.attachments.single().path).readBytes()))
                // Incomplete: refused field by field, the draft kept.
                val e = assertFailsWith<LawCircleException.InvalidInput> { client.submitNeedDraft(draftId) }
                assertEquals("description", e.field)
                client.saveNeedDraft(draftId, draft.form.copy(description = "邻居装修噪音纠纷，希望咨询如何处理"))
                val key = client.submitNeedDraft(draftId)
                assertTrue(client.needDrafts().isEmpty())
                // Sent with the stored session: the password given is wrong.
                assertEquals(0uL, client.sync(30_000u).pending)
                assertEquals(key, client.myNeeds().single().clientKey)
                client.signOut(false)
                assertNull(store.saved)
            }
        }
        dir.deleteRecursively()
    }

    private companion object {
        /** A 1×1 PNG's signature and header: enough for the core to tell its type. */
        val PNG = byteArrayOf(
            0x89.toByte(), 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52,
            0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4.toByte(), 0x89.toByte(),
        )
    }
}

/** Port 9 (discard) on loopback: nothing listens there, the phone is offline. */
private const val CLOSED_PORT = 9

/**
 * The same flows over HTTPS: the server behind a TLS proxy whose
 * certificate a CA made by the test signed, and OkHttp trusting that CA
 * alone.
 */
class PhoneFlowsOverTlsTest : PhoneFlowsTest() {
    override val overTls: Boolean = true
}
