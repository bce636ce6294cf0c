package org.lawcircle.phone

import java.net.URI
import java.net.URISyntaxException
import java.net.URLDecoder

/**
 * The QR code a service station shows so a phone connects to the
 * district's platform: `lawcircle://connect?server=<address, URL-encoded>`
 * (or, printed by hand, the address itself). The server and console make
 * no such code yet; this is the format the app reads. An address must be
 * `https://`, or `http://` to loopback only (as the library refuses any
 * other `http://` address when it opens a client), with a host and no
 * user info, query or fragment.
 */
object StationCode {
    /** What a scanned code gave. */
    sealed interface Parsed {
        /** The platform's address, without a trailing slash. */
        data class Server(val url: String) : Parsed

        /** Not a station code, or one with an address the app refuses; [reason] in English for logs and tests. */
        data class Refused(val reason: String) : Parsed
    }

    fun parse(payload: String): Parsed {
        val text = payload.trim()
        if (text.isEmpty()) return Parsed.Refused("empty")
        val uri = uri(text) ?: return Parsed.Refused("not a URI")
        return when (uri.scheme?.lowercase()) {
            "lawcircle" -> {
                if (uri.host?.lowercase() != "connect") return Parsed.Refused("not a connect code")
                val values = uri.rawQuery.orEmpty().split('&')
                    .map { it.split('=', limit = 2) }
                    .filter { it.size == 2 && it[0] == "server" }
                if (values.size != 1) return Parsed.Refused("needs exactly one server")
                val server = try {
                    URLDecoder.decode(values[0][1], Charsets.UTF_8)
                } catch (_: IllegalArgumentException) {
                    return Parsed.Refused("bad encoding")
                }
                address(server)
            }
            "https", "http" -> address(text)
            else -> Parsed.Refused("not a LawCircle code")
        }
    }

    private fun uri(text: String): URI? = try {
        URI(text)
    } catch (_: URISyntaxException) {
        null
    }

    private fun address(text: String): Parsed {
        val uri = uri(text.trim()) ?: return Parsed.Refused("the server is not a URL")
        val host = uri.host
        if (host.isNullOrEmpty()) return Parsed.Refused("the server has no host")
        if (uri.rawUserInfo != null || uri.rawQuery != null || uri.rawFragment != null) {
            return Parsed.Refused("the server address carries more than an address")
        }
        return when (uri.scheme?.lowercase()) {
            "https" -> Parsed.Server(text.trim().trimEnd('/'))
            "http" -> if (isLoopback(host)) Parsed.Server(text.trim().trimEnd('/')) else Parsed.Refused("http:// only to loopback")
            else -> Parsed.Refused("the server must be https://")
        }
    }

    /** `localhost`, 127.0.0.0/8 or `::1`: the only hosts plain HTTP may reach. */
    fun isLoopback(host: String): Boolean {
        val h = host.lowercase().removePrefix("[").removeSuffix("]")
        if (h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1") return true
        val parts = h.split('.')
        return parts.size == 4 && parts[0] == "127" && parts.all { p -> p.toIntOrNull()?.let { it in 0..255 } == true && p.length <= 3 }
    }
}
