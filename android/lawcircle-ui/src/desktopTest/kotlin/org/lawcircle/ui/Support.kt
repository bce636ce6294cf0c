package org.lawcircle.ui

import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.Channel
import androidx.compose.runtime.Composable
import androidx.compose.ui.ImageComposeScene
import androidx.compose.ui.unit.Density
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import org.jetbrains.skia.EncodedImageFormat
import org.lawcircle.ffi.ClientConfig
import org.lawcircle.ffi.Credentials
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.DeviceTime
import org.lawcircle.ffi.FixSource
import org.lawcircle.ffi.GpsFix
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.Point
import org.lawcircle.phone.DeviceClock
import org.lawcircle.phone.NeedFields
import org.lawcircle.phone.OkHttpTransport
import org.lawcircle.phone.People
import org.lawcircle.phone.TestServer
import java.io.File
import java.nio.file.Files
import kotlin.test.assertTrue

/** A phone: 360 × 720 dp at density 2 (720 × 1440 px), as a common mid-range Android phone. */
private const val WIDTH_DP = 360
private const val HEIGHT_DP = 720
private const val DENSITY = 2f

/** Where the suite wants the screenshots (artifacts/android/); a temporary folder when run by hand. */
private val shotDir: File by lazy {
    (System.getProperty("lawcircle.screenshots")?.let(::File) ?: Files.createTempDirectory("lawcircle-shots").toFile())
        .apply { mkdirs() }
}

/**
 * Renders [content] inside the app's theme on a phone-sized canvas, headless
 * (Skia, no display), in [language] (Chinese unless told), and writes
 * `artifacts/android/<name>.png`.
 */
fun shoot(name: String, fontScale: Float = 1f, language: Language = Language.ZH, content: @Composable () -> Unit): File {
    val scene = ImageComposeScene(
        width = (WIDTH_DP * DENSITY).toInt(),
        height = (HEIGHT_DP * DENSITY).toInt(),
        // fontScale: the system's "large text" setting.
        density = Density(DENSITY, fontScale),
    ) { LawCircleTheme(language, content) }
    val png = try {
        // A first frame starts the animations; the one shot 0.4 s later shows
        // a spinner as a spinner (an arc), not the dot of its first frame.
        scene.render(0L)
        scene.render(16_000_000L)
        scene.render(400_000_000L).encodeToData(EncodedImageFormat.PNG)
    } finally {
        scene.close()
    }
    val bytes = assertNotNullPng(png?.bytes, name)
    return File(shotDir, "$name.png").apply { writeBytes(bytes) }
}

private fun assertNotNullPng(bytes: ByteArray?, name: String): ByteArray {
    checkNotNull(bytes) { "$name: Skia encoded no PNG" }
    assertTrue(bytes.size > 8 && bytes[1] == 'P'.code.toByte(), "$name is a PNG")
    return bytes
}

/** A scope for presenters in UI tests: its own threads, so the test's clicks and the intents do not block each other. */
fun presenterScope(): CoroutineScope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

inline fun <T> withScope(block: (CoroutineScope) -> T): T {
    val scope = presenterScope()
    try {
        return block(scope)
    } finally {
        scope.cancel()
    }
}

/** The real server with the demo catalogue and the flows' people (seed-people). */
class World(vararg serverArgs: String) : AutoCloseable {
    val server: TestServer = TestServer.start("--demo", *serverArgs)
    val people: People = server.seedPeople()
    val dir: File = Files.createTempDirectory("lawcircle-ui").toFile()
    private val clients = mutableListOf<LawCircleClient>()

    /** A phone signed in as [who], its database under this world's folder. */
    fun phone(who: String, password: String, url: String = server.baseUrl): LawCircleClient =
        LawCircleClient.open(ClientConfig(File(dir, "$who/lawcircle.sqlite").path, url, Credentials(who, password)), OkHttpTransport())
            .also { clients += it }

    fun resident() = phone("resident", people.resident.password)

    fun volunteer() = phone("volunteer", people.volunteer.password)

    /** The duty post's centre: where the flows stand. */
    val here: Point get() = Point(people.postLat, people.postLng, Datum.WGS84)

    fun fixAt(lat: Double, lng: Double, accuracyM: Double = 8.0) =
        GpsFix(lat, lng, Datum.WGS84, accuracyM, FixSource.GPS, false, System.currentTimeMillis(), elapsedMs(), null)

    /** A consultation as a resident types it. */
    fun needFields() = NeedFields(
        requesterName = "李四",
        requesterPhone = "13812345678",
        category = NeedCategory.CONSULTATION,
        description = "邻居装修噪音纠纷，希望咨询如何处理",
        address = "永中街道示例社区",
        areaCode = people.villageCode,
        channel = Channel.ONLINE,
        consentGiven = true,
    )

    override fun close() {
        clients.forEach { runCatching { it.close() } }
        server.close()
        dir.deleteRecursively()
    }
}

/** The phone's "since boot" clock: monotonic, well past an hour. */
fun elapsedMs(): ULong = (System.nanoTime() / 1_000_000 + 10_000_000).toULong()

val testClock = DeviceClock { DeviceTime(System.currentTimeMillis(), elapsedMs()) }
