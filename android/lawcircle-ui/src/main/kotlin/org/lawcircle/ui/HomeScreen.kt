package org.lawcircle.ui

import org.lawcircle.ffi.Role as AccountRole
import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.FilterChip
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.unit.dp
import org.lawcircle.ffi.Account
import org.lawcircle.ffi.DutyHours
import org.lawcircle.ffi.OutboxCounts
import org.lawcircle.phone.ConnectivityState
import org.lawcircle.phone.UiError

/** Where the home screen leads (its words: [Strings.destinationTitle], [Strings.destinationHint]). */
enum class Destination {
    SignIn, FindNearest, NewNeed, Applications, MyNeeds, ClockIn, Offers, Outbox,

    /** The compensation calculators (offline). */
    Calculators,

    /** Need drafts kept by the library until they are submitted or discarded. */
    Drafts,
}

/** The home screen: who is signed in, the connection, the outbox badge, sign-out and the language. */
data class HomeState(
    val account: Account? = null,
    val connectivity: ConnectivityState = ConnectivityState.Unknown,
    val outbox: OutboxCounts? = null,
    /** Sign-out was asked with this many entries unsent: the screen asks to discard them first. */
    val unsentAtSignOut: ULong? = null,
    /** A sign-out that failed. */
    val error: UiError? = null,
    val language: Language = Language.ZH,
    /** A volunteer's own duty hours and stars (null: not loaded, or not a volunteer). */
    val dutyHours: DutyHours? = null,
    /**
     * Several push apps are installed and none was picked: offers reach
     * the closed app only after the user picks one (the chooser screen).
     */
    val pushNeedsChoice: Boolean = false,
) {
    /** What this role does, most used first; signed out: sign in and look around. */
    val destinations: List<Destination>
        get() = when (account?.role) {
            null -> listOf(Destination.SignIn, Destination.FindNearest)
            AccountRole.RESIDENT -> listOf(
                Destination.FindNearest, Destination.NewNeed, Destination.Applications, Destination.MyNeeds, Destination.Outbox,
                Destination.Calculators, Destination.Drafts,
            )
            AccountRole.VOLUNTEER -> listOf(Destination.ClockIn, Destination.Offers, Destination.FindNearest, Destination.Outbox)
            // A lawyer on site enters needs for the people who come to the post.
            AccountRole.LAWYER -> listOf(
                Destination.NewNeed, Destination.Offers, Destination.ClockIn, Destination.Applications, Destination.Outbox,
                Destination.FindNearest, Destination.Drafts,
            )
            AccountRole.STATION_STAFF, AccountRole.DISTRICT_ADMIN -> listOf(Destination.FindNearest, Destination.Outbox)
        }
}

sealed interface HomeEvent {
    data class Open(val destination: Destination) : HomeEvent

    /** Sign out (the session asks first when something is unsent). */
    data object SignOut : HomeEvent

    /** The answer to "discard the unsent items?": yes. */
    data object DiscardAndSignOut : HomeEvent

    /** The answer: no, stay signed in. */
    data object KeepSignedIn : HomeEvent

    /** The language toggle; the app persists it. */
    data class SetLanguage(val language: Language) : HomeEvent

    /** Open the push app chooser ([PushDistributorScreen]). */
    data object ChoosePush : HomeEvent
}

@Composable
fun HomeScreen(state: HomeState, onEvent: (HomeEvent) -> Unit) {
    val t = strings
    val who = state.account?.let { t.who(it.displayName, it.role) } ?: t.signedOut
    ScreenFrame(t.appTitle, who) {
        Column(Modifier.verticalScroll(rememberScrollState()).padding(vertical = 8.dp)) {
            ConnectivityNotice(state.connectivity)
            state.dutyHours?.let { h ->
                val next = h.hoursToNextStar
                Notice(
                    t.starsLine(h.stars.toInt()),
                    t.dutyHoursLine(h.totalHours, h.monthHours) + "\n" +
                        if (next == null) t.topStar else t.toNextStar(next, h.stars.toInt() + 1),
                    Tone.Success,
                    Modifier.padding(bottom = 6.dp),
                )
            }
            if (state.pushNeedsChoice && state.account != null) {
                Notice(t.pushNeedsChoice, t.pushNeedsChoiceDetail, Tone.Warning, Modifier.padding(bottom = 4.dp))
                Button({ onEvent(HomeEvent.ChoosePush) }, Modifier.fillMaxWidth().padding(bottom = 6.dp)) { Text(t.pushChooseNow) }
            }
            val pending = state.outbox?.pending ?: 0uL
            state.destinations.forEach { d ->
                val badge = if (d == Destination.Outbox && pending > 0uL) t.pendingBadge(pending) else ""
                Card(
                    Modifier.fillMaxWidth().padding(vertical = 6.dp).clickable(role = Role.Button) { onEvent(HomeEvent.Open(d)) },
                ) {
                    Column(Modifier.padding(16.dp)) {
                        Text(t.destinationTitle(d) + badge, style = MaterialTheme.typography.titleMedium)
                        Text(t.destinationHint(d), style = MaterialTheme.typography.bodySmall)
                    }
                }
            }
            Text(t.languageSetting, Modifier.padding(top = 12.dp), style = MaterialTheme.typography.titleSmall)
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Language.entries.forEach { l ->
                    FilterChip(
                        selected = l == state.language,
                        onClick = { onEvent(HomeEvent.SetLanguage(l)) },
                        label = { Text(l.nativeName) },
                    )
                }
            }
            if (state.account != null) {
                val unsent = state.unsentAtSignOut
                if (unsent != null) {
                    Notice(t.unsentAtSignOut(unsent), t.unsentAtSignOutDetail, Tone.Warning, Modifier.padding(top = 8.dp))
                    Row(Modifier.padding(top = 4.dp), horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        Button({ onEvent(HomeEvent.DiscardAndSignOut) }) { Text(t.discardAndSignOut) }
                        OutlinedButton({ onEvent(HomeEvent.KeepSignedIn) }) { Text(t.keepSignedIn) }
                    }
                } else {
                    OutlinedButton({ onEvent(HomeEvent.SignOut) }, Modifier.fillMaxWidth().padding(top = 8.dp)) { Text(t.signOut) }
                }
                ErrorNotice(state.error)
            }
        }
    }
}

/** The banner every screen may show: offline means "saved, sent later". */
@Composable
fun ConnectivityNotice(state: ConnectivityState) {
    val t = strings
    when (state) {
        is ConnectivityState.Offline -> Notice(t.offlineTitle, t.offlineKeepWorking, Tone.Warning)
        ConnectivityState.Unknown, is ConnectivityState.Online -> Unit
    }
}
