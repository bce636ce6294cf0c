@file:OptIn(ExperimentalTestApi::class)

package org.lawcircle.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onAllNodesWithText
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.phone.DraftsPresenter
import org.lawcircle.phone.NewNeedPresenter
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** 草稿箱 with taps: save a half-typed need, list drafts, discard one after confirming, resume the other and submit it. */
class DraftsScreenTest {
    @Test
    fun `a half-typed need is saved as a draft, one draft discarded after asking, the other resumed and submitted`(): Unit =
        World().use { w ->
            val resident = w.resident()
            withScope { scope ->
                runBlocking { resident.refreshCatalogue() }
                DraftsPresenter(resident, scope).use { drafts ->
                    runBlocking { drafts.refresh().join() }
                    shoot("drafts-empty") { DraftsScreen(drafts.state.value) {} }
                    // Two forms left half typed, each saved by a tap on 存草稿.
                    for ((name, category) in listOf("李四" to NeedCategory.ARBITRATION, "王五" to NeedCategory.MEDIATION)) {
                        NewNeedPresenter(resident, scope).use { need ->
                            need.edit { it.copy(requesterName = name, category = category, areaCode = w.people.villageCode, description = "${name}的问题：公司拖欠工资三个月") }
                            runComposeUiTest {
                                setContent {
                                    val s by need.state.collectAsState()
                                    LawCircleTheme { NewNeedScreen(s, need::onEvent) }
                                }
                                onNodeWithText("存草稿").performScrollTo().performClick()
                                waitUntil(timeoutMillis = 30_000L) { need.state.value.draftSaved || need.state.value.error != null }
                                onNodeWithText("草稿已保存").assertExists()
                            }
                            if (name == "李四") shoot("new-need-draft-saved") { NewNeedScreen(need.state.value) {} }
                        }
                    }
                    var resumed: String? = null
                    runComposeUiTest {
                        setContent {
                            val s by drafts.state.collectAsState()
                            LawCircleTheme {
                                DraftsScreen(s) { e -> if (e is DraftsEvent.Resume) resumed = e.id else drafts.onEvent(e) }
                            }
                        }
                        onNodeWithText("刷新").performClick()
                        waitUntil(timeoutMillis = 30_000L) { drafts.state.value.drafts?.size == 2 }
                        onNodeWithText("手机里有 2 份草稿").assertExists()
                        // Newest first: 王五's. Discarding asks first; 保留 keeps it.
                        onAllNodesWithText("放弃")[0].performClick()
                        waitUntil(timeoutMillis = 5_000L) { drafts.state.value.confirmingDiscard != null }
                        onNodeWithText("删除这份草稿？").assertExists()
                        onNodeWithText("保留").performClick()
                        waitUntil(timeoutMillis = 5_000L) { drafts.state.value.confirmingDiscard == null }
                        onAllNodesWithText("放弃")[0].performClick()
                        waitUntil(timeoutMillis = 5_000L) { drafts.state.value.confirmingDiscard != null }
                    }
                    shoot("drafts-list-confirm-discard") { DraftsScreen(drafts.state.value) {} }
                    shoot("drafts-list-confirm-discard-en", language = Language.EN) { DraftsScreen(drafts.state.value) {} }
                    runComposeUiTest {
                        setContent {
                            val s by drafts.state.collectAsState()
                            LawCircleTheme {
                                DraftsScreen(s) { e -> if (e is DraftsEvent.Resume) resumed = e.id else drafts.onEvent(e) }
                            }
                        }
                        onNodeWithText("删除草稿").performClick()
                        waitUntil(timeoutMillis = 30_000L) { drafts.state.value.drafts?.size == 1 && !drafts.state.value.loading }
                        onNodeWithText("手机里有 1 份草稿").assertExists()
                        onNodeWithText("继续填写").performClick()
                        waitUntil(timeoutMillis = 5_000L) { resumed != null }
                    }
                    shoot("drafts-list") { DraftsScreen(drafts.state.value) {} }
                    val left = assertNotNull(drafts.state.value.drafts).single()
                    assertEquals("李四", left.form.requesterName)
                    assertEquals(left.id, resumed)
                    val draft = assertNotNull(runBlocking { drafts.draftToResume(left.id) })
                    NewNeedPresenter(resident, scope, draft = draft).use { need ->
                        waitFor { need.state.value.village != null }
                        shoot("new-need-resumed-draft") { NewNeedScreen(need.state.value) {} }
                        need.edit { it.copy(requesterPhone = "13812345678", address = "永中街道示例社区", consentGiven = true) }
                        runComposeUiTest {
                            setContent {
                                val s by need.state.collectAsState()
                                LawCircleTheme { NewNeedScreen(s, need::onEvent) }
                            }
                            onNodeWithText("提交").performScrollTo().performClick()
                            waitUntil(timeoutMillis = 30_000L) { need.state.value.submittedKey != null || need.state.value.problems.isNotEmpty() }
                            assertTrue(need.state.value.problems.isEmpty(), "${need.state.value.problems}")
                        }
                    }
                    runBlocking { drafts.refresh().join() }
                    assertEquals(emptyList(), drafts.state.value.drafts, "the submitted need ended its draft")
                }
            }
        }
}
