package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.Calculator
import org.lawcircle.ffi.CompensationBreakdown
import org.lawcircle.ffi.Dependant
import org.lawcircle.ffi.EnteredItems
import org.lawcircle.ffi.InjuryOutcome
import org.lawcircle.ffi.Language
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.PersonalInjuryRequest
import org.lawcircle.ffi.SeveranceRequest
import org.lawcircle.ffi.Termination
import org.lawcircle.ffi.TrafficAccidentRequest
import org.lawcircle.ffi.WorkInjuryOutcome
import org.lawcircle.ffi.WorkInjuryRequest
import org.lawcircle.ffi.calculatePersonalInjury
import org.lawcircle.ffi.calculateSeverance
import org.lawcircle.ffi.calculateTrafficAccident
import org.lawcircle.ffi.calculateWorkInjury
import org.lawcircle.ffi.calculatorYears

/** What an injury led to, as the form picks it (the grade is a field of its own). */
enum class CalcOutcome { INJURY, DISABILITY, DEATH }

/**
 * The text fields of each calculator, named as the library names them in
 * its `InvalidInput` errors, so a problem lands under its field. Amounts
 * are yuan as typed; the library reads them as decimals.
 */
object CalcFields {
    const val YEAR = "year"
    const val AGE = "age"
    const val GRADE = "outcome.grade"
    const val DEPENDANT_AGE = "dependants[0].age"
    const val DEPENDANT_OBLIGED = "dependants[0].obliged_persons"
    const val FAULT_SHARE = "fault_share_percent"
    const val PROPERTY_LOSS = "property_loss"
    const val MONTHLY_WAGE = "monthly_wage"
    const val MONTHS_OF_SERVICE = "months_of_service"
    const val LAST_MONTH_WAGE = "last_month_wage"

    /** The costs a personal-injury or traffic case enters (`items.…`). */
    val ITEMS = listOf(
        "items.medical", "items.lost_wages", "items.nursing", "items.hospital_meals", "items.nutrition",
        "items.transport", "items.lodging", "items.appraisal", "items.assistive_devices", "items.mental_solatium",
    )

    /** The text fields each calculator shows, in the form's order. */
    fun of(calculator: Calculator): List<String> = when (calculator) {
        Calculator.PERSONAL_INJURY -> listOf(YEAR, AGE, GRADE, DEPENDANT_AGE, DEPENDANT_OBLIGED) + ITEMS
        Calculator.TRAFFIC_ACCIDENT -> listOf(YEAR, AGE, GRADE, DEPENDANT_AGE, DEPENDANT_OBLIGED, FAULT_SHARE, PROPERTY_LOSS) + ITEMS
        Calculator.WORK_INJURY -> listOf(YEAR, MONTHLY_WAGE, GRADE)
        Calculator.SEVERANCE -> listOf(YEAR, MONTHLY_WAGE, MONTHS_OF_SERVICE, LAST_MONTH_WAGE)
    }

    /**
     * The statistical years the library's table holds for each calculator
     * (for Zhejiang: personal injury uses the residents' income and
     * spending, work injury and severance the average wage), oldest first:
     * the year is picked among them, never typed. A calculator whose figures
     * the table lacks offers none.
     */
    fun years(): Map<Calculator, List<UShort>> = Calculator.entries.associateWith {
        try {
            calculatorYears(it)
        } catch (_: LawCircleException) {
            emptyList()
        }
    }
}

/** One calculator's form. */
data class CalculatorForm(
    /** Text by field name ([CalcFields]); a field never typed is absent. */
    val text: Map<String, String> = emptyMap(),
    val outcome: CalcOutcome = CalcOutcome.DISABILITY,
    val termination: Termination = Termination.LAWFUL,
) {
    operator fun get(field: String): String = text[field] ?: ""
}

/** The compensation calculators (赔偿计算器): offline, the library's rules and figures. */
data class CompensationState(
    val calculator: Calculator = Calculator.PERSONAL_INJURY,
    /** The years each calculator offers (the library's table), oldest first. */
    val years: Map<Calculator, List<UShort>> = emptyMap(),
    /** Each calculator's form, kept when the user switches between them; a new one starts at its latest year. */
    val forms: Map<Calculator, CalculatorForm> = Calculator.entries.associateWith { c ->
        CalculatorForm(years[c]?.lastOrNull()?.let { mapOf(CalcFields.YEAR to it.toString()) } ?: emptyMap())
    },
    /** The language the library writes the breakdown's explanation in (the app's language). */
    val language: Language = Language.ZH,
    /** The problems of the last calculation by field (the library's names, `injury.` dropped). */
    val problems: Map<String, String> = emptyMap(),
    val calculating: Boolean = false,
    /** The breakdown of the current form; cleared by any edit. */
    val result: CompensationBreakdown? = null,
    /** A failure not tied to a field. */
    val error: UiError? = null,
) {
    val form: CalculatorForm get() = forms.getValue(calculator)

    /** The years the current calculator offers; the picked one is `form[CalcFields.YEAR]`. */
    val yearChoices: List<UShort> get() = years[calculator].orEmpty()

    fun problem(field: String): String? = problems[field]
}

/** The region the figures are taken for: Zhejiang (浙江省), where Longwan is. */
const val CALC_REGION = "330000"

/**
 * The compensation calculators. Every rule and figure is the library's
 * (`calculate_*`, offline); this presenter only turns the typed text into
 * a request, and the library's `InvalidInput` into the problem under the
 * field it names. The forms survive a rotation through [saved]. The
 * breakdown's words are the library's, in [CompensationState.language]
 * (the app's language, given at creation and on every change).
 */
class CompensationPresenter(
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
    private val saved: SavedStateStore? = null,
    language: Language = Language.ZH,
) : ScopedPresenter<CompensationState>(restore(saved).copy(language = language), scope, io) {

    /**
     * The app's language changed: the next breakdown is explained in it,
     * and a breakdown on screen is computed again in it (returns that job).
     */
    fun setLanguage(language: Language): Job? {
        if (state.value.language == language) return null
        val shown = state.value.result != null
        updateState { it.copy(language = language) }
        return if (shown) calculate() else null
    }

    /** Picks the statistical year among [CompensationState.yearChoices]; another is ignored. */
    fun setYear(year: UShort) {
        if (year !in state.value.yearChoices) return
        setField(CalcFields.YEAR, year.toString())
    }

    fun choose(calculator: Calculator) {
        updateState { it.copy(calculator = calculator, problems = emptyMap(), result = null, error = null) }
        saved?.set(KEY_CALCULATOR, calculator.name)
    }

    fun setField(field: String, value: String) {
        edit { it.copy(text = it.text + (field to value)) }
        saved?.set(key(state.value.calculator, field), value)
    }

    fun setOutcome(outcome: CalcOutcome) {
        edit { it.copy(outcome = outcome) }
        saved?.set(key(state.value.calculator, KEY_OUTCOME), outcome.name)
    }

    fun setTermination(termination: Termination) {
        edit { it.copy(termination = termination) }
        saved?.set(key(state.value.calculator, KEY_TERMINATION), termination.name)
    }

    private fun edit(change: (CalculatorForm) -> CalculatorForm) = updateState {
        it.copy(forms = it.forms + (it.calculator to change(it.form)), problems = emptyMap(), result = null, error = null)
    }

    /** Runs the current calculator on the form. */
    fun calculate(): Job = intent {
        val s = state.value
        if (s.calculating) return@intent
        updateState { it.copy(calculating = true, problems = emptyMap(), error = null, result = null) }
        try {
            val f = s.form
            val language = s.language
            val result = blocking {
                when (s.calculator) {
                    Calculator.PERSONAL_INJURY -> calculatePersonalInjury(injury(f), language)
                    Calculator.TRAFFIC_ACCIDENT -> calculateTrafficAccident(
                        TrafficAccidentRequest(
                            injury = injury(f),
                            faultSharePercent = f[CalcFields.FAULT_SHARE],
                            propertyLoss = f[CalcFields.PROPERTY_LOSS].ifBlank { null },
                        ),
                        language,
                    )
                    Calculator.WORK_INJURY -> calculateWorkInjury(
                        WorkInjuryRequest(
                            region = CALC_REGION,
                            year = f.year(),
                            monthlyWage = f[CalcFields.MONTHLY_WAGE].ifBlank { null },
                            outcome = if (f.outcome == CalcOutcome.DEATH) WorkInjuryOutcome.Death else WorkInjuryOutcome.Disability(f.grade()),
                        ),
                        language,
                    )
                    Calculator.SEVERANCE -> calculateSeverance(
                        SeveranceRequest(
                            region = CALC_REGION,
                            year = f.year(),
                            monthlyWage = f[CalcFields.MONTHLY_WAGE],
                            monthsOfService = f.whole(CalcFields.MONTHS_OF_SERVICE, MAX_WHOLE),
                            termination = f.termination,
                            lastMonthWage = f[CalcFields.LAST_MONTH_WAGE].ifBlank { null },
                        ),
                        language,
                    )
                }
            }
            updateState { it.copy(calculating = false, result = result) }
        } catch (e: NotWhole) {
            updateState { it.copy(calculating = false, problems = mapOf(e.field to e.reason)) }
        } catch (e: LawCircleException.InvalidInput) {
            updateState { it.copy(calculating = false, problems = mapOf(e.field.removePrefix("injury.") to e.reason)) }
        } catch (e: LawCircleException) {
            updateState { it.copy(calculating = false, error = e.toUiError()) }
        }
    }

    /** A whole number the library's typed request needs, or the field's problem. */
    private class NotWhole(val field: String, val reason: String) : Exception(reason)

    private fun CalculatorForm.whole(field: String, max: Long): UInt {
        val t = this[field].trim()
        val n = t.toLongOrNull() ?: throw NotWhole(field, if (t.isEmpty()) "is empty" else "\"$t\" is not a whole number")
        if (n < 0 || n > max) throw NotWhole(field, "$n is out of range (0–$max)")
        return n.toUInt()
    }

    private fun CalculatorForm.year(): UShort = whole(CalcFields.YEAR, UShort.MAX_VALUE.toLong()).toUShort()

    private fun CalculatorForm.grade(): UByte = whole(CalcFields.GRADE, UByte.MAX_VALUE.toLong()).toUByte()

    private fun injury(f: CalculatorForm): PersonalInjuryRequest {
        val dependants = if (f[CalcFields.DEPENDANT_AGE].isBlank()) {
            emptyList()
        } else {
            listOf(Dependant(f[CalcFields.DEPENDANT_AGE], f.whole(CalcFields.DEPENDANT_OBLIGED, MAX_WHOLE), null))
        }
        val item = { name: String -> f["items.$name"].ifBlank { null } }
        return PersonalInjuryRequest(
            region = CALC_REGION,
            year = f.year(),
            age = f.whole(CalcFields.AGE, MAX_WHOLE),
            outcome = when (f.outcome) {
                CalcOutcome.INJURY -> InjuryOutcome.Injury
                CalcOutcome.DISABILITY -> InjuryOutcome.Disability(f.grade())
                CalcOutcome.DEATH -> InjuryOutcome.Death
            },
            dependants = dependants,
            items = EnteredItems(
                medical = item("medical"), lostWages = item("lost_wages"), nursing = item("nursing"),
                hospitalMeals = item("hospital_meals"), nutrition = item("nutrition"), transport = item("transport"),
                lodging = item("lodging"), appraisal = item("appraisal"), assistiveDevices = item("assistive_devices"),
                mentalSolatium = item("mental_solatium"),
            ),
        )
    }

    private companion object {
        /** The library's whole numbers are u32; the core bounds them further (age, months) itself. */
        const val MAX_WHOLE = 4_294_967_295L
        const val KEY_CALCULATOR = "calc.calculator"
        const val KEY_OUTCOME = "#outcome"
        const val KEY_TERMINATION = "#termination"

        fun key(calculator: Calculator, field: String) = "calc.${calculator.name}.$field"

        /** The forms as the store kept them (defaults for what it does not hold). */
        fun restore(saved: SavedStateStore?): CompensationState {
            val base = CompensationState(years = CalcFields.years())
            saved ?: return base
            val forms = base.forms.mapValues { (calc, form) ->
                val fields = CalcFields.of(calc).mapNotNull { f -> saved.string(key(calc, f))?.let { f to it } }
                form.copy(
                    text = form.text + fields,
                    outcome = saved.enum<CalcOutcome>(key(calc, KEY_OUTCOME)) ?: form.outcome,
                    termination = saved.enum<Termination>(key(calc, KEY_TERMINATION)) ?: form.termination,
                )
            }
            return base.copy(calculator = saved.enum<Calculator>(KEY_CALCULATOR) ?: base.calculator, forms = forms)
        }
    }
}
