package org.lawcircle.phone

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.Urgency
import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * A rotation mid-form: the activity (and the presenter) is made again and
 * the `SavedStateHandle` (here a [MapSavedState]) brings the typed text
 * back; the restored form is submitted to the real server.
 */
class SavedStateTest {
    private val dir: File = Files.createTempDirectory("lawcircle-saved").toFile()

    private fun phone(url: String, who: String, password: String): LawCircleClient = LawCircleClient.open(
        ClientConfig(File(dir, "$who/lawcircle.sqlite").path, url, Credentials(who, password)),
        OkHttpTransport(),
    )

    @Test
    fun `a half-typed need survives a rotation and is then filed as typed`(): Unit = TestServer.start("--demo").use { server ->
        val people = server.seedPeople()
        val handle = MapSavedState()
        phone(server.baseUrl, people.resident.username, people.resident.password).use { client ->
            runBlocking {
                NewNeedPresenter(client, this, saved = handle).use { before ->
                    before.edit {
                        it.copy(
                            requesterName = "李四", requesterPhone = "13812345678", category = NeedCategory.MEDIATION,
                            urgency = Urgency.HIGH, description = "邻居装修噪音纠纷，希望调",
                        )
                    }
                    before.addAttachment(File(dir, "photo.png").apply { writeBytes(PNG) }.path, "现场照片.png").join()
                    // What the platform keeps is plain Bundle values: strings, booleans, enum names, string lists.
                    assertTrue(
                        handle.snapshot().values.all { v -> v == null || v is String || v is Boolean || (v is ArrayList<*> && v.all { it is String }) },
                    )
                    assertEquals("MEDIATION", handle.snapshot()["need.category"])
                }
                // Rotated: a new presenter over the same handle.
                NewNeedPresenter(client, this, saved = handle).use { after ->
                    val f = after.state.value.fields
                    assertEquals("李四", f.requesterName)
                    assertEquals("13812345678", f.requesterPhone)
                    assertEquals(NeedCategory.MEDIATION, f.category)
                    assertEquals(Urgency.HIGH, f.urgency)
                    assertEquals("邻居装修噪音纠纷，希望调", f.description)
                    assertEquals(listOf(AttachmentSummary("现场照片.png", PNG.size.toLong())), after.state.value.attachments)
                    after.edit {
                        it.copy(
                            description = it.description + "解", address = "永中街道示例社区", areaCode = people.villageCode,
                            consentGiven = true,
                        )
                    }
                    after.submit().join()
                    assertNotNull(after.state.value.submittedKey, "${after.state.value.problems} ${after.state.value.error}")
                    client.sync(0u)
                    val mine = client.myNeeds()
                    assertEquals(1, mine.size)
                    assertEquals(NeedCategory.MEDIATION, mine[0].category)
                    // The next person's form starts blank, after a rotation too.
                    after.reset()
                }
                NewNeedPresenter(client, this, saved = handle).use { blank ->
                    assertEquals("", blank.state.value.fields.requesterName)
                    assertEquals("", blank.state.value.fields.description)
                    assertEquals(emptyList(), blank.state.value.attachments, "the filed need's photo does not come back")
                }
            }
        }
        dir.deleteRecursively()
    }

    @Test
    fun `sign-in keeps the address and name across a rotation but never the password, rating keeps its stars for its order`() {
        val handle = MapSavedState()
        runBlocking {
            val neverOpened: (ClientLogin) -> LawCircleClient = { error("no client opened in this test") }
            SignInPresenter("https://default.example", MemorySessionStore(), this, saved = handle, open = neverOpened).use { p ->
                p.scanned("lawcircle://connect?server=https://station.example")
                p.setUsername("13700001111")
                p.setPassword("typed secret")
            }
            SignInPresenter("https://default.example", MemorySessionStore(), this, saved = handle, open = neverOpened).use { p ->
                assertEquals("https://station.example", p.state.value.serverUrl)
                assertEquals("13700001111", p.state.value.username)
                assertEquals("", p.state.value.password)
            }
            assertTrue(handle.snapshot().values.none { it == "typed secret" }, "the password is not saved")
        }
        val phone = phone("http://127.0.0.1:9", "offline", "x")
        phone.use { client ->
            runBlocking {
                RatingPresenter(client, "ORD-1", this, saved = handle).use { p ->
                    p.setScore(4)
                    p.setComment("解答耐心")
                }
                RatingPresenter(client, "ORD-1", this, saved = handle).use { p ->
                    assertEquals(4, p.state.value.score)
                    assertEquals("解答耐心", p.state.value.comment)
                }
                RatingPresenter(client, "ORD-2", this, saved = handle).use { p ->
                    assertNull(p.state.value.score, "another order's rating starts blank")
                    assertEquals("", p.state.value.comment)
                }
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
