package org.lawcircle.phone

import okhttp3.OkHttpClient
import okhttp3.tls.HandshakeCertificates
import okhttp3.tls.HeldCertificate
import java.io.IOException
import java.io.InputStream
import java.io.OutputStream
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.util.Collections

/**
 * A certificate authority made for one test run, and what trusts it: the
 * phone's OkHttp client trusts this CA and nothing else (no platform roots,
 * no trust-all manager), so a connection succeeds only when the server
 * shows a certificate this CA signed.
 */
class TestCa {
    private val root: HeldCertificate = HeldCertificate.Builder()
        .certificateAuthority(0)
        .commonName("LawCircle test CA")
        .build()

    /** A server certificate for loopback (127.0.0.1 and localhost) signed by the CA. */
    fun serverCertificates(): HandshakeCertificates {
        val leaf = HeldCertificate.Builder()
            .commonName("127.0.0.1")
            .addSubjectAlternativeName("127.0.0.1")
            .addSubjectAlternativeName("localhost")
            .signedBy(root)
            .build()
        return HandshakeCertificates.Builder().heldCertificate(leaf, root.certificate).build()
    }

    /** OkHttp trusting this CA alone. */
    fun client(): OkHttpClient {
        val trust = HandshakeCertificates.Builder().addTrustedCertificate(root.certificate).build()
        return OkHttpTransport.clientBuilder().sslSocketFactory(trust.sslSocketFactory(), trust.trustManager).build()
    }
}

/**
 * TLS in front of the real server, as a reverse proxy at a district's edge:
 * accepts HTTPS on a loopback port with a certificate of [ca] and relays
 * the decrypted bytes to [target] (the server's plain loopback port) and
 * back, as they come (the event stream included).
 */
class TlsProxy(ca: TestCa, private val target: Int) : AutoCloseable {
    private val listener: ServerSocket = ca.serverCertificates().sslContext().serverSocketFactory
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress())
    private val open: MutableSet<Socket> = Collections.synchronizedSet(mutableSetOf())

    /** `https://127.0.0.1:PORT`, the URL the phones are given. */
    val baseUrl: String = "https://127.0.0.1:${listener.localPort}"

    init {
        Thread({ accept() }, "tls-proxy-accept").apply { isDaemon = true }.start()
    }

    private fun accept() {
        while (true) {
            val client = try {
                listener.accept()
            } catch (_: IOException) {
                return // closed
            }
            try {
                val upstream = Socket(InetAddress.getLoopbackAddress(), target)
                open += client
                open += upstream
                pump(client.getInputStream(), upstream.getOutputStream(), client, upstream)
                pump(upstream.getInputStream(), client.getOutputStream(), client, upstream)
            } catch (_: IOException) {
                client.close()
            }
        }
    }

    /** Copies [from] to [to] until either side ends, then closes both sockets. */
    private fun pump(from: InputStream, to: OutputStream, a: Socket, b: Socket) {
        Thread({
            val buffer = ByteArray(16 * 1024)
            try {
                while (true) {
                    // The TLS handshake happens on the first read of the client side.
                    val n = from.read(buffer)
                    if (n < 0) break
                    to.write(buffer, 0, n)
                    to.flush()
                }
            } catch (_: IOException) {
                // A reset or a failed handshake (an untrusting client) ends the pair.
            } finally {
                a.close()
                b.close()
                open -= a
                open -= b
            }
        }, "tls-proxy-pump").apply { isDaemon = true }.start()
    }

    override fun close() {
        listener.close()
        synchronized(open) { open.toList() }.forEach { it.close() }
    }
}
