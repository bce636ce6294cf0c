@file:OptIn(ExperimentalTestApi::class)

package org.lawcircle.ui

import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runComposeUiTest
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.lawcircle.ffi.Calculator
import org.lawcircle.phone.CalcFields
import org.lawcircle.phone.CompensationPresenter
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** The compensation calculators through the real library (offline: no server): the form, a refused entry, the breakdown. */
class CompensationScreenTest {
    @Test
    fun `severance is clicked through, a wrong wage is named under its field, the breakdown shows the legal basis`(): Unit = withScope { scope ->
        CompensationPresenter(scope).use { p ->
            shoot("calculator-empty") { CompensationScreen(p.state.value) {} }
            runComposeUiTest {
                setContent {
                    val s by p.state.collectAsState()
                    LawCircleTheme { CompensationScreen(s, p::onEvent) }
                }
                onNodeWithText("经济补偿").performClick()
                waitUntil(timeoutMillis = 5_000L) { p.state.value.calculator == Calculator.SEVERANCE }
                // The year is a choice among the table's years, the latest picked.
                assertEquals(listOf<UShort>(2020u, 2021u), p.state.value.yearChoices)
                onNodeWithText("2022年").assertDoesNotExist()
                onNodeWithText("2020年").performClick()
                waitUntil(timeoutMillis = 5_000L) { p.state.value.form[CalcFields.YEAR] == "2020" }
                onNodeWithText("2021年").performClick()
                waitUntil(timeoutMillis = 5_000L) { p.state.value.form[CalcFields.YEAR] == "2021" }
                onNodeWithText("本人月平均工资（元）").performTextInput("8千")
                onNodeWithText("工作年限（月）").performTextInput("30")
                waitUntil(timeoutMillis = 5_000L) { p.state.value.form[CalcFields.MONTHS_OF_SERVICE] == "30" }
                onNodeWithText("计算").performScrollTo().performClick()
                waitUntil(timeoutMillis = 10_000L) { p.state.value.problems.isNotEmpty() }
                assertEquals(setOf(CalcFields.MONTHLY_WAGE), p.state.value.problems.keys)
                onNodeWithText("请检查本人月平均工资", substring = true).assertExists()
            }
            shoot("calculator-error") { CompensationScreen(p.state.value) {} }
            runComposeUiTest {
                setContent {
                    val s by p.state.collectAsState()
                    LawCircleTheme { CompensationScreen(s, p::onEvent) }
                }
                p.setField(CalcFields.MONTHLY_WAGE, "")
                onNodeWithText("本人月平均工资（元）").performTextInput("8000")
                waitUntil(timeoutMillis = 5_000L) { p.state.value.form[CalcFields.MONTHLY_WAGE] == "8000" }
                onNodeWithText("计算").performScrollTo().performClick()
                waitUntil(timeoutMillis = 10_000L) { p.state.value.result != null }
                onNodeWithText("合计 24000.00 元").assertExists()
                onNodeWithText("法律依据").performScrollTo().assertExists()
                // Back to the form: it kept what was typed.
                onNodeWithText("修改填写内容").performScrollTo().performClick()
                waitUntil(timeoutMillis = 5_000L) { p.state.value.result == null }
                onNodeWithText("8000").assertExists()
            }
            runBlocking { p.calculate().join() }
            val r = assertNotNull(p.state.value.result)
            assertTrue(r.legalBasis.isNotEmpty())
            shoot("calculator-severance") { CompensationScreen(p.state.value) {} }
            assertEquals("经济补偿 N", r.lines[0].item)
            // The English screen asks the library for English words: the breakdown is computed again.
            runComposeUiTest {
                setContent {
                    val s by p.state.collectAsState()
                    LawCircleTheme(Language.EN) { CompensationScreen(s, p::onEvent) }
                }
                waitUntil(timeoutMillis = 10_000L) { p.state.value.result?.lines?.firstOrNull()?.item == "severance (N)" }
                onNodeWithText("severance (N)").assertExists()
                onNodeWithText("monthly wage 8000 × N 3", substring = true).assertExists()
            }
            shoot("calculator-severance-en", language = Language.EN) { CompensationScreen(p.state.value) {} }
        }
    }

    @Test
    fun `the resident home leads to the calculators`() {
        val resident = org.lawcircle.ffi.Account(1, "resident", "陈女士", org.lawcircle.ffi.Role.RESIDENT, null)
        val opened = mutableListOf<HomeEvent>()
        runComposeUiTest {
            setContent { LawCircleTheme { HomeScreen(HomeState(account = resident)) { opened += it } } }
            onNodeWithText("赔偿计算").performScrollTo().performClick()
        }
        assertEquals(listOf<HomeEvent>(HomeEvent.Open(Destination.Calculators)), opened)
    }

    @Test
    fun `a traffic accident shows its items, who pays what, and the form in both languages`(): Unit = withScope { scope ->
        CompensationPresenter(scope).use { p ->
            p.choose(Calculator.TRAFFIC_ACCIDENT)
            shoot("calculator-traffic-form") { CompensationScreen(p.state.value) {} }
            shoot("calculator-traffic-form-en", language = Language.EN) { CompensationScreen(p.state.value) {} }
            p.setField(CalcFields.AGE, "45")
            p.setField(CalcFields.GRADE, "9")
            p.setField(CalcFields.FAULT_SHARE, "70")
            p.setField("items.medical", "12000.50")
            p.setField("items.nutrition", "1800")
            p.setField(CalcFields.PROPERTY_LOSS, "3000")
            runBlocking { p.calculate().join() }
            val r = assertNotNull(p.state.value.result, "${p.state.value.problems}")
            runComposeUiTest {
                setContent { LawCircleTheme { CompensationScreen(p.state.value) {} } }
                onNodeWithText("合计 ${r.total} 元").assertExists()
                onNodeWithText("由谁支付").performScrollTo().assertExists()
            }
            shoot("calculator-traffic") { CompensationScreen(p.state.value) {} }
            runBlocking { p.setLanguage(org.lawcircle.ffi.Language.EN)?.join() }
            val en = assertNotNull(p.state.value.result)
            assertEquals(r.total, en.total)
            assertTrue(en.lines.all { l -> (l.item + l.formula).none { it in '\u4e00'..'\u9fff' } }, "${en.lines}")
            shoot("calculator-traffic-en", language = Language.EN) { CompensationScreen(p.state.value) {} }
        }
    }
}
