package org.lawcircle.app.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import org.lawcircle.phone.ApplicationFormPresenter
import org.lawcircle.phone.ClockInPresenter
import org.lawcircle.phone.ConnectivityPresenter
import org.lawcircle.phone.ConnectivityState
import org.lawcircle.phone.FindNearestPresenter
import org.lawcircle.phone.FormFieldState
import org.lawcircle.phone.NeedFields
import org.lawcircle.phone.NewNeedPresenter
import org.lawcircle.phone.OrderOffersPresenter
import org.lawcircle.phone.OutboxPresenter
import org.lawcircle.phone.RatingPresenter
import org.lawcircle.phone.UiError
import org.lawcircle.ffi.FormWidget
import org.lawcircle.ffi.PunchKind

// Screens only render presenter state and call intents; no logic lives
// here (it could not be tested on the JVM).

/** Where the app is. */
sealed interface Route {
    data object Home : Route
    data object FindNearest : Route
    data object ClockIn : Route
    data object NewNeed : Route
    data object Outbox : Route
    data object Forms : Route
    data object Offers : Route
    data class Rate(val orderId: String) : Route
}

@Composable
fun HomeScreen(go: (Route) -> Unit) {
    Column(Modifier.padding(16.dp)) {
        listOf(
            "就近查找 Find nearest" to Route.FindNearest,
            "签到 Clock in" to Route.ClockIn,
            "需求登记 New need" to Route.NewNeed,
            "线上申请 Applications" to Route.Forms,
            "待发送 Outbox" to Route.Outbox,
            "抢单 Order offers" to Route.Offers,
        ).forEach { (label, route) -> Button(onClick = { go(route) }, Modifier.padding(4.dp)) { Text(label) } }
    }
}

@Composable
fun ConnectivityBanner(presenter: ConnectivityPresenter) {
    val state by presenter.state.collectAsStateWithLifecycle()
    val offline = state as? ConnectivityState.Offline ?: return
    Text("离线 Offline: ${offline.reason}", style = MaterialTheme.typography.bodySmall, modifier = Modifier.padding(8.dp))
}

@Composable
private fun ErrorText(error: UiError?) {
    error?.let { Text(it.message, color = MaterialTheme.colorScheme.error) }
}

@Composable
fun FindNearestScreen(presenter: FindNearestPresenter) {
    val s by presenter.state.collectAsStateWithLifecycle()
    Column(Modifier.padding(16.dp)) {
        Row {
            Button(onClick = { presenter.refresh() }, enabled = !s.refreshing) { Text("更新 Refresh") }
            if (s.offline) Text(" 离线数据 Offline copy", Modifier.padding(8.dp))
        }
        if (s.position == null) Text("等待定位 Waiting for a location fix")
        if (s.estimated) Text("距离为估算 Walking distances are estimated", style = MaterialTheme.typography.bodySmall)
        s.coverage?.let { Text("15 分钟圈覆盖 ${it.covered}/${it.total}") }
        ErrorText(s.error)
        LazyColumn {
            items(s.places) { p ->
                Column(Modifier.padding(vertical = 6.dp)) {
                    Text("${p.name} · ${p.kindName}")
                    Text("${p.walkingM?.toInt() ?: "—"} m · ${p.walkingMinutes?.toInt() ?: "—"} min · ${p.address}")
                }
            }
        }
    }
}

@Composable
fun ClockInScreen(presenter: ClockInPresenter) {
    val s by presenter.state.collectAsStateWithLifecycle()
    Column(Modifier.padding(16.dp)) {
        TextButton(onClick = { presenter.refresh() }) { Text("更新点位 Refresh posts") }
        Text(if (s.hasFix) "定位精度 ±${s.accuracyM?.toInt()} m" else "等待定位 Waiting for a fix")
        s.posts.forEach { post ->
            Row(Modifier.clickable { presenter.selectPost(post.id) }) {
                RadioButton(selected = post.id == s.postId, onClick = { presenter.selectPost(post.id) })
                Text("${post.name} ${post.distanceToFenceM?.let { "${it.toInt()} m" } ?: ""}", Modifier.padding(12.dp))
            }
        }
        s.check?.let { Text("现在: ${it.verdict} ${it.reasons.joinToString()}") }
        Row {
            Button(onClick = { presenter.punch(PunchKind.IN) }, enabled = !s.punching) { Text("签到 In") }
            Button(onClick = { presenter.punch(PunchKind.OUT) }, enabled = !s.punching) { Text("签退 Out") }
        }
        s.outcome?.let { Text("${it.kind}: ${it.verdict} ${it.reasons.joinToString()}${if (it.offline) " (离线, 待发送)" else ""}") }
        ErrorText(s.error)
    }
}

@Composable
private fun Field(label: String, value: String, problem: String?, onChange: (String) -> Unit) {
    OutlinedTextField(
        value = value,
        onValueChange = onChange,
        label = { Text(label) },
        isError = problem != null,
        supportingText = if (problem != null) { { Text(problem) } } else null,
    )
}

@Composable
fun NewNeedScreen(presenter: NewNeedPresenter) {
    val s by presenter.state.collectAsStateWithLifecycle()
    val f = s.fields
    LazyColumn(Modifier.padding(16.dp)) {
        item {
            Field("姓名 Name", f.requesterName, s.problem("requester.name")) { v -> presenter.edit { it.copy(requesterName = v) } }
            Field("手机 Phone", f.requesterPhone, s.problem("requester.phone")) { v -> presenter.edit { it.copy(requesterPhone = v) } }
            Field("身份证号 ID (optional)", f.requesterIdNumber, s.problem("requester.id_number")) { v ->
                presenter.edit { it.copy(requesterIdNumber = v) }
            }
        }
        items(s.categories) { c ->
            Row(Modifier.clickable { presenter.edit { it.copy(category = c.code) } }) {
                RadioButton(selected = f.category == c.code, onClick = { presenter.edit { it.copy(category = c.code) } })
                Text(c.name, Modifier.padding(12.dp))
            }
        }
        item {
            Field("情况 What happened", f.description, s.problem("description")) { v -> presenter.edit { it.copy(description = v) } }
            Field("地址 Address", f.address, s.problem("location.address")) { v -> presenter.edit { it.copy(address = v) } }
            Field("区划代码 Area code", f.areaCode, s.problem("location.area_code")) { v -> presenter.edit { it.copy(areaCode = v) } }
            Row {
                Checkbox(checked = f.consentGiven, onCheckedChange = { v -> presenter.edit { it.copy(consentGiven = v) } })
                Text("同意个人信息处理 I agree to the notice", Modifier.padding(12.dp))
            }
            s.problem("consent.given")?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            s.attachments.forEachIndexed { i, a ->
                Row {
                    Text("${a.mediaType ?: "?"} · ${a.sizeBytes / 1024} KB ${s.problem("attachments[$i]") ?: ""}")
                    TextButton(onClick = { presenter.removeAttachment(i) }) { Text("移除") }
                }
            }
            // The photo picker (ActivityResultContracts.PickVisualMedia) hands bytes to presenter.addAttachment.
            Button(onClick = { presenter.submit() }, enabled = !s.submitting) { Text("提交 Submit") }
            s.submittedKey?.let {
                Text("已保存, 联网后发送 Saved; sent when online")
                TextButton(onClick = { presenter.reset() }) { Text("再登记一条 New") }
            }
            ErrorText(s.error)
        }
    }
}

@Composable
fun OutboxScreen(presenter: OutboxPresenter) {
    val s by presenter.state.collectAsStateWithLifecycle()
    Column(Modifier.padding(16.dp)) {
        s.counts?.let { Text("待发送 ${it.pending} · 需处理 ${it.wedged} · 已送达 ${it.sent}") }
        Button(onClick = { presenter.sync() }, enabled = !s.syncing) { Text("立即发送 Sync") }
        s.lastSync?.let { Text("sent ${it.sent}, pending ${it.pending}") }
        ErrorText(s.error)
        LazyColumn {
            items(s.entries) { e ->
                Row {
                    Text("${e.kind} · ${e.state}${e.lastError?.let { " · $it" } ?: ""}", Modifier.padding(8.dp))
                    TextButton(onClick = { presenter.retry(e.key) }) { Text("重试") }
                    TextButton(onClick = { presenter.discard(e.key) }) { Text("放弃") }
                }
            }
        }
    }
}

@Composable
fun OrderOffersScreen(presenter: OrderOffersPresenter, rate: (String) -> Unit) {
    val s by presenter.state.collectAsStateWithLifecycle()
    Column(Modifier.padding(16.dp)) {
        Text(if (s.live) "实时 Live" else "重新连接中 Reconnecting… ${s.disconnectedReason ?: ""}")
        ErrorText(s.error)
        s.current?.let { o ->
            Text("${o.category} · ${o.state}")
            Row {
                TextButton(onClick = { presenter.startWork(o.id) }) { Text("开始 Start") }
                TextButton(onClick = { presenter.resolve(o.id, "已解答") }) { Text("办结 Resolve") }
                TextButton(onClick = { rate(o.id) }) { Text("评价 Rate") }
            }
        }
        LazyColumn {
            items(s.offers) { o ->
                Row {
                    Text("${o.category}${if (o.urgent) " · 急" else ""} · ${o.areaCode}", Modifier.padding(8.dp))
                    Button(onClick = { presenter.grab(o.id) }, enabled = s.busy == null) { Text("抢单 Grab") }
                }
            }
        }
    }
}

@Composable
fun RateScreen(presenter: RatingPresenter) {
    val s by presenter.state.collectAsStateWithLifecycle()
    Column(Modifier.padding(16.dp)) {
        Row {
            (1..5).forEach { n ->
                TextButton(onClick = { presenter.setScore(n) }) { Text(if ((s.score ?: 0) >= n) "★" else "☆") }
            }
        }
        OutlinedTextField(value = s.comment, onValueChange = presenter::setComment, label = { Text("评价 Comment") })
        Button(onClick = { presenter.submit() }, enabled = !s.submitting && s.rated == null) { Text("提交 Submit") }
        if (s.rated != null) Text("谢谢 Thank you")
        ErrorText(s.error)
    }
}

/** The generic form renderer: one widget per field, as the application type's schema says. */
@Composable
fun ApplicationFormScreen(presenter: ApplicationFormPresenter, contact: () -> NeedFields) {
    val s by presenter.state.collectAsStateWithLifecycle()
    val form = s.open
    LazyColumn(Modifier.padding(16.dp)) {
        if (form == null) {
            item {
                TextButton(onClick = { presenter.load() }) { Text("更新 Refresh") }
                ErrorText(s.error)
            }
            items(s.forms) { f ->
                Text(f.titleZh, Modifier.clickable { presenter.open(f.serviceCode) }.padding(12.dp))
            }
        } else {
            item { Text(form.titleZh, style = MaterialTheme.typography.titleLarge) }
            items(form.fields) { field -> FormField(field, presenter) }
            item {
                form.assessment?.let { a ->
                    Text("预判 ${a.verdict}")
                    a.reasons.forEach { Text("· $it", style = MaterialTheme.typography.bodySmall) }
                    a.missingDocuments.forEach { d ->
                        Row {
                            Checkbox(checked = false, onCheckedChange = { presenter.setDocumentProvided(d.code, it) })
                            Text("缺 ${d.nameZh}", Modifier.padding(12.dp))
                        }
                    }
                }
                form.needProblems.forEach { (k, v) -> Text("$k: $v", color = MaterialTheme.colorScheme.error) }
                Button(onClick = { presenter.submit(contact()) }, enabled = !form.submitting) { Text("提交 Submit") }
                if (form.submittedKey != null) Text("已保存, 联网后发送 Saved; sent when online")
                TextButton(onClick = presenter::closeForm) { Text("返回 Back") }
                ErrorText(s.error)
            }
        }
    }
}

@Composable
private fun FormField(field: FormFieldState, presenter: ApplicationFormPresenter) {
    val label = field.spec.labelZh + if (field.spec.required) " *" else ""
    Column(Modifier.padding(vertical = 4.dp)) {
        when (field.widget) {
            FormWidget.INFO -> Text(field.spec.helpZh)
            FormWidget.SINGLE_SELECT -> {
                Text(label)
                field.spec.choices.forEach { c ->
                    Row(Modifier.clickable { presenter.edit(field.code, c.key) }) {
                        RadioButton(selected = field.raw == c.key, onClick = { presenter.edit(field.code, c.key) })
                        Text(c.labelZh, Modifier.padding(12.dp))
                    }
                }
            }
            FormWidget.MULTI_SELECT -> {
                Text(label)
                field.spec.choices.forEach { c ->
                    Row {
                        Checkbox(checked = c.key in field.selected, onCheckedChange = { presenter.toggleChoice(field.code, c.key) })
                        Text(c.labelZh, Modifier.padding(12.dp))
                    }
                }
            }
            // Text, text area, number and date all take typed text; the core parses and checks it.
            FormWidget.TEXT_INPUT, FormWidget.TEXT_AREA, FormWidget.NUMBER_INPUT, FormWidget.DATE_PICKER ->
                Field(label, field.raw, null) { presenter.edit(field.code, it) }
        }
        field.problem?.let { Text(it, color = MaterialTheme.colorScheme.error) }
    }
}
