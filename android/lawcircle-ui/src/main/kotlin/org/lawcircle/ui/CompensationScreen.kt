package org.lawcircle.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.ui.Modifier
import androidx.compose.ui.text.font.FontWeight
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.BreakdownLine
import org.lawcircle.ffi.BreakdownLineKind
import org.lawcircle.ffi.Calculator
import org.lawcircle.ffi.CompensationBreakdown
import org.lawcircle.ffi.Termination
import org.lawcircle.phone.CalcFields
import org.lawcircle.phone.CalcOutcome
import org.lawcircle.phone.CompensationPresenter
import org.lawcircle.phone.CompensationState

sealed interface CompensationEvent {
    data class Choose(val calculator: Calculator) : CompensationEvent
    data class Field(val field: String, val value: String) : CompensationEvent

    /** The statistical year, picked among the state's `yearChoices`. */
    data class Year(val year: UShort) : CompensationEvent

    /** The screen speaks another language: the breakdown is explained in it. */
    data class Explain(val language: org.lawcircle.ffi.Language) : CompensationEvent
    data class Outcome(val outcome: CalcOutcome) : CompensationEvent
    data class EndedBy(val termination: Termination) : CompensationEvent
    data object Calculate : CompensationEvent

    /** Back to the form from the breakdown (the form keeps what was typed). */
    data object Edit : CompensationEvent
}

fun CompensationPresenter.onEvent(e: CompensationEvent) {
    when (e) {
        is CompensationEvent.Choose -> choose(e.calculator)
        is CompensationEvent.Field -> setField(e.field, e.value)
        is CompensationEvent.Year -> setYear(e.year)
        is CompensationEvent.Explain -> setLanguage(e.language)
        is CompensationEvent.Outcome -> setOutcome(e.outcome)
        is CompensationEvent.EndedBy -> setTermination(e.termination)
        CompensationEvent.Calculate -> calculate()
        // Choosing the same calculator again clears the result and keeps the form.
        CompensationEvent.Edit -> choose(state.value.calculator)
    }
}

/** 赔偿计算: the four calculators, offline; the breakdown with its formulas, total and legal basis. */
@Composable
fun CompensationScreen(state: CompensationState, onEvent: (CompensationEvent) -> Unit) {
    val t = strings
    // The library writes the breakdown's words: ask it for the screen's language.
    LaunchedEffect(t.language, state.language) {
        if (state.language != t.language.library) onEvent(CompensationEvent.Explain(t.language.library))
    }
    ScreenFrame(t.calcTitle, t.calcSubtitle) {
        Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            ChipRows(Calculator.entries.map { it to t.calculatorName(it) }, state.calculator) { onEvent(CompensationEvent.Choose(it)) }
            val result = state.result
            if (result != null) {
                Breakdown(result)
                TextButton({ onEvent(CompensationEvent.Edit) }) { Text(t.calcEdit) }
            } else {
                CalculatorFormFields(state, onEvent)
                ErrorNotice(state.error)
                if (state.problems.isNotEmpty()) Notice(t.problemsLeft(state.problems.size), null, Tone.Error)
                if (state.calculating) Loading(t.calculating)
                Button({ onEvent(CompensationEvent.Calculate) }, Modifier.fillMaxWidth(), enabled = !state.calculating) { Text(t.calculate) }
                Text(t.calcEmptyHint, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
            }
        }
    }
}

@Composable
private fun CalculatorFormFields(state: CompensationState, onEvent: (CompensationEvent) -> Unit) {
    val t = strings
    val form = state.form
    val field = @Composable { name: String ->
        Input(t.calcField(name), form[name], state.problem(name)?.let { t.calcProblem(name, it) }) {
            onEvent(CompensationEvent.Field(name, it))
        }
    }
    YearPicker(state, onEvent)
    when (state.calculator) {
        Calculator.PERSONAL_INJURY, Calculator.TRAFFIC_ACCIDENT -> {
            field(CalcFields.AGE)
            Text(t.calcOutcomeHeading, style = MaterialTheme.typography.titleSmall)
            ChipRows(CalcOutcome.entries.map { it to t.calcOutcome(it) }, form.outcome) { onEvent(CompensationEvent.Outcome(it)) }
            if (form.outcome == CalcOutcome.DISABILITY) field(CalcFields.GRADE)
            if (form.outcome != CalcOutcome.INJURY) {
                Text(t.calcDependantHeading, style = MaterialTheme.typography.titleSmall)
                field(CalcFields.DEPENDANT_AGE)
                field(CalcFields.DEPENDANT_OBLIGED)
            }
            // The core's refusal of dependants without a disability lands here.
            state.problem("dependants")?.let { Text(t.calcProblem("dependants", it), color = MaterialTheme.colorScheme.error) }
            if (state.calculator == Calculator.TRAFFIC_ACCIDENT) {
                field(CalcFields.FAULT_SHARE)
                field(CalcFields.PROPERTY_LOSS)
            }
            Text(t.calcItemsHeading, style = MaterialTheme.typography.titleSmall)
            CalcFields.ITEMS.forEach { field(it) }
        }
        Calculator.WORK_INJURY -> {
            Text(t.calcOutcomeHeading, style = MaterialTheme.typography.titleSmall)
            val outcome = if (form.outcome == CalcOutcome.DEATH) CalcOutcome.DEATH else CalcOutcome.DISABILITY
            ChipRows(listOf(CalcOutcome.DISABILITY, CalcOutcome.DEATH).map { it to t.calcOutcome(it) }, outcome) {
                onEvent(CompensationEvent.Outcome(it))
            }
            if (outcome == CalcOutcome.DISABILITY) {
                field(CalcFields.GRADE)
                field(CalcFields.MONTHLY_WAGE)
            }
        }
        Calculator.SEVERANCE -> {
            field(CalcFields.MONTHLY_WAGE)
            field(CalcFields.MONTHS_OF_SERVICE)
            Text(t.calcTerminationHeading, style = MaterialTheme.typography.titleSmall)
            ChipRows(Termination.entries.map { it to t.termination(it) }, form.termination) { onEvent(CompensationEvent.EndedBy(it)) }
            if (form.termination == Termination.LAWFUL_IN_LIEU_OF_NOTICE) field(CalcFields.LAST_MONTH_WAGE)
        }
    }
}

/** The statistical year: one chip per year the library's table holds for this calculator. */
@Composable
private fun YearPicker(state: CompensationState, onEvent: (CompensationEvent) -> Unit) {
    val t = strings
    Text(t.calcField(CalcFields.YEAR), style = MaterialTheme.typography.titleSmall)
    if (state.yearChoices.isEmpty()) {
        Text(t.calcNoYears, color = MaterialTheme.colorScheme.error)
    } else {
        ChipRows(state.yearChoices.map { it to t.calcYear(it) }, state.form[CalcFields.YEAR].toUShortOrNull()) {
            onEvent(CompensationEvent.Year(it))
        }
    }
    state.problem(CalcFields.YEAR)?.let { Text(t.calcProblem(CalcFields.YEAR, it), color = MaterialTheme.colorScheme.error) }
}

@Composable
private fun Breakdown(b: CompensationBreakdown) {
    val t = strings
    Notice(t.calcTotal(b.total), t.calcItemsTotal(b.itemsTotal), Tone.Success)
    val (items, payments) = b.lines.partition { it.kind == BreakdownLineKind.ITEM }
    Text(t.calcItemsHeading, style = MaterialTheme.typography.titleSmall)
    items.forEach { Line(it) }
    if (payments.isNotEmpty()) {
        Text(t.calcPaymentsHeading, style = MaterialTheme.typography.titleSmall)
        payments.forEach { Line(it) }
    }
    Text(t.legalBasis, style = MaterialTheme.typography.titleSmall)
    b.legalBasis.forEach { Text("· $it", style = MaterialTheme.typography.bodySmall) }
    if (b.notes.isNotEmpty()) {
        Text(t.calcNotes, style = MaterialTheme.typography.titleSmall)
        b.notes.forEach { Text("· $it", style = MaterialTheme.typography.bodySmall) }
    }
    HorizontalDivider()
    Text(b.rounding, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
    Text(b.disclaimer, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
}

@Composable
private fun Line(line: BreakdownLine) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(10.dp)) {
            Row(Modifier.fillMaxWidth(), horizontalArrangement = Arrangement.SpaceBetween) {
                // The item wraps; the amount keeps its width.
                Text(line.item, Modifier.weight(1f), style = MaterialTheme.typography.bodyMedium)
                Text(strings.yuan(line.amount), Modifier.padding(start = 8.dp), fontWeight = FontWeight.Bold)
            }
            Text(line.formula, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
        }
    }
}
