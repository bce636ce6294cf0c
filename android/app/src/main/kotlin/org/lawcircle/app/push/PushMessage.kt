package org.lawcircle.app.push

import org.json.JSONException
import org.json.JSONObject

/**
 * A message of the server's notification queue as it travels in a push
 * (the JSON the server encrypts): what happened, never the need's
 * description or anyone's contact.
 */
data class PushMessage(
    /** What the phone deduplicates by. */
    val id: String,
    /** `offer`, `withdrawn`, `assigned`, `resolved`, `rating_request`… */
    val event: String,
    val orderId: String?,
    /** For `withdrawn`: the id of the message to remove. */
    val withdraws: String?,
    val title: String,
    val body: String,
) {
    companion object {
        /** Parses the decrypted body; null when it is not a message. */
        fun parse(json: String): PushMessage? = try {
            val o = JSONObject(json)
            val id = o.getString("id")
            val event = o.getString("event")
            if (id.isBlank() || event.isBlank()) {
                null
            } else {
                PushMessage(
                    id = id,
                    event = event,
                    orderId = o.optString("order_id").takeIf { o.has("order_id") && !o.isNull("order_id") },
                    withdraws = o.optString("withdraws").takeIf { o.has("withdraws") && !o.isNull("withdraws") },
                    title = o.optString("title"),
                    body = o.optString("body"),
                )
            }
        } catch (e: JSONException) {
            null
        }
    }
}
