package org.lawcircle.phone

import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.NeedCategory
import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * Need drafts (草稿箱) through the presenters, on the library's database,
 * then delivered to the real server: a half-typed form saved with its
 * photo, listed, one discarded after the user confirms, the other resumed
 * in the form (its village named again), finished and submitted, which
 * ends the draft.
 */
class DraftsFlowsTest {
    private val png = byteArrayOf(
        0x89.toByte(), 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4.toByte(), 0x89.toByte(),
    )

    @Test
    fun `save list discard with confirmation resume and submit a draft`(): Unit = TestServer.start("--demo").use { server ->
        val people = server.seedPeople()
        val dir: File = Files.createTempDirectory("lawcircle-drafts").toFile()
        LawCircleClient.open(
            ClientConfig(File(dir, "resident/lawcircle.sqlite").path, server.baseUrl, Credentials("resident", people.resident.password)),
            OkHttpTransport(),
        ).use { client ->
            runBlocking {
                client.refreshCatalogue()
                val photo = File(dir, "cache-photo.png").apply { writeBytes(png) }
                val villageCode = people.villageCode
                // A half-typed form: no description yet. Saving twice keeps one draft.
                val firstId = NewNeedPresenter(client, this).use { p ->
                    p.edit { it.copy(requesterName = "李四", requesterPhone = "13812345678", category = NeedCategory.ARBITRATION, areaCode = villageCode) }
                    p.addAttachment(photo.path, "合同照片").join()
                    p.saveDraft().join()
                    val id = assertNotNull(p.state.value.draftId, "${p.state.value.error}")
                    assertTrue(p.state.value.draftSaved)
                    p.edit { it.copy(address = "永中街道示例社区") }
                    assertTrue(!p.state.value.draftSaved, "an edit after saving is unsaved again")
                    p.saveDraft().join()
                    assertEquals(id, p.state.value.draftId)
                    id
                }
                // The app's cache file may go: the library keeps its own copy with the draft.
                photo.delete()
                val secondId = NewNeedPresenter(client, this).use { p ->
                    p.edit { it.copy(requesterName = "王五", description = "邻里纠纷") }
                    p.saveDraft().join()
                    assertNotNull(p.state.value.draftId)
                }
                DraftsPresenter(client, this).use { d ->
                    assertNull(d.state.value.drafts, "not read yet")
                    d.refresh().join()
                    val drafts = assertNotNull(d.state.value.drafts, "${d.state.value.error}")
                    assertEquals(setOf(firstId, secondId), drafts.map { it.id }.toSet())
                    assertEquals(secondId, drafts.first().id, "newest first")
                    // Discarding asks first; "keep" changes nothing.
                    d.askDiscard(secondId)
                    assertEquals(secondId, d.state.value.confirmingDiscard)
                    d.keep()
                    assertNull(d.state.value.confirmingDiscard)
                    d.refresh().join()
                    assertEquals(2, d.state.value.drafts?.size)
                    d.askDiscard(secondId)
                    d.confirmDiscard().join()
                    assertEquals(listOf(firstId), d.state.value.drafts?.map { it.id })
                    assertNull(d.state.value.confirmingDiscard)
                    assertNull(d.draftToResume(secondId), "a discarded draft is gone")
                    assertTrue("李四" !in d.state.value.toString(), "personal data stays out of the state's text")
                    // Resumed in the form: its fields, its photo and the village's name.
                    val draft = assertNotNull(d.draftToResume(firstId))
                    NewNeedPresenter(client, this, draft = draft).use { p ->
                        assertEquals(firstId, p.state.value.draftId)
                        assertEquals("李四", p.state.value.fields.requesterName)
                        assertEquals(NeedCategory.ARBITRATION, p.state.value.fields.category)
                        assertEquals("永中街道示例社区", p.state.value.fields.address)
                        assertEquals(listOf("合同照片"), p.state.value.attachments.map { it.name })
                        val named = withTimeout(10_000) { p.state.first { it.village != null } }
                        assertEquals(villageCode, named.village?.code)
                        // Incomplete: the core's problems, the draft kept.
                        p.submit().join()
                        assertTrue("description" in p.state.value.problems, "${p.state.value.problems}")
                        assertNull(p.state.value.submittedKey)
                        p.edit { it.copy(description = "公司拖欠三个月工资，希望咨询如何维权", consentGiven = true) }
                        p.submit().join()
                        val key = assertNotNull(p.state.value.submittedKey, "${p.state.value.problems} ${p.state.value.error}")
                        assertNull(p.state.value.draftId)
                        // Delivered to the real server with its photo.
                        val report = client.sync(30_000u)
                        assertEquals(0uL, report.pending, "$report")
                        assertTrue(client.myNeeds().any { it.clientKey == key })
                    }
                    d.refresh().join()
                    assertEquals(emptyList(), d.state.value.drafts, "submitting the need ended its draft")
                }
            }
        }
        dir.deleteRecursively()
    }
}
