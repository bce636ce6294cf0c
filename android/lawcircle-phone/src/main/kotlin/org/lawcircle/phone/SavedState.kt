package org.lawcircle.phone

/**
 * Where a screen's half-typed form survives a rotation or the process
 * being killed in the background: the shape of AndroidX's
 * `SavedStateHandle` (values by key, of the types a `Bundle` holds:
 * strings, booleans, ints), so the app's `ViewModel` passes its handle
 * through a one-line adapter and the JVM tests pass a [MapSavedState].
 *
 * Presenters write every edit through at once and read the values back
 * when they are made again. Passwords and attachments' bytes are never
 * saved (a `Bundle` is not the place for a secret, nor for megabytes).
 */
interface SavedStateStore {
    operator fun get(key: String): Any?

    operator fun set(key: String, value: Any?)
}

/** A [SavedStateStore] over a plain map (the tests' rotation, or any other owner). */
class MapSavedState(private val values: MutableMap<String, Any?> = HashMap()) : SavedStateStore {
    override fun get(key: String): Any? = synchronized(values) { values[key] }

    override fun set(key: String, value: Any?) {
        synchronized(values) { values[key] = value }
    }

    /** What is saved, as the platform would keep it. */
    fun snapshot(): Map<String, Any?> = synchronized(values) { values.toMap() }
}

internal fun SavedStateStore.string(key: String): String? = this[key] as? String

internal fun SavedStateStore.bool(key: String): Boolean? = this[key] as? Boolean

internal fun SavedStateStore.int(key: String): Int? = this[key] as? Int

/** An enum saved by its name; a name this version does not know reads as null. */
internal inline fun <reified E : Enum<E>> SavedStateStore.enum(key: String): E? =
    string(key)?.let { n -> enumValues<E>().firstOrNull { it.name == n } }

/** The need form's typed fields into [store] (no attachments: their bytes stay in memory). */
fun NeedFields.saveTo(store: SavedStateStore) {
    store["need.requesterName"] = requesterName
    store["need.requesterPhone"] = requesterPhone
    store["need.requesterIdNumber"] = requesterIdNumber
    store["need.enterpriseName"] = enterpriseName
    store["need.enterpriseCreditCode"] = enterpriseCreditCode
    store["need.category"] = category.name
    store["need.description"] = description
    store["need.urgency"] = urgency.name
    store["need.address"] = address
    store["need.areaCode"] = areaCode
    store["need.channel"] = channel.name
    store["need.postId"] = postId
    store["need.consentGiven"] = consentGiven
}

/** The fields saved in [store] over [base]; what is not saved keeps [base]'s value. */
fun NeedFields.Companion.restoredFrom(store: SavedStateStore, base: NeedFields): NeedFields = base.copy(
    requesterName = store.string("need.requesterName") ?: base.requesterName,
    requesterPhone = store.string("need.requesterPhone") ?: base.requesterPhone,
    requesterIdNumber = store.string("need.requesterIdNumber") ?: base.requesterIdNumber,
    enterpriseName = store.string("need.enterpriseName") ?: base.enterpriseName,
    enterpriseCreditCode = store.string("need.enterpriseCreditCode") ?: base.enterpriseCreditCode,
    category = store.enum("need.category") ?: base.category,
    description = store.string("need.description") ?: base.description,
    urgency = store.enum("need.urgency") ?: base.urgency,
    address = store.string("need.address") ?: base.address,
    areaCode = store.string("need.areaCode") ?: base.areaCode,
    channel = store.enum("need.channel") ?: base.channel,
    postId = store.string("need.postId") ?: base.postId,
    consentGiven = store.bool("need.consentGiven") ?: base.consentGiven,
)
