package org.lawcircle.phone

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

/**
 * A small JSON reader for the tests (the module has no JSON library):
 * objects become maps, arrays lists, numbers doubles.
 */
object Json {
    fun parse(text: String): Any? {
        val p = Parser(text)
        val v = p.value()
        p.skipSpace()
        check(p.i == text.length) { "trailing characters at ${p.i}" }
        return v
    }

    private class Parser(val s: String) {
        var i = 0

        fun skipSpace() {
            while (i < s.length && s[i].isWhitespace()) i++
        }

        fun value(): Any? {
            skipSpace()
            return when (val c = s[i]) {
                '{' -> obj()
                '[' -> arr()
                '"' -> str()
                't' -> word("true", true)
                'f' -> word("false", false)
                'n' -> word("null", null)
                else -> if (c == '-' || c.isDigit()) num() else error("unexpected '$c' at $i")
            }
        }

        fun word(w: String, v: Any?): Any? {
            check(s.startsWith(w, i)) { "bad literal at $i" }
            i += w.length
            return v
        }

        fun num(): Double {
            val start = i
            while (i < s.length && (s[i].isDigit() || s[i] in "+-.eE")) i++
            return s.substring(start, i).toDouble()
        }

        fun str(): String {
            check(s[i] == '"')
            i++
            val b = StringBuilder()
            while (s[i] != '"') {
                if (s[i] == '\\') {
                    i++
                    when (val e = s[i]) {
                        'n' -> b.append('\n')
                        't' -> b.append('\t')
                        'r' -> b.append('\r')
                        'b' -> b.append('\b')
                        'f' -> b.append('\u000c')
                        'u' -> {
                            b.append(s.substring(i + 1, i + 5).toInt(16).toChar())
                            i += 4
                        }
                        else -> b.append(e)
                    }
                } else {
                    b.append(s[i])
                }
                i++
            }
            i++
            return b.toString()
        }

        fun obj(): Map<String, Any?> {
            val m = LinkedHashMap<String, Any?>()
            i++
            skipSpace()
            if (s[i] == '}') return m.also { i++ }
            while (true) {
                skipSpace()
                val k = str()
                skipSpace()
                check(s[i] == ':') { "expected ':' at $i" }
                i++
                m[k] = value()
                skipSpace()
                if (s[i] == ',') i++ else break
            }
            check(s[i] == '}') { "expected '}' at $i" }
            i++
            return m
        }

        fun arr(): List<Any?> {
            val l = ArrayList<Any?>()
            i++
            skipSpace()
            if (s[i] == ']') return l.also { i++ }
            while (true) {
                l += value()
                skipSpace()
                if (s[i] == ',') i++ else break
            }
            check(s[i] == ']') { "expected ']' at $i" }
            i++
            return l
        }
    }
}

@Suppress("UNCHECKED_CAST")
fun Any?.obj(): Map<String, Any?> = this as? Map<String, Any?> ?: error("not an object: $this")

@Suppress("UNCHECKED_CAST")
fun Any?.arr(): List<Any?> = this as? List<Any?> ?: error("not an array: $this")

fun Map<String, Any?>.str(key: String): String = this[key] as? String ?: error("no string $key in $keys")

fun Map<String, Any?>.num(key: String): Double = this[key] as? Double ?: error("no number $key in $keys")

/** The platform's HTTP API with java.net.http, as another user (e.g. staff) would call it. */
class Api private constructor(private val base: String, private val token: String) {
    private val http = HttpClient.newHttpClient()

    fun get(path: String): Pair<Int, Any?> {
        val r = http.send(
            HttpRequest.newBuilder(URI(base + path)).header("authorization", "Bearer $token").build(),
            HttpResponse.BodyHandlers.ofString(),
        )
        return r.statusCode() to Json.parse(r.body())
    }

    companion object {
        fun login(server: TestServer, login: Login): Api {
            val body = """{"username":"${login.username}","password":"${login.password}"}"""
            val r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI(server.url("/api/v1/auth/login")))
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString(),
            )
            check(r.statusCode() == 200) { "login ${login.username}: ${r.statusCode()}" }
            return Api(server.baseUrl, Json.parse(r.body()).obj().str("token"))
        }
    }
}
