package org.lawcircle.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ColumnScope
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.material3.Card
import androidx.compose.material3.CardDefaults
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.semantics.heading
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import org.lawcircle.phone.ALREADY_RATED
import org.lawcircle.phone.TAKEN_BY_SOMEONE_ELSE
import org.lawcircle.phone.UiError

/** The district's colours: the justice-bureau blue, a warm accent for actions. */
private val colors = lightColorScheme(
    primary = Color(0xFF1F4E8C),
    onPrimary = Color.White,
    primaryContainer = Color(0xFFD8E4F7),
    onPrimaryContainer = Color(0xFF0B2548),
    secondary = Color(0xFFB5562B),
    secondaryContainer = Color(0xFFFBE3D6),
    onSecondaryContainer = Color(0xFF4A1C06),
    tertiaryContainer = Color(0xFFDDF1E2),
    onTertiaryContainer = Color(0xFF0D3B1C),
    background = Color(0xFFF6F7FA),
    surface = Color.White,
    // Cards: a light blue-grey, not Material's default lilac.
    surfaceContainerHighest = Color(0xFFE8EEF6),
    surfaceVariant = Color(0xFFE8EEF6),
    error = Color(0xFFB3261E),
    errorContainer = Color(0xFFF9DEDC),
    onErrorContainer = Color(0xFF410E0B),
)

/** The app's Material 3 theme in the chosen [language] (Chinese by default); every screen is drawn inside it. */
@Composable
fun LawCircleTheme(language: Language = Language.ZH, content: @Composable () -> Unit) {
    CompositionLocalProvider(LocalStrings provides language.strings) {
        MaterialTheme(colorScheme = colors) {
            Surface(Modifier.fillMaxSize(), color = MaterialTheme.colorScheme.background) { content() }
        }
    }
}

/** A screen: its title bar, then its content in a column. */
@Composable
fun ScreenFrame(title: String, subtitle: String? = null, content: @Composable ColumnScope.() -> Unit) {
    Column(Modifier.fillMaxSize()) {
        Column(
            Modifier.fillMaxWidth().background(MaterialTheme.colorScheme.primary).padding(horizontal = 16.dp, vertical = 12.dp),
        ) {
            Text(
                title,
                style = MaterialTheme.typography.titleLarge,
                color = MaterialTheme.colorScheme.onPrimary,
                modifier = Modifier.semantics { heading() },
            )
            subtitle?.let {
                Text(it, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onPrimary.copy(alpha = 0.85f))
            }
        }
        Column(
            Modifier.fillMaxSize().padding(start = 16.dp, end = 16.dp, top = 12.dp),
            verticalArrangement = Arrangement.spacedBy(8.dp),
        ) {
            content()
        }
    }
}

/** Which kind of message a [Notice] carries. */
enum class Tone { Info, Success, Warning, Error }

/** A message in a coloured card: offline, success, a refusal. */
@Composable
fun Notice(title: String, detail: String? = null, tone: Tone = Tone.Info, modifier: Modifier = Modifier) {
    val (bg, fg) = when (tone) {
        Tone.Info -> MaterialTheme.colorScheme.primaryContainer to MaterialTheme.colorScheme.onPrimaryContainer
        Tone.Success -> MaterialTheme.colorScheme.tertiaryContainer to MaterialTheme.colorScheme.onTertiaryContainer
        Tone.Warning -> MaterialTheme.colorScheme.secondaryContainer to MaterialTheme.colorScheme.onSecondaryContainer
        Tone.Error -> MaterialTheme.colorScheme.errorContainer to MaterialTheme.colorScheme.onErrorContainer
    }
    Card(modifier.fillMaxWidth(), colors = CardDefaults.cardColors(containerColor = bg, contentColor = fg)) {
        Column(Modifier.padding(12.dp)) {
            Text(title, style = MaterialTheme.typography.titleSmall)
            detail?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
        }
    }
}

/** A failed call: what it means in words, the platform's message as detail. */
@Composable
fun ErrorNotice(error: UiError?) {
    error ?: return
    val t = strings
    val title = t.errorTitle(error)
    val detail = when {
        // The presenters' own Chinese messages say it all in the title already.
        error.message == TAKEN_BY_SOMEONE_ELSE || error.message == ALREADY_RATED -> null
        // The transport's details (URL, socket error) mean nothing to a user.
        isNetwork(error) -> t.networkRetryLater
        else -> error.message
    }
    Notice(title, detail, Tone.Error)
}

/** Something is on its way (a fetch, a search, a sync). */
@Composable
fun Loading(text: String) {
    Row(Modifier.fillMaxWidth().padding(vertical = 8.dp), verticalAlignment = Alignment.CenterVertically) {
        CircularProgressIndicator(Modifier.size(20.dp), strokeWidth = 2.dp)
        Text(text, Modifier.padding(start = 12.dp), style = MaterialTheme.typography.bodyMedium)
    }
}

/** A list with nothing in it says so, and what to do. */
@Composable
fun Empty(title: String, hint: String? = null) {
    Column(Modifier.fillMaxWidth().padding(vertical = 32.dp), horizontalAlignment = Alignment.CenterHorizontally) {
        Text(title, style = MaterialTheme.typography.titleMedium, color = MaterialTheme.colorScheme.onSurfaceVariant)
        hint?.let { Text(it, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant) }
    }
}
