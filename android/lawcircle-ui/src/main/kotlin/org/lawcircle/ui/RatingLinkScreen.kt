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
    ScreenFrame("服务评价二维码", "请服务对象用手机扫码评价") {
        if (state.loading) Loading("正在生成二维码…")
        ErrorNotice(state.error)
        val link = state.link
        if (link == null) {
            if (!state.loading && state.error == null) Empty("还没有二维码", "点下面的按钮生成")
        } else {
            QrCode(state, Modifier.fillMaxWidth().padding(horizontal = 24.dp))
            Text("有效期至 ${shortTime(link.expiresAtMs)}，只能评价一次", style = MaterialTheme.typography.bodyMedium)
            Text(link.url, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
        }
        OutlinedButton({ onEvent(RatingLinkEvent.Load) }, enabled = !state.loading) {
            Text(if (link == null) "生成二维码" else "重新生成")
        }
    }
}

/** The link's QR matrix as black squares on white, with the four-module quiet zone scanners need. */
@Composable
private fun QrCode(state: RatingLinkState, modifier: Modifier) {
    val n = state.qrSize
    Box(modifier.aspectRatio(1f).background(Color.White).semantics { contentDescription = "评价二维码" }) {
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
