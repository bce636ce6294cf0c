package org.lawcircle.phone

import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.Point
import java.io.File
import java.nio.file.Files
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The new-need form's village picker: from the fix or searched by name, offline, after the catalogue came from the real server. */
class VillagePickerTest {
    @Test
    fun `the village comes from the fix or from a search and its code goes in the form`(): Unit = TestServer.start("--demo").use { server ->
        val people = server.seedPeople()
        val dir: File = Files.createTempDirectory("lawcircle-villages").toFile()
        fun phone(who: String) = LawCircleClient.open(
            ClientConfig(File(dir, "$who/lawcircle.sqlite").path, server.baseUrl, Credentials("resident", people.resident.password)),
            OkHttpTransport(),
        )
        val here = Point(people.postLat, people.postLng, Datum.WGS84)
        // A phone that never fetched the catalogue knows no village: the list is empty, nothing is picked.
        phone("fresh").use { client ->
            runBlocking {
                NewNeedPresenter(client, this).use { p ->
                    p.villageFromFix(here).join()
                    assertNull(p.state.value.village)
                    assertEquals("", p.state.value.fields.areaCode)
                    assertEquals(emptyList(), p.state.value.villageChoices)
                }
            }
        }
        phone("resident").use { client ->
            runBlocking {
                client.refreshCatalogue()
                NewNeedPresenter(client, this).use { p ->
                    p.villageFromFix(here).join()
                    val v = assertNotNull(p.state.value.village, "${p.state.value.error}")
                    assertEquals(v.code, p.state.value.fields.areaCode)
                    assertEquals(12, v.code.length)
                    // Changing it: a search by part of the name, then a pick.
                    val part = v.name.take(2)
                    p.searchVillages(part).join()
                    assertNull(p.state.value.village)
                    assertTrue(p.state.value.villageChoices.isNotEmpty())
                    assertTrue(p.state.value.villageChoices.all { it.name.contains(part) || it.code.startsWith(part) })
                    val other = p.state.value.villageChoices.last()
                    p.pickVillage(other).join()
                    assertEquals(other.code, p.state.value.fields.areaCode)
                    assertEquals(other, p.state.value.village)
                    assertEquals(emptyList(), p.state.value.villageChoices)
                }
                // A rotation: the form comes back from the saved state with the village's name, not only its code.
                val handle = MapSavedState()
                val picked = NewNeedPresenter(client, this, saved = handle).use { p ->
                    p.villageFromFix(here).join()
                    assertNotNull(p.state.value.village)
                }
                NewNeedPresenter(client, this, saved = handle).use { p ->
                    assertEquals(picked.code, p.state.value.fields.areaCode)
                    val restored = withTimeout(10_000) { p.state.first { it.village != null } }
                    assertEquals(picked, restored.village)
                }
            }
        }
        dir.deleteRecursively()
    }
}
