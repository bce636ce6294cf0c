package org.lawcircle.ui

import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.sp
import org.lawcircle.phone.RatingPresenter
import org.lawcircle.phone.RatingState

sealed interface RatingEvent {
    data class Score(val stars: Int) : RatingEvent
    data class Comment(val text: String) : RatingEvent
    data object Submit : RatingEvent
}

fun RatingPresenter.onEvent(e: RatingEvent) {
    when (e) {
        is RatingEvent.Score -> setScore(e.stars)
        is RatingEvent.Comment -> setComment(e.text)
        RatingEvent.Submit -> submit()
    }
}

/** 服务评价: the requester rates a resolved service, once. */
@Composable
fun RatingScreen(state: RatingState, onEvent: (RatingEvent) -> Unit) {
    val t = strings
    ScreenFrame(t.ratingTitle, t.ratingSubtitle) {
        if (state.rated != null) {
            Notice(t.thanks, t.ratedDetail(state.score ?: 0, t.orderState(state.rated!!.state)), Tone.Success)
            return@ScreenFrame
        }
        Text(t.satisfied, style = MaterialTheme.typography.titleMedium)
        Row {
            (1..5).forEach { n ->
                val on = (state.score ?: 0) >= n
                TextButton(
                    { onEvent(RatingEvent.Score(n)) },
                    Modifier.semantics { contentDescription = t.stars(n) },
                ) { Text(if (on) "★" else "☆", fontSize = 32.sp, color = MaterialTheme.colorScheme.secondary) }
            }
        }
        state.score?.takeIf { it in 1..5 }?.let { Text(t.scoreWords[it - 1], color = MaterialTheme.colorScheme.secondary) }
        OutlinedTextField(
            state.comment, { onEvent(RatingEvent.Comment(it)) }, Modifier.fillMaxWidth(),
            label = { Text(t.commentOptional) }, minLines = 3,
        )
        ErrorNotice(state.error)
        if (state.submitting) Loading(t.submitting)
        Button({ onEvent(RatingEvent.Submit) }, Modifier.fillMaxWidth(), enabled = !state.submitting && state.score != null) {
            Text(t.submitRating)
        }
    }
}
