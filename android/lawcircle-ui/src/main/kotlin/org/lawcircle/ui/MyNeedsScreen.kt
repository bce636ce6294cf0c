package org.lawcircle.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.lawcircle.phone.MyNeedsPresenter
import org.lawcircle.phone.MyNeedsState

sealed interface MyNeedsEvent {
    data object Refresh : MyNeedsEvent

    /** Opens the rating screen for the need's order (navigation: the app's). */
    data class Rate(val orderId: String) : MyNeedsEvent
}

fun MyNeedsPresenter.onEvent(e: MyNeedsEvent) {
    when (e) {
        MyNeedsEvent.Refresh -> refresh()
        is MyNeedsEvent.Rate -> Unit
    }
}

/** 我的需求: each need with its progress; a resolved one may be rated. */
@Composable
fun MyNeedsScreen(state: MyNeedsState, onEvent: (MyNeedsEvent) -> Unit) {
    val sub = when {
        state.needs.isEmpty() -> "办理进度与服务评价"
        state.rateable.isEmpty() -> "共 ${state.needs.size} 件"
        else -> "共 ${state.needs.size} 件，${state.rateable.size} 件待评价"
    }
    ScreenFrame("我的需求", sub) {
        Row(Modifier.fillMaxWidth(), verticalAlignment = Alignment.CenterVertically) {
            Text("办理进度", Modifier.weight(1f), style = MaterialTheme.typography.titleSmall)
            TextButton({ onEvent(MyNeedsEvent.Refresh) }, enabled = !state.loading) { Text("刷新") }
        }
        if (state.loading) Loading("正在读取…")
        ErrorNotice(state.error)
        if (state.needs.isEmpty() && !state.loading && state.error == null) {
            Empty("还没有提交过需求", "在首页点“登记需求”，或到附近的服务点咨询")
        }
        LazyColumn(verticalArrangement = Arrangement.spacedBy(8.dp)) {
            items(state.needs, key = { it.id }) { n ->
                Card(Modifier.fillMaxWidth()) {
                    Row(Modifier.padding(12.dp), verticalAlignment = Alignment.CenterVertically) {
                        Column(Modifier.weight(1f)) {
                            Text(categoryName(n.category), style = MaterialTheme.typography.titleSmall)
                            Text("${shortTime(n.receivedAtMs)} 受理", style = MaterialTheme.typography.bodySmall)
                            Text(orderStateName(n.orderState), color = MaterialTheme.colorScheme.primary)
                        }
                        val order = n.orderId
                        if (n.mayRate && order != null) Button({ onEvent(MyNeedsEvent.Rate(order)) }) { Text("去评价") }
                    }
                }
            }
        }
    }
}
