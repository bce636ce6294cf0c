package org.lawcircle.phone

import kotlinx.coroutines.suspendCancellableCoroutine
import okhttp3.Call
import okhttp3.Callback
import okhttp3.Dispatcher
import okhttp3.Headers
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody
import okhttp3.RequestBody.Companion.toRequestBody
import okhttp3.Response
import org.lawcircle.ffi.HttpException
import org.lawcircle.ffi.HttpHeader
import org.lawcircle.ffi.HttpMethod
import org.lawcircle.ffi.HttpRequest
import org.lawcircle.ffi.HttpResponse
import org.lawcircle.ffi.HttpStreamReceiver
import org.lawcircle.ffi.HttpTransport
import java.io.IOException
import java.io.InterruptedIOException
import java.util.concurrent.TimeUnit
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/**
 * The phone library's HTTP through OkHttp: give it to `LawCircleClient.open`.
 *
 * It only moves bytes. URLs, headers, the bearer token, retries, renewal
 * after a refused token, JSON and the API's errors are the library's; a 4xx
 * or 5xx comes back as a response for the library to read, and only a
 * missing response (offline, TLS, timeout) is an [HttpException].
 *
 * TLS, proxies and trust are OkHttp's: on Android the platform's trust
 * store and Network Security Config (user and enterprise CAs as the app's
 * config allows). Pass a [client] configured otherwise to change that
 * (e.g. trusting a test certificate authority). Cancelling the library's
 * call (the coroutine awaiting it) cancels the OkHttp call.
 */
class OkHttpTransport(private val client: OkHttpClient = clientBuilder().build()) : HttpTransport {
    override suspend fun send(request: HttpRequest): HttpResponse {
        val call = client.newCall(request.toOkHttp())
        // The whole exchange, body included.
        call.timeout().timeout(request.timeoutMs.toLong(), TimeUnit.MILLISECONDS)
        return call.await { response -> response.use { HttpResponse(it.code.toUShort(), it.headers.toFfi(), it.body.bytes()) } }
    }

    override suspend fun stream(request: HttpRequest, receiver: HttpStreamReceiver) {
        // No limit on the whole call (the event stream lasts); the timeout
        // bounds each silence instead (the server sends keep-alives).
        val streaming = client.newBuilder()
            .callTimeout(0, TimeUnit.MILLISECONDS)
            .readTimeout(request.timeoutMs.toLong(), TimeUnit.MILLISECONDS)
            .build()
        // The receiver is this call's handle on the library's side of the
        // stream: released as soon as the body ends (not when the garbage
        // collector gets to it), so the library sees the end at once. A
        // download's reader waits for exactly that.
        receiver.use { r ->
            streaming.newCall(request.toOkHttp()).await { response ->
                response.use {
                    r.onHead(it.code.toUShort(), it.headers.toFfi())
                    val body = it.body.source()
                    val buffer = ByteArray(CHUNK)
                    while (true) {
                        // Returns as soon as some bytes are there: events are not held back.
                        val n = body.read(buffer)
                        if (n < 0 || !r.onChunk(buffer.copyOf(n))) break
                    }
                }
            }
        }
    }

    companion object {
        private const val CHUNK = 16 * 1024

        /** The library's sync sends up to 8 requests at once to the one server. */
        private const val MAX_REQUESTS_PER_HOST = 8

        /**
         * OkHttp as the library uses it (OkHttp's own default lets only 5
         * requests to one host run at once); add TLS or proxy settings to it.
         */
        fun clientBuilder(): OkHttpClient.Builder =
            OkHttpClient.Builder().dispatcher(Dispatcher().apply { maxRequestsPerHost = MAX_REQUESTS_PER_HOST })
    }
}

private fun HttpRequest.toOkHttp(): Request {
    val builder = Request.Builder().url(url)
    try {
        for (h in headers) builder.addHeader(h.name, h.value)
    } catch (e: IllegalArgumentException) {
        throw HttpException.Transport("header refused: ${e.message}")
    }
    // OkHttp requires a body on POST, PUT and PATCH (empty is fine) and
    // none on GET; the Content-Type is among the headers.
    val payload: RequestBody? = when (method) {
        HttpMethod.GET -> null
        HttpMethod.DELETE -> if (body.isEmpty()) null else body.toRequestBody()
        HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH -> body.toRequestBody()
    }
    return builder.method(method.name, payload).build()
}

private fun Headers.toFfi(): List<HttpHeader> = map { (name, value) -> HttpHeader(name, value) }

/** Why no response came, as the library's transport error. */
private fun IOException.toFfi(): HttpException = when {
    // OkHttp's call and read timeouts; a cancelled call is reported as well.
    this is InterruptedIOException -> HttpException.Timeout(message ?: "timeout")
    else -> HttpException.Network(listOfNotNull(toString(), cause?.toString()).joinToString(": "))
}

/**
 * Runs the call on OkHttp's dispatcher and hands the response to [read]
 * there (reading a body blocks); cancelling the coroutine cancels the call.
 */
private suspend fun <T> Call.await(read: (Response) -> T): T =
    suspendCancellableCoroutine { continuation ->
        continuation.invokeOnCancellation { cancel() }
        enqueue(object : Callback {
            override fun onFailure(call: Call, e: IOException) {
                continuation.resumeWithException(e.toFfi())
            }

            override fun onResponse(call: Call, response: Response) {
                val result = try {
                    Result.success(read(response))
                } catch (e: IOException) {
                    Result.failure(e.toFfi())
                } catch (e: HttpException) {
                    Result.failure(e)
                }
                result.fold({ continuation.resume(it) }, { continuation.resumeWithException(it) })
            }
        })
    }
