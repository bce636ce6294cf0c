package org.lawcircle.ui

import org.lawcircle.ffi.Role as AccountRole
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.Account
import org.lawcircle.ffi.OutboxCounts
import org.lawcircle.phone.ConnectivityState

/** Where the home screen leads. */
enum class Destination(val title: String, val hint: String) {
    SignIn("注册 / 登录", "用手机号和短信验证码"),
    FindNearest("就近查找", "步行 15 分钟内的法律服务点"),
    NewNeed("登记需求", "说说您遇到的法律问题"),
    Applications("线上申请", "法律援助、调解等申请表"),
    MyNeeds("我的需求", "办理进度与服务评价"),
    ClockIn("值守签到", "到岗签到、离岗签退"),
    Offers("接单", "附近的咨询，抢单与派单"),
    Outbox("待发送", "离线保存的内容，联网后自动发送"),
}

/** The home screen: who is signed in, the connection and the outbox badge. */
data class HomeState(
    val account: Account? = null,
    val connectivity: ConnectivityState = ConnectivityState.Unknown,
    val outbox: OutboxCounts? = null,
) {
    /** What this role does, most used first; signed out: sign in and look around. */
    val destinations: List<Destination>
        get() = when (account?.role) {
            null -> listOf(Destination.SignIn, Destination.FindNearest)
            AccountRole.RESIDENT -> listOf(
                Destination.FindNearest, Destination.NewNeed, Destination.Applications, Destination.MyNeeds, Destination.Outbox,
            )
            AccountRole.VOLUNTEER -> listOf(Destination.ClockIn, Destination.Offers, Destination.FindNearest, Destination.Outbox)
            // A lawyer on site enters needs for the people who come to the post.
            AccountRole.LAWYER -> listOf(
                Destination.NewNeed, Destination.Offers, Destination.ClockIn, Destination.Applications, Destination.Outbox,
                Destination.FindNearest,
            )
            AccountRole.STATION_STAFF, AccountRole.DISTRICT_ADMIN -> listOf(Destination.FindNearest, Destination.Outbox)
        }
}

sealed interface HomeEvent {
    data class Open(val destination: Destination) : HomeEvent
}

@Composable
fun HomeScreen(state: HomeState, onEvent: (HomeEvent) -> Unit) {
    val who = state.account?.let { "${it.displayName}（${roleName(it.role)}）" } ?: "未登录"
    ScreenFrame("龙湾 15 分钟法律服务圈", who) {
        Column(Modifier.verticalScroll(rememberScrollState()).padding(vertical = 8.dp)) {
            ConnectivityNotice(state.connectivity)
            val pending = state.outbox?.pending ?: 0uL
            state.destinations.forEach { d ->
                val badge = if (d == Destination.Outbox && pending > 0uL) "（$pending 条待发送）" else ""
                Card(
                    Modifier.fillMaxWidth().padding(vertical = 6.dp).clickable(role = Role.Button) { onEvent(HomeEvent.Open(d)) },
                ) {
                    Column(Modifier.padding(16.dp)) {
                        Text(d.title + badge, style = MaterialTheme.typography.titleMedium)
                        Text(d.hint, style = MaterialTheme.typography.bodySmall)
                    }
                }
            }
        }
    }
}

/** The banner every screen may show: offline means "saved, sent later". */
@Composable
fun ConnectivityNotice(state: ConnectivityState) {
    when (state) {
        is ConnectivityState.Offline -> Notice("当前离线", "可以继续登记和签到，内容保存在手机上，联网后自动发送。", Tone.Warning)
        ConnectivityState.Unknown, is ConnectivityState.Online -> Unit
    }
}
