package org.lawcircle.app.places

import android.content.ComponentName
import android.content.Intent
import android.content.IntentFilter
import android.net.Uri
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.lawcircle.app.TestApp
import org.lawcircle.ffi.Datum
import org.lawcircle.ffi.MapApp
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.convertPoint
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.robolectric.Shadows.shadowOf
import org.robolectric.annotation.Config

/** "Navigate" and "call" from a place's detail, against a shadow package manager. */
@RunWith(RobolectricTestRunner::class)
@Config(application = TestApp::class)
class PlaceHandoffsTest {
    private val app get() = RuntimeEnvironment.getApplication()
    private val centre = Point(27.9125, 120.8213, Datum.WGS84)

    /** Installs an app whose activity answers `scheme` URIs. */
    private fun install(pkg: String?, scheme: String, action: String = Intent.ACTION_VIEW) {
        val pm = shadowOf(app.packageManager)
        val component = ComponentName(pkg ?: "org.example.maps", "$scheme.Activity")
        pm.addActivityIfNotPresent(component)
        pm.addIntentFilterForActivity(
            component,
            IntentFilter(action).apply {
                addCategory(Intent.CATEGORY_DEFAULT)
                addDataScheme(scheme)
            },
        )
    }

    @Test
    fun only_installed_map_apps_are_offered_each_with_its_datum() {
        assertTrue("no map app: nothing to pick", PlaceHandoffs.mapChoices(app, centre, "中心").isEmpty())
        install("com.autonavi.minimap", "amapuri")
        install("com.baidu.BaiduMap", "baidumap")
        val choices = PlaceHandoffs.mapChoices(app, centre, "龙湾区公共法律服务中心")
        assertEquals(listOf(MapApp.AMAP, MapApp.BAIDU), choices.map { it.handoff.app })
        val amap = choices[0].intent
        assertEquals(Intent.ACTION_VIEW, amap.action)
        assertEquals("com.autonavi.minimap", amap.`package`)
        val gcj = convertPoint(centre, Datum.GCJ02)
        val uri = amap.data!!
        assertEquals("amapuri", uri.scheme)
        assertEquals(gcj.lat, uri.getQueryParameter("dlat")!!.toDouble(), 1e-6)
        assertEquals(gcj.lng, uri.getQueryParameter("dlon")!!.toDouble(), 1e-6)
        assertEquals("龙湾区公共法律服务中心", uri.getQueryParameter("dname"))
        assertEquals("bd09ll", choices[1].intent.data!!.getQueryParameter("coord_type"))
        assertEquals("高德地图 Amap", choices[0].handoff.label)
    }

    /** Each app's URI carries the coordinates in its own datum, converted by the core from the catalogue's WGS-84. */
    @Test
    fun baidu_gets_bd09_and_tencent_gcj02() {
        install("com.baidu.BaiduMap", "baidumap")
        install("com.tencent.map", "qqmap")
        val choices = PlaceHandoffs.mapChoices(app, centre, "中心").associateBy { it.handoff.app }
        val baidu = choices.getValue(MapApp.BAIDU).intent.data!!
        val bd = convertPoint(centre, Datum.BD09)
        val (bdLat, bdLng) = baidu.getQueryParameter("destination")!!.substringAfter("latlng:").split(",").map { it.toDouble() }
        assertEquals(bd.lat, bdLat, 1e-6)
        assertEquals(bd.lng, bdLng, 1e-6)
        assertEquals("bd09ll", baidu.getQueryParameter("coord_type"))
        // Not the WGS-84 figures: the shift in Wenzhou is hundreds of metres.
        assertTrue(Math.abs(bdLat - centre.lat) > 1e-3)
        val tencent = choices.getValue(MapApp.TENCENT).intent
        assertEquals("com.tencent.map", tencent.`package`)
        val gcj = convertPoint(centre, Datum.GCJ02)
        val (tLat, tLng) = tencent.data!!.getQueryParameter("tocoord")!!.split(",").map { it.toDouble() }
        assertEquals(gcj.lat, tLat, 1e-6)
        assertEquals(gcj.lng, tLng, 1e-6)
        assertEquals("walk", tencent.data!!.getQueryParameter("type"))
    }

    @Test
    fun navigate_opens_the_one_app_or_a_chooser_of_several_or_nothing() {
        assertNull("no map app", PlaceHandoffs.navigateIntent(app, centre, "中心", "导航"))
        install("com.autonavi.minimap", "amapuri")
        val one = PlaceHandoffs.navigateIntent(app, centre, "中心", "导航")!!
        assertEquals("com.autonavi.minimap", one.`package`)
        install("com.tencent.map", "qqmap")
        install(null, "geo")
        val chooser = PlaceHandoffs.navigateIntent(app, centre, "中心", "导航")!!
        assertEquals(Intent.ACTION_CHOOSER, chooser.action)
        @Suppress("DEPRECATION")
        val target = chooser.getParcelableExtra<Intent>(Intent.EXTRA_INTENT)!!
        assertEquals("com.autonavi.minimap", target.`package`)
        @Suppress("DEPRECATION")
        val others = chooser.getParcelableArrayExtra(Intent.EXTRA_INITIAL_INTENTS)!!.map { (it as Intent).data!!.scheme }
        assertEquals(listOf("qqmap", "geo"), others)
    }

    @Test
    fun any_geo_app_gets_wgs84() {
        install(null, "geo")
        val choice = PlaceHandoffs.mapChoices(app, centre, "中心").single()
        assertEquals(MapApp.SYSTEM_GEO, choice.handoff.app)
        assertNull("any app may answer geo:", choice.intent.`package`)
        assertEquals(Uri.parse(choice.handoff.uri), choice.intent.data)
        assertTrue(choice.handoff.uri, choice.handoff.uri.startsWith("geo:27.912500,120.821300?q="))
    }

    @Test
    fun call_fills_in_the_dialer_and_refuses_a_number_without_digits() {
        assertNull("no dialer installed", PlaceHandoffs.dialIntent(app, "0577-86968800"))
        install("com.android.dialer", "tel", Intent.ACTION_DIAL)
        val dial = PlaceHandoffs.dialIntent(app, "电话 0577-86968800")!!
        assertEquals(Intent.ACTION_DIAL, dial.action)
        assertEquals("tel:0577-86968800", dial.data.toString())
        assertNull(PlaceHandoffs.dialIntent(app, "无 none"))
    }
}
