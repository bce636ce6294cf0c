package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import org.lawcircle.ffi.LawCircleClient
import org.lawcircle.ffi.LawCircleException
import org.lawcircle.ffi.ListenerHandle
import org.lawcircle.ffi.OrderListener
import org.lawcircle.ffi.OrderSummary
import org.lawcircle.ffi.Point
import org.lawcircle.ffi.RequesterContact

/** What the screen says when a grab lost the race (抢单失败). */
const val TAKEN_BY_SOMEONE_ELSE = "已被他人抢单 Taken by someone else"

/** The order-offers screen (抢单) of a volunteer or lawyer. */
data class OrderOffersState(
    /** The consultations offered now, as the server's event stream tells them. */
    val offers: List<OrderSummary> = emptyList(),
    /** The event stream is connected (offers are live). */
    val live: Boolean = false,
    /** Why the stream dropped; it reconnects by itself. */
    val disconnectedReason: String? = null,
    /** Orders staff dispatched to the user (派单), newest last. */
    val assigned: List<OrderSummary> = emptyList(),
    /** The order the user holds and works on (after a grab, start, resolve). */
    val current: OrderSummary? = null,
    /** An order id an intent is working on. */
    val busy: String? = null,
    /** The order another volunteer grabbed first. */
    val takenByOther: String? = null,
    /** The requester's contact of an order the user holds, once read (audited with the reason given). */
    val contact: RequesterContact? = null,
    val error: UiError? = null,
)

/**
 * Live order offers over the server's event stream, grabbing one (the
 * first eligible volunteer wins; a lost race reads "taken by someone
 * else"), and working it: start, resolve; accept or decline a dispatched one.
 */
class OrderOffersPresenter(
    private val client: LawCircleClient,
    private var position: Point,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<OrderOffersState>(OrderOffersState(), scope, io) {
    private var handle: ListenerHandle? = null

    /** Starts the live listener at the user's position; a second call does nothing. */
    @Synchronized
    fun start() {
        if (handle != null) return
        val listener = object : OrderListener {
            override fun onOffers(offers: List<OrderSummary>) {
                updateState { it.copy(offers = offers, live = true, disconnectedReason = null) }
            }

            override fun onAssigned(order: OrderSummary) {
                updateState { s -> s.copy(assigned = s.assigned.filter { it.id != order.id } + order) }
            }

            override fun onDisconnected(reason: String) {
                updateState { it.copy(live = false, disconnectedReason = reason) }
            }
        }
        handle = try {
            client.watchOrders(position, listener)
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
            null
        }
    }

    /** The user moved: the offers depend on the walking radius, so listen again from there. */
    @Synchronized
    fun moveTo(point: Point) {
        position = point
        if (handle != null) {
            stopListening()
            start()
        }
    }

    /** Asks once (pull-to-refresh), next to the live listener. */
    fun refresh(): Job = intent {
        try {
            val offers = client.orderOffers(position)
            updateState { it.copy(offers = offers, error = null) }
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
        }
    }

    /** Grabs an offered consultation. */
    fun grab(orderId: String): Job = act(orderId) { client.grabOrder(orderId, position) }

    /** Reads the requester's contact of an order the user holds, saying why (the server audits it). */
    fun readContact(orderId: String, reason: String): Job = intent {
        try {
            val contact = client.requesterContact(orderId, reason)
            updateState { it.copy(contact = contact, error = null) }
        } catch (e: LawCircleException) {
            updateState { it.copy(error = e.toUiError()) }
        }
    }

    /** Takes an order staff dispatched to the user. */
    fun accept(orderId: String): Job = act(orderId) { client.acceptOrder(orderId) }

    /** Gives a dispatched order back, with why. */
    fun decline(orderId: String, reason: String): Job = act(orderId) { client.declineOrder(orderId, reason) }

    fun startWork(orderId: String): Job = act(orderId) { client.startOrder(orderId) }

    /** Resolves the order (办结) with what was done. */
    fun resolve(orderId: String, note: String): Job = act(orderId) { client.resolveOrder(orderId, note) }

    private fun act(orderId: String, call: suspend () -> OrderSummary): Job = intent {
        updateState { it.copy(busy = orderId, error = null, takenByOther = null) }
        try {
            val order = call()
            updateState { s ->
                s.copy(
                    busy = null,
                    current = order,
                    offers = s.offers.filter { it.id != order.id },
                    assigned = s.assigned.map { if (it.id == order.id) order else it },
                )
            }
        } catch (e: LawCircleException) {
            if (e.isConflict) {
                // Someone else was first (or it changed meanwhile): drop the offer.
                updateState { s ->
                    s.copy(
                        busy = null,
                        takenByOther = orderId,
                        offers = s.offers.filter { it.id != orderId },
                        error = UiError(TAKEN_BY_SOMEONE_ELSE),
                    )
                }
            } else {
                updateState { it.copy(busy = null, error = e.toUiError()) }
            }
        }
    }

    private fun stopListening() {
        handle?.let {
            it.cancel()
            it.close()
        }
        handle = null
        updateState { it.copy(live = false) }
    }

    @Synchronized
    override fun close() {
        stopListening()
        super.close()
    }
}
