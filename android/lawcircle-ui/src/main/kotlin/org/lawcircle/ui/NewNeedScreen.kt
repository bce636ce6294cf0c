package org.lawcircle.ui

import org.lawcircle.ffi.NeedCategory
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.selection.toggleable
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import org.lawcircle.phone.NeedFields
import org.lawcircle.phone.NewNeedPresenter
import org.lawcircle.phone.NewNeedState

sealed interface NewNeedEvent {
    data class Name(val value: String) : NewNeedEvent
    data class Phone(val value: String) : NewNeedEvent
    data class IdNumber(val value: String) : NewNeedEvent
    data class Category(val category: NeedCategory) : NewNeedEvent
    data class Urgency(val urgency: org.lawcircle.ffi.Urgency) : NewNeedEvent
    data class Description(val value: String) : NewNeedEvent
    data class Address(val value: String) : NewNeedEvent
    data class AreaCode(val value: String) : NewNeedEvent
    data class Consent(val given: Boolean) : NewNeedEvent

    /** Opens the camera or photo picker (the Android glue), which then sends [Attach]. */
    data object PickPhoto : NewNeedEvent

    /** A photo picked and downscaled. */
    /** A photo or document the app wrote to [path] (e.g. a downscaled JPEG in its cache). */
    class Attach(val path: String, val displayName: String? = null) : NewNeedEvent
    data class RemoveAttachment(val index: Int) : NewNeedEvent
    data object Submit : NewNeedEvent

    /** A blank form for the next person. */
    data object Another : NewNeedEvent
}

/** The presenter's part of the events; [NewNeedEvent.PickPhoto] is the app's. */
fun NewNeedPresenter.onEvent(e: NewNeedEvent) {
    fun set(change: (NeedFields) -> NeedFields) = edit(change)
    when (e) {
        is NewNeedEvent.Name -> set { it.copy(requesterName = e.value) }
        is NewNeedEvent.Phone -> set { it.copy(requesterPhone = e.value) }
        is NewNeedEvent.IdNumber -> set { it.copy(requesterIdNumber = e.value) }
        is NewNeedEvent.Category -> set { it.copy(category = e.category) }
        is NewNeedEvent.Urgency -> set { it.copy(urgency = e.urgency) }
        is NewNeedEvent.Description -> set { it.copy(description = e.value) }
        is NewNeedEvent.Address -> set { it.copy(address = e.value) }
        is NewNeedEvent.AreaCode -> set { it.copy(areaCode = e.value) }
        is NewNeedEvent.Consent -> set { it.copy(consentGiven = e.given) }
        NewNeedEvent.PickPhoto -> Unit
        is NewNeedEvent.Attach -> addAttachment(e.path, e.displayName)
        is NewNeedEvent.RemoveAttachment -> removeAttachment(e.index)
        NewNeedEvent.Submit -> submit()
        NewNeedEvent.Another -> reset()
    }
}

/** 登记需求: a resident's own need, or one a lawyer enters on site; saved offline, sent when online. */
@Composable
fun NewNeedScreen(state: NewNeedState, onEvent: (NewNeedEvent) -> Unit) {
    val f = state.fields
    ScreenFrame("登记需求", "保存在手机上，联网后自动发送") {
        if (state.submittedKey != null) {
            Notice("已保存", "需求已存入待发送，联网后自动送达，可在“我的需求”查看进度。", Tone.Success)
            Button({ onEvent(NewNeedEvent.Another) }, Modifier.fillMaxWidth()) { Text("再登记一条") }
            return@ScreenFrame
        }
        Column(Modifier.verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(6.dp)) {
            Input("姓名", f.requesterName, state.problemText("requester.name")) { onEvent(NewNeedEvent.Name(it)) }
            Input("手机号", f.requesterPhone, state.problemText("requester.phone")) { onEvent(NewNeedEvent.Phone(it)) }
            Input("身份证号（选填）", f.requesterIdNumber, state.problemText("requester.id_number")) { onEvent(NewNeedEvent.IdNumber(it)) }
            Text("需要什么服务", style = MaterialTheme.typography.titleSmall)
            ChipRows(state.categories.map { it.category to it.name }, f.category) { onEvent(NewNeedEvent.Category(it)) }
            Text("紧急程度", style = MaterialTheme.typography.titleSmall)
            ChipRows(urgencies.map { it to urgencyName(it) }, f.urgency) { onEvent(NewNeedEvent.Urgency(it)) }
            Input("情况说明", f.description, state.problemText("description"), singleLine = false) { onEvent(NewNeedEvent.Description(it)) }
            Input("地址", f.address, state.problemText("location.address")) { onEvent(NewNeedEvent.Address(it)) }
            Input("村（社区）代码", f.areaCode, state.problemText("location.area_code")) { onEvent(NewNeedEvent.AreaCode(it)) }
            state.attachments.forEachIndexed { i, a ->
                Row(verticalAlignment = Alignment.CenterVertically) {
                    val problem = state.problem("attachments[$i]")
                    Text(
                        "照片 ${i + 1}：${(a.sizeBytes + 1023) / 1024} KB" + (problem?.let { "（$it）" } ?: ""),
                        Modifier.weight(1f),
                        color = if (problem != null) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
                    )
                    TextButton({ onEvent(NewNeedEvent.RemoveAttachment(i)) }) { Text("移除") }
                }
            }
            OutlinedButton({ onEvent(NewNeedEvent.PickPhoto) }) { Text("添加照片") }
            Row(
                Modifier.fillMaxWidth().toggleable(f.consentGiven, role = Role.Checkbox) { onEvent(NewNeedEvent.Consent(it)) },
                verticalAlignment = Alignment.CenterVertically,
            ) {
                Checkbox(f.consentGiven, onCheckedChange = null)
                Text("我同意为办理本事项处理我的个人信息", Modifier.padding(start = 8.dp))
            }
            state.problemText("consent.given")?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            if (state.problems.isNotEmpty()) Notice("还有 ${state.problems.size} 处需要修改", null, Tone.Error)
            ErrorNotice(state.error)
            if (state.submitting) Loading("正在检查并保存…")
            Button({ onEvent(NewNeedEvent.Submit) }, Modifier.fillMaxWidth(), enabled = !state.submitting) { Text("提交") }
        }
    }
}

/** A field's problem in words, or null. */
private fun NewNeedState.problemText(field: String): String? = problem(field)?.let { problemText(field, it) }

@Composable
internal fun Input(label: String, value: String, problem: String?, singleLine: Boolean = true, onChange: (String) -> Unit) {
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        modifier = Modifier.fillMaxWidth(),
        label = { Text(label) },
        singleLine = singleLine,
        minLines = if (singleLine) 1 else 3,
        isError = problem != null,
        supportingText = problem?.let { p -> { Text(p) } },
    )
}

/** A single choice among a few, as chips that wrap. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
internal fun <T> ChipRows(choices: List<Pair<T, String>>, selected: T, onPick: (T) -> Unit) {
    FlowRow(horizontalArrangement = Arrangement.spacedBy(6.dp)) {
        choices.forEach { (code, name) -> FilterChip(selected = code == selected, onClick = { onPick(code) }, label = { Text(name) }) }
    }
}
