package org.lawcircle.ui

import androidx.compose.foundation.Canvas
import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.aspectRatio
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.geometry.Offset
import androidx.compose.ui.geometry.Size
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import org.lawcircle.phone.RatingLinkPresenter
import org.lawcircle.phone.RatingLinkState

sealed interface RatingLinkEvent {
    /** A new link (each one rates the order once). */
    data object Load : RatingLinkEvent
}

fun RatingLinkPresenter.onEvent(e: RatingLinkEvent) {
    when (e) {
        RatingLinkEvent.Load -> load()
    }
}

/** 服务评价二维码: the holder of a resolved order shows it; the requester scans it and rates. */
@Composable
fun RatingLinkScreen(state: RatingLinkState, onEvent: (RatingLinkEvent) -> Unit) {
    val t = strings
    ScreenFrame(t.ratingCodeTitle, t.ratingCodeSubtitle) {
        if (state.loading) Loading(t.generatingCode)
        ErrorNotice(state.error)
        val link = state.link
        if (link == null) {
            if (!state.loading && state.error == null) Empty(t.noCode, t.noCodeHint)
        } else {
            QrCode(state, Modifier.fillMaxWidth().padding(horizontal = 24.dp))
            Text(t.validUntilOnce(shortTime(link.expiresAtMs)), style = MaterialTheme.typography.bodyMedium)
            Text(link.url, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
        }
        OutlinedButton({ onEvent(RatingLinkEvent.Load) }, enabled = !state.loading) {
            Text(if (link == null) t.generateCode else t.regenerate)
        }
    }
}

/** The link's QR matrix as black squares on white, with the four-module quiet zone scanners need. */
@Composable
private fun QrCode(state: RatingLinkState, modifier: Modifier) {
    val n = state.qrSize
    val description = strings.ratingCodeDescription
    Box(modifier.aspectRatio(1f).background(Color.White).semantics { contentDescription = description }) {
        Canvas(Modifier.fillMaxWidth().aspectRatio(1f)) {
            val quiet = 4
            val cell = size.width / (n + 2 * quiet)
            for (row in 0 until n) {
                for (col in 0 until n) {
                    if (state.isDark(row, col)) {
                        drawRect(
                            Color.Black,
                            topLeft = Offset((col + quiet) * cell, (row + quiet) * cell),
                            // A hair wider, so neighbouring squares leave no seams.
                            size = Size(cell + 0.5f, cell + 0.5f),
                        )
                    }
                }
            }
        }
    }
}
